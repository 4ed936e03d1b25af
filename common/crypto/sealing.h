// Personal data sealed per subject (docs/security.md): what of an event is personal, how it
// is sealed under its subject's data key and opened again, and the pseudonyms that name
// subjects, streams and keys where the data must stay readable without a key.
//
// An event as stored and published keeps in clear what the log's order, routing and
// proofs need: its id, type, agency, log sequence, stream version, times, actor and
// command ids, with its stream id and subject key replaced by pseudonyms (keyed hashes,
// common/crypto/key_vault.h). Its subject, subject key, stream id and payload are sealed
// together (AES-256-GCM) in `sealed`, bound to the event's id. Destroying the data key
// (erasure) leaves the event, its place in the log and its Merkle leaf (which hashes the
// stored, sealed bytes) exactly as they were, and its personal data unreadable.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/crypto/key_vault.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/keys.pb.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard::crypto {

// "~" and 32 hex digits: the keyed hash (KeyVault::Mac) of `name` as one of `domain`
// ("subject", "stream", "alert"...): the same in every service of a deployment, and
// naming nothing to anyone without the vault.
std::string Pseudonym(const KeyVault& vault, absl::string_view domain, absl::string_view name);

// The pseudonym of a subject key ("pnc:2019/0012345X"), the same
// in every service of a deployment. An empty key stays empty.
std::string SubjectPseudonym(const KeyVault& vault, absl::string_view subject_key);

// The stored name of stream `stream_id`: its first part kept ("police", "disclosure",
// "mappa"), the rest a pseudonym: "police/~<32 hex>".
std::string StreamPseudonym(const KeyVault& vault, absl::string_view stream_id);

// Whether `name` is already a pseudonym (of a subject or a stream).
bool IsPseudonym(absl::string_view name);

// The data key an agency seals `event`'s personal data under: one per subject key (one
// per stream for events about no subject, e.g. a meeting). "<agency>/~<32 hex>".
std::string DataKeyIdFor(const KeyVault& vault, const safeguard::v1::EventEnvelope& event);
// The same for agency `agency` and the subject key (or stream id) `basis`.
std::string DataKeyId(const KeyVault& vault, safeguard::v1::Agency agency, absl::string_view basis);

// Seals `event` (its event id assigned) under `data_key`, the key `key_id`: moves its
// personal fields into `sealed` and replaces its stream id and subject key by their
// pseudonyms. kFailedPrecondition when it is sealed already.
absl::Status SealEvent(const KeyVault& vault, absl::string_view key_id, absl::string_view data_key,
                       safeguard::v1::EventEnvelope* event);

// Restores `event`'s personal fields from `sealed` under `data_key`, and clears `sealed`.
// kDataLoss when it does not open (altered, or moved from another event).
absl::Status OpenEvent(absl::string_view data_key, safeguard::v1::EventEnvelope* event);

// The same for an access record (the record of a read, on audit.access): its subject key,
// query, recipients and disclosed words sealed under `data_key`, bound to its access id;
// its subject key replaced by the pseudonym (of "query:<query>" for a look-up that found
// no one).
absl::Status SealAccessRecord(const KeyVault& vault, absl::string_view key_id, absl::string_view data_key,
                              safeguard::v1::AccessRecord* record);
absl::Status OpenAccessRecord(absl::string_view data_key, safeguard::v1::AccessRecord* record);
// What an access record is sealed under: its subject key's data key, or for a look-up that
// found no one, the day's ("look-ups:<date>"): look-ups make at most one key a day.
std::string AccessKeyBasis(const safeguard::v1::AccessRecord& record);
// The basis of the day's key for access records that name no subject whose key can seal
// them: look-ups that found no one, and reads of a subject whose key was destroyed
// (erased), which are recorded still. "look-ups:<YYYY-MM-DD>".
std::string DayKeyBasis(absl::Time at);

// Whether `event` still holds sealed personal data.
inline bool IsSealed(const safeguard::v1::EventEnvelope& event) { return event.has_sealed(); }

// Re-wraps `record`'s key under the vault's current KEK when an older one wrapped it (a KEK
// was added since: docs/security.md, "Rotating the key-encryption key"). True when it did;
// false when the current KEK wraps it already, or the key was destroyed. kFailedPrecondition
// when the vault no longer holds the KEK that wrapped it; kDataLoss when it does not unwrap.
absl::StatusOr<bool> RewrapUnderCurrentKek(const KeyVault& vault, safeguard::v1::DataKeyRecord* record);

// The latest record of each data key, from records read in order off keys topics (which
// may still hold a key's older records beside its latest, until compacted): a destroyed
// key stays destroyed, whatever record of it comes after.
class LatestKeyRecords {
 public:
  void Add(safeguard::v1::DataKeyRecord record) {
    safeguard::v1::DataKeyRecord& kept = records_[record.key_id()];
    if (!kept.has_destroyed()) kept = std::move(record);
  }
  const std::map<std::string, safeguard::v1::DataKeyRecord>& records() const { return records_; }

 private:
  std::map<std::string, safeguard::v1::DataKeyRecord> records_;
};

// The data keys one holder (an event store, mappa-service's state, an auditor) has
// unwrapped, kept in memory so that a key is unwrapped once, not per event. Thread-safe.
class KeyRing {
 public:
  // `vault` must outlive the ring. It holds at most `capacity` keys in memory; a key
  // let go is unwrapped again from its stored record when next needed.
  explicit KeyRing(const KeyVault* vault, size_t capacity = 100000) : vault_(vault), capacity_(capacity) {}

  const KeyVault& vault() const { return *vault_; }

  // A new random data key for `key_id`, with its record (wrapped; `agency`, created `now`).
  // Not yet held: Hold() it once the record is durable.
  struct NewKey {
    std::string key;
    safeguard::v1::DataKeyRecord record;
  };
  absl::StatusOr<NewKey> Create(const std::string& key_id, safeguard::v1::Agency agency, absl::Time now) const;

  // The data key of `key_id` when held in memory.
  std::optional<std::string> Find(const std::string& key_id) const;
  // The data key `record` holds, unwrapped (and then held). kNotFound for a destroyed key
  // (record.destroyed set) and only then; kFailedPrecondition when its KEK is retired; kDataLoss when it will not unwrap.
  absl::StatusOr<std::string> Unwrap(const safeguard::v1::DataKeyRecord& record);
  // Keeps `key` as `key_id`'s.
  void Hold(const std::string& key_id, std::string key);
  // Drops `key_id`'s key from memory (it was destroyed).
  void Forget(const std::string& key_id);

 private:
  const KeyVault* const vault_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> keys_;  // guarded by mu_
};

}  // namespace safeguard::crypto
