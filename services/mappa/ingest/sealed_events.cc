#include "services/mappa/ingest/sealed_events.h"

#include "absl/strings/str_cat.h"
#include "common/keys.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;

std::string DataKeyKey(const std::string& key_id) { return prefix::kDataKey + key_id; }

std::string AwaitingKey(const std::string& key_id, const BusRecord& record) {
  std::string k = NamedPrefix(prefix::kAwaitingKey, key_id);
  k.append(record.topic);
  k.push_back('\0');
  AppendBigEndian64(&k, static_cast<uint64_t>(record.partition));
  AppendBigEndian64(&k, static_cast<uint64_t>(record.offset));
  return k;
}

}  // namespace

absl::StatusOr<SealedEvents::KeyAdmitted> SealedEvents::AdmitKey(const BusRecord& record) {
  KeyAdmitted admitted;
  v1::DataKeyRecord key;
  if (!key.ParseFromString(record.value) || key.key_id().empty()) {
    // Not a key (nothing Safeguard writes): nothing waits for it, so it is skipped, loudly.
    logging::Error(absl::StrCat("mappa: unreadable data key record at ", record.topic, "/", record.partition, "@",
                                record.offset, "; skipped"));
    return admitted;
  }
  admitted.key_id = key.key_id();
  ASSIGN_OR_RETURN(std::optional<v1::DataKeyRecord> held,
                   GetMessage<v1::DataKeyRecord>(*txn_, DataKeyKey(key.key_id()), "data key"));
  // A destroyed key stays destroyed, whatever copy of it comes again.
  if (held.has_value() && held->has_destroyed()) return admitted;
  // Kept under the vault's current KEK, whatever KEK the agency wrapped it under (its
  // record comes again re-wrapped once the agency restarts with the newer KEK), so that
  // an older KEK can be retired without waiting for every agency.
  if (ring_ != nullptr) {
    absl::StatusOr<bool> rewrapped = crypto::RewrapUnderCurrentKek(ring_->vault(), &key);
    if (!rewrapped.ok() && absl::IsFailedPrecondition(rewrapped.status())) {
      // Under a KEK this vault no longer holds (an older record read again: a rebuild, a
      // Kafka segment not yet compacted; or a KEK retired too soon): never kept over a
      // copy it can unwrap, and releasing nothing. What waits for the key waits for a
      // record it can open. With no copy held it is kept as it came, so that each start
      // counts it (RewrapHeld) until its record comes re-wrapped.
      if (!held.has_value()) {
        txn_->Put(DataKeyKey(key.key_id()), key.SerializeAsString());
        txn_->Delete(prefix::kKeysKek);  // not every copy is under the current KEK now
      }
      admitted.stranded = !held.has_value() || !Usable(*held);
      return admitted;
    }
    if (!rewrapped.ok()) return rewrapped.status();
  }
  admitted.stranded = false;
  // New, destroyed now, or under another KEK than the copy held: the latest is kept.
  if (!held.has_value() || key.has_destroyed() || key.wrapped().kek_id() != held->wrapped().kek_id()) {
    txn_->Put(DataKeyKey(key.key_id()), key.SerializeAsString());
  }
  if (key.has_destroyed()) {
    if (ring_ != nullptr) ring_->Forget(key.key_id());
    if (held.has_value()) admitted.destroyed = key;
  }

  std::vector<Ready>& released = admitted.released;
  std::vector<std::string> done;
  absl::Status failed;
  RETURN_IF_ERROR(txn_->Scan(NamedPrefix(prefix::kAwaitingKey, key.key_id()), "",
                             [&](std::string_view k, std::string_view bytes) {
                               v1::EventEnvelope e;
                               if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
                                 failed = absl::DataLossError("an event waiting for its key is unreadable");
                                 return false;
                               }
                               absl::StatusOr<std::optional<Ready>> ready = OpenWithKey(std::move(e));
                               if (!ready.ok() && absl::IsDataLoss(ready.status())) {
                                 logging::Error(absl::StrCat("mappa: ", ready.status().message(), "; skipped"));
                                 done.emplace_back(k);
                                 return true;
                               }
                               if (!ready.ok() || !ready->has_value()) {
                                 failed = ready.ok() ? absl::InternalError("a key just kept is not found")
                                                     : ready.status();
                                 return false;
                               }
                               released.push_back(**std::move(ready));
                               done.emplace_back(k);
                               return true;
                             }));
  RETURN_IF_ERROR(failed);
  for (const std::string& k : done) txn_->Delete(k);
  waiting_delta_ -= static_cast<int64_t>(done.size());
  return admitted;
}

bool SealedEvents::Usable(const v1::DataKeyRecord& record) const {
  return ring_ == nullptr || record.has_destroyed() || record.wrapped().kek_id() == ring_->vault().current_kek_id();
}

absl::StatusOr<SealedEvents::Rewrapped> SealedEvents::RewrapHeld(MappaState* state, const crypto::KeyVault& vault) {
  Rewrapped outcome;
  ASSIGN_OR_RETURN(std::optional<std::string> checked, state->Read().Get(prefix::kKeysKek));
  if (checked == vault.current_kek_id()) return outcome;  // every copy kept under it since
  std::unique_ptr<Transaction> txn = state->Begin();
  std::vector<std::pair<std::string, std::string>> changes;  // written once the scan is done
  bool all_current = true;
  RETURN_IF_ERROR(txn->Scan(prefix::kDataKey, "", [&](std::string_view k, std::string_view bytes) {
    const std::string key_id(k.substr(std::string_view(prefix::kDataKey).size()));
    v1::DataKeyRecord record;
    absl::StatusOr<bool> changed = record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))
                                       ? crypto::RewrapUnderCurrentKek(vault, &record)
                                       : absl::DataLossError("its record is unreadable");
    if (!changed.ok()) {
      // One key that will not re-wrap stops nothing else: its subject's events wait (a KEK
      // retired too soon) or fail to open (altered), each said as that.
      all_current = false;
      if (absl::IsFailedPrecondition(changed.status())) {
        outcome.under_retired_keks.push_back(key_id);
      } else {
        logging::Error(absl::StrCat("mappa: data key ", key_id, " could not be re-wrapped: ", changed.status().message()));
      }
      return true;
    }
    if (*changed) changes.emplace_back(k, record.SerializeAsString());
    return true;
  }));
  for (const auto& [k, record] : changes) txn->Put(k, record);
  outcome.rewrapped = changes.size();
  if (all_current) txn->Put(prefix::kKeysKek, vault.current_kek_id());
  RETURN_IF_ERROR(state->Commit(*txn));
  return outcome;
}

absl::StatusOr<SealedEvents::Outcome> SealedEvents::Open(const BusRecord& record, Ready* out) {
  v1::EventEnvelope e;
  if (!e.ParseFromString(record.value)) return Outcome::kUnreadable;
  if (!crypto::IsSealed(e)) {
    out->stream = e.stream_id();
    out->event = std::move(e);
    out->bytes = record.value;
    return Outcome::kReady;
  }
  const std::string key_id = e.sealed().key_id();
  absl::StatusOr<std::optional<Ready>> opened = OpenWithKey(std::move(e));
  if (!opened.ok() && absl::IsDataLoss(opened.status())) {
    // Altered on the bus, or moved from another event: nothing of it can be trusted.
    logging::Error(absl::StrCat("mappa: ", opened.status().message()));
    return Outcome::kUnreadable;
  }
  if (!opened.ok()) return opened.status();
  std::optional<Ready> ready = *std::move(opened);
  if (!ready.has_value()) {
    const std::string waiting = AwaitingKey(key_id, record);
    ASSIGN_OR_RETURN(std::optional<std::string> already, txn_->Get(waiting));
    if (!already.has_value()) ++waiting_delta_;  // not a redelivery of one waiting
    txn_->Put(waiting, record.value);
    return Outcome::kWaiting;
  }
  *out = *std::move(ready);
  return Outcome::kReady;
}

absl::StatusOr<std::optional<SealedEvents::Ready>> SealedEvents::OpenWithKey(v1::EventEnvelope e) {
  if (ring_ == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("event ", e.event_id(), " is sealed and mappa-service has no key vault"));
  }
  const std::string key_id = e.sealed().key_id();
  const std::string stream = e.stream_id();
  std::optional<std::string> key = ring_->Find(key_id);
  if (!key.has_value()) {
    ASSIGN_OR_RETURN(std::optional<v1::DataKeyRecord> record,
                     GetMessage<v1::DataKeyRecord>(*txn_, DataKeyKey(key_id), "data key"));
    if (!record.has_value()) return std::optional<Ready>();
    if (record->has_destroyed()) {
      Ready erased;
      erased.bytes = e.SerializeAsString();
      erased.event = std::move(e);
      erased.stream = stream;
      return std::optional<Ready>(std::move(erased));
    }
    absl::StatusOr<std::string> unwrapped = ring_->Unwrap(*record);
    // Held under a KEK this vault no longer holds: the event waits for the key's record
    // re-wrapped (the agency publishes it again when it starts with the newer KEK), as it
    // would for a key not yet read; the key is counted in the status meanwhile.
    if (!unwrapped.ok() && absl::IsFailedPrecondition(unwrapped.status())) return std::optional<Ready>();
    if (!unwrapped.ok()) {
      // Not the event's fault: this vault cannot unwrap the agency's key (another
      // deployment's vault: the key does not authenticate under its KEK). Nothing is
      // skipped: the batch fails, and is read again once the vault is right.
      return absl::FailedPreconditionError(absl::StrCat("data key ", key_id, " does not unwrap with this key vault (",
                                                        unwrapped.status().message(),
                                                        "): give mappa-service the deployment's vault"));
    }
    key = *std::move(unwrapped);
  }
  RETURN_IF_ERROR(crypto::OpenEvent(*key, &e));
  Ready ready;
  ready.bytes = e.SerializeAsString();
  ready.event = std::move(e);
  ready.stream = stream;
  return std::optional<Ready>(std::move(ready));
}

absl::StatusOr<uint64_t> SealedEvents::EventsAwaitingKeys(const StateReader& state) {
  uint64_t n = 0;
  RETURN_IF_ERROR(state.Scan(prefix::kAwaitingKey, "", [&](std::string_view, std::string_view) {
    ++n;
    return true;
  }));
  return n;
}

}  // namespace safeguard::mappa
