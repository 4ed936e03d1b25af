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
  ASSIGN_OR_RETURN(std::optional<v1::DataKeyRecord> held,
                   GetMessage<v1::DataKeyRecord>(*txn_, DataKeyKey(key.key_id()), "data key"));
  // A destroyed key stays destroyed, whatever copy of it comes again.
  if (held.has_value() && held->has_destroyed()) return admitted;
  // New, destroyed now, or wrapped again (a KEK rotated): the latest record is kept.
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
  return admitted;
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
    txn_->Put(AwaitingKey(key_id, record), record.value);
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
    if (!unwrapped.ok()) {
      // Not the event's fault: this vault cannot unwrap the agency's key (another vault, or
      // a KEK it lacks). Nothing is skipped: the batch fails, and is read again once the
      // vault is right.
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
