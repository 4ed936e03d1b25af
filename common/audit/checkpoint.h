// Signed checkpoints of a log (audit.proto's SignedCheckpoint): an Ed25519 key kept in a
// PEM file (created on first use, readable by its owner only), the exact text that is
// signed, and verification that needs nothing but the public key. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "safeguard/v1/audit.pb.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace safeguard::audit {

class SigningKey {
 public:
  // Loads the Ed25519 private key at `pem_path`, or creates one there (mode 0600).
  static absl::StatusOr<std::unique_ptr<SigningKey>> LoadOrCreate(const std::string& pem_path);
  ~SigningKey();

  // The 64-byte Ed25519 signature of `message`.
  absl::StatusOr<std::string> Sign(absl::string_view message) const;

  const std::string& public_key() const { return public_key_; }  // raw, 32 bytes
  std::string public_key_pem() const;
  const std::string& key_id() const { return key_id_; }

 private:
  explicit SigningKey(EVP_PKEY* key);
  EVP_PKEY* const key_;
  std::string public_key_;
  std::string key_id_;
};

// The raw 32-byte key of the Ed25519 public key in the PEM file at `path` (as
// AuditService.GetPublicKey gives it, public_key_pem).
absl::StatusOr<std::string> ReadPublicKeyPem(const std::string& path);

// Hex of the first 8 bytes of SHA-256(raw public key).
std::string KeyId(absl::string_view public_key);

// The text a checkpoint's signature covers.
std::string CheckpointBody(absl::string_view origin, uint64_t size, absl::string_view root_hash, absl::Time time);

// A checkpoint of (`origin`, `size`, `root_hash`, `time`) signed by `key`.
absl::StatusOr<safeguard::v1::SignedCheckpoint> SignCheckpoint(const SigningKey& key, absl::string_view origin,
                                                               uint64_t size, absl::string_view root_hash,
                                                               absl::Time time);

// Whether `signature` is `public_key`'s (raw, 32 bytes) Ed25519 signature of `message`.
bool VerifySignature(absl::string_view public_key, absl::string_view message, absl::string_view signature);

// OK when `c`'s body is the text of its fields and its signature is `public_key`'s; else
// kDataLoss saying which does not hold.
absl::Status VerifyCheckpoint(const safeguard::v1::SignedCheckpoint& c, absl::string_view public_key);

}  // namespace safeguard::audit
