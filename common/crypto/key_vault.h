// Where the keys that protect personal data come from (docs/security.md, "Personal data
// sealed per subject").
//
// Every event's personal part is sealed under its subject's data key (common/crypto/
// sealing.h). Data keys are kept, and published, only wrapped by a key-encryption key
// (KEK) of the deployment's key vault, and people are named on the bus by a keyed hash
// under the vault's pseudonym key. The vault is held outside every data directory: in
// production a KMS or HSM behind this interface, so that no service ever holds a KEK; in
// development and on one machine, a file (FileKeyVault). Every service of one deployment
// uses the same vault: mappa-service unwraps the keys the agencies wrap.
//
// Rotation: a vault holds every KEK still needed to unwrap, numbered; the newest wraps
// every data key made from then on (`safeguard-keys add-kek`), and every key a service
// holds once it restarts with the vault (each re-wraps them at its start:
// crypto::RewrapUnderCurrentKek). Retiring an older KEK (`safeguard-keys retire-kek`)
// makes whatever is still wrapped under it, and the data that seals, unreadable.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "safeguard/v1/keys.pb.h"

namespace safeguard::crypto {

class KeyVault {
 public:
  virtual ~KeyVault() = default;

  // What the vault is and where (never a key), for the start-up banner.
  virtual std::string Describe() const = 0;

  // `data_key` wrapped under the newest KEK, bound to `key_id` (it unwraps only as that
  // key's). Thread-safe.
  virtual absl::StatusOr<safeguard::v1::WrappedKey> Wrap(absl::string_view data_key, absl::string_view key_id) const = 0;

  // The data key `wrapped` holds. kFailedPrecondition when the KEK that wrapped it is
  // not in the vault (retired before the key was re-wrapped); kDataLoss when it does not unwrap as
  // `key_id`'s. Thread-safe.
  virtual absl::StatusOr<std::string> Unwrap(const safeguard::v1::WrappedKey& wrapped, absl::string_view key_id) const = 0;

  // The id of the KEK that wraps now: a key wrapped under another is due to be re-wrapped.
  virtual std::string current_kek_id() const = 0;

  // HMAC-SHA-256 of `data` under the deployment's pseudonym key (32 raw bytes). The same
  // in every service, so that every service names a person by the same pseudonym.
  // Thread-safe.
  virtual std::string Mac(absl::string_view data) const = 0;
};

// The vault as a file of lines:
//
//   # comments
//   pseudonym-key <64 hex digits>
//   kek 1 <64 hex digits>
//   kek 2 <64 hex digits>        # the highest number wraps; the others only unwrap
//
// The file must be readable by its owner (and at most its group) only (mode 0600, or 0640
// and 0440 for a Kubernetes Secret read through the pod's fsGroup), and must not be
// inside the data directory it protects (a copy of the data directory, or a backup of it,
// must not carry its keys).
class FileKeyVault final : public KeyVault {
 public:
  // Reads the vault at `path`. kFailedPrecondition when the file is readable or writable
  // by anyone but its owner, or lies inside `data_dir` (when given); kInvalidArgument
  // naming the line that is wrong; kNotFound when there is no file.
  static absl::StatusOr<std::unique_ptr<FileKeyVault>> Open(const std::string& path, const std::string& data_dir = "");

  // Writes a new vault at `path` (mode 0600; the directory is created, 0700, if missing):
  // a random pseudonym key and KEK 1. kAlreadyExists when there is a file there.
  static absl::Status Create(const std::string& path);

  // Opens the vault at `path`, creating it first if there is none.
  static absl::StatusOr<std::unique_ptr<FileKeyVault>> OpenOrCreate(const std::string& path,
                                                                    const std::string& data_dir = "");

  // Adds a new KEK to the vault at `path`, numbered one above the newest; it wraps from
  // then on. Returns its id. The file is replaced atomically.
  static absl::StatusOr<std::string> AddKek(const std::string& path);

  // Removes KEK `id` from the vault at `path` (never the newest). Keys still wrapped by
  // it no longer unwrap: restart every service with the newer KEK first, which re-wraps
  // what each holds.
  static absl::Status RetireKek(const std::string& path, const std::string& id);

  // A vault from file text (no file checks), e.g. for a tool given the text another way.
  static absl::StatusOr<std::unique_ptr<FileKeyVault>> Parse(absl::string_view text, const std::string& where);

  std::string Describe() const override;
  absl::StatusOr<safeguard::v1::WrappedKey> Wrap(absl::string_view data_key, absl::string_view key_id) const override;
  absl::StatusOr<std::string> Unwrap(const safeguard::v1::WrappedKey& wrapped, absl::string_view key_id) const override;
  std::string current_kek_id() const override { return current_; }
  std::string Mac(absl::string_view data) const override;

  // The ids of the KEKs held, oldest first.
  std::vector<std::string> kek_ids() const;

 private:
  FileKeyVault() = default;

  std::string where_;
  std::string pseudonym_key_;
  std::map<int, std::string> keks_;  // number -> 32-byte key
  std::string current_;
};

}  // namespace safeguard::crypto
