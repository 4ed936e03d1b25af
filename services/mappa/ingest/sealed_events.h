// Opens what mappa-service reads. Every agency's events are sealed under their subjects'
// data keys (common/crypto/sealing.h); each agency publishes its keys' records, wrapped by
// the deployment's key vault, on its keys topic. mappa-service keeps a copy of every
// record (in its state, in the batch's write) and opens each event as it is admitted, so
// its views hold events opened. The keys topic and the events topic are read side by side,
// in no fixed order between them: an event whose key has not been read yet waits in the
// state under its key, and is admitted when the key comes. An event whose key was
// destroyed (erasure) is admitted sealed: its place in its stream counts, its content is
// gone. Works in one batch's transaction; not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/bus/event_bus.h"
#include "common/crypto/sealing.h"
#include "safeguard/v1/envelope.pb.h"
#include "services/mappa/state/mappa_state.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

class SealedEvents {
 public:
  // An event ready to admit: opened (or, its key destroyed, still sealed) and the bytes
  // to keep of it.
  struct Ready {
    safeguard::v1::EventEnvelope event;
    std::string bytes;
    std::string stream;  // its stream as the bus carried it: the stored name (a pseudonym)
  };

  // Works in `txn`; `ring` (nullptr: events must come unsealed) holds the keys unwrapped.
  // Both must outlive this object.
  SealedEvents(Transaction* txn, crypto::KeyRing* ring) : txn_(txn), ring_(ring) {}

  struct KeyAdmitted {
    std::string key_id;           // the record's key (empty when it was not a key's record)
    std::vector<Ready> released;  // the events that waited for it, in the order they came
    // The key's record when it says the key was destroyed and mappa-service held it
    // undestroyed until now: what it sealed is to be erased (ingest/erasure.h).
    std::optional<safeguard::v1::DataKeyRecord> destroyed;
    // Whether, after it, the key is held only under a KEK the vault no longer holds (true),
    // or under one it holds or destroyed (false); unset for a record that is not a key's.
    std::optional<bool> stranded;
  };
  // A keys topic's record: kept, re-wrapped under the vault's current KEK (a destroyed
  // key forgotten, and its wrapped copy replaced). One under a KEK the vault no longer
  // holds is not kept and releases nothing. An unreadable record is reported and skipped.
  absl::StatusOr<KeyAdmitted> AdmitKey(const BusRecord& record);

  enum class Outcome {
    kReady,       // `out` holds the event
    kWaiting,     // kept until its key comes
    kUnreadable,  // not an event
  };
  // An event as the bus carried it.
  absl::StatusOr<Outcome> Open(const BusRecord& record, Ready* out);

  // At a start: every key record held that an older KEK of `vault` wraps, wrapped again
  // under its current one (docs/security.md, "Rotating the key-encryption key"), in one
  // write; skipped when the last start left every copy under the current KEK.
  struct Rewrapped {
    uint64_t rewrapped = 0;
    std::vector<std::string> under_retired_keks;  // the keys wrapped under a KEK `vault` no longer holds
  };
  static absl::StatusOr<Rewrapped> RewrapHeld(MappaState* state, const crypto::KeyVault& vault);

  // How many events wait for their keys (a scan: at a start; the projector keeps the
  // count from then on, with waiting_delta()).
  static absl::StatusOr<uint64_t> EventsAwaitingKeys(const StateReader& state);
  // Events this object's transaction made wait for their keys, less those it released.
  int64_t waiting_delta() const { return waiting_delta_; }

 private:
  // Whether `record` can serve: destroyed, or wrapped under the vault's current KEK.
  bool Usable(const safeguard::v1::DataKeyRecord& record) const;
  // `e` (sealed) opened under its key, held or stored; nullopt when the key has not come
  // (or is held only under a KEK the vault no longer holds).
  absl::StatusOr<std::optional<Ready>> OpenWithKey(safeguard::v1::EventEnvelope e);

  Transaction* const txn_;
  crypto::KeyRing* const ring_;
  int64_t waiting_delta_ = 0;
};

}  // namespace safeguard::mappa
