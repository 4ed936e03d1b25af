#include "common/crypto/sealing.h"

#include "absl/strings/str_cat.h"
#include "common/crypto/aead.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "common/security/access_policy.h"
#include "common/time_util.h"

namespace safeguard::crypto {
namespace {

using safeguard::v1::EventEnvelope;

constexpr size_t kPseudonymBytes = 16;  // 128 bits: no two names meet

std::string SealedAad(absl::string_view key_id, absl::string_view event_id) {
  return absl::StrCat("safeguard.sealed.v1\n", key_id, "\n", event_id);
}

// An event's seal is bound to its key and to the clear fields that place it: moved to
// another event, or with its type, agency, place in its stream or log, or time altered on
// the bus, it does not open.
std::string EventAad(absl::string_view key_id, const EventEnvelope& e) {
  return absl::StrCat(SealedAad(key_id, e.event_id()), "\n", e.event_type(), "\n", static_cast<int>(e.agency()), "\n",
                      e.stream_version(), "\n", e.log_sequence(), "\n", e.recorded_at().seconds(), ".",
                      e.recorded_at().nanos());
}

}  // namespace

std::string Pseudonym(const KeyVault& vault, absl::string_view domain, absl::string_view name) {
  const std::string mac = vault.Mac(absl::StrCat(domain, "\n", name));
  return absl::StrCat("~", ToHex(std::string_view(mac).substr(0, kPseudonymBytes)));
}

std::string SubjectPseudonym(const KeyVault& vault, absl::string_view subject_key) {
  if (subject_key.empty() || IsPseudonym(subject_key)) return std::string(subject_key);
  return Pseudonym(vault, "subject", subject_key);
}

std::string StreamPseudonym(const KeyVault& vault, absl::string_view stream_id) {
  const size_t slash = stream_id.find('/');
  if (slash == absl::string_view::npos) return Pseudonym(vault, "stream", stream_id);
  if (IsPseudonym(stream_id.substr(slash + 1))) return std::string(stream_id);
  return absl::StrCat(stream_id.substr(0, slash), "/", Pseudonym(vault, "stream", stream_id));
}

bool IsPseudonym(absl::string_view name) {
  const size_t slash = name.rfind('/');
  if (slash != absl::string_view::npos) name = name.substr(slash + 1);
  if (name.size() != 1 + 2 * kPseudonymBytes || name[0] != '~') return false;
  for (char c : name.substr(1)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string DataKeyId(const KeyVault& vault, safeguard::v1::Agency agency, absl::string_view basis) {
  const std::string name = security::AgencyName(agency);
  return absl::StrCat(name, "/", Pseudonym(vault, "key", absl::StrCat(name, "\n", basis)));
}

std::string DataKeyIdFor(const KeyVault& vault, const EventEnvelope& event) {
  return DataKeyId(vault, event.agency(), event.subject_key().empty() ? event.stream_id() : event.subject_key());
}

absl::Status SealEvent(const KeyVault& vault, absl::string_view key_id, absl::string_view data_key,
                       EventEnvelope* event) {
  if (event->has_sealed()) {
    return absl::FailedPreconditionError(absl::StrCat("event ", event->event_id(), " is sealed already"));
  }
  EventEnvelope personal;
  personal.set_stream_id(event->stream_id());
  personal.set_subject_key(event->subject_key());
  if (event->has_subject()) personal.mutable_subject()->Swap(event->mutable_subject());
  // The payload oneof, whichever it is, moves by reflection: every field of the envelope
  // from 50 up is a payload case.
  const google::protobuf::Reflection* reflection = event->GetReflection();
  if (const google::protobuf::OneofDescriptor* payload = EventEnvelope::descriptor()->FindOneofByName("payload");
      reflection->HasOneof(*event, payload)) {
    const google::protobuf::FieldDescriptor* field = reflection->GetOneofFieldDescriptor(*event, payload);
    reflection->SetAllocatedMessage(&personal, reflection->ReleaseMessage(event, field), field);
  }
  std::string plaintext;
  if (!personal.SerializeToString(&plaintext)) return absl::InternalError("cannot serialize an event's personal data");
  absl::StatusOr<std::string> sealed = Seal(data_key, plaintext, EventAad(key_id, *event));
  if (!sealed.ok()) return sealed.status();
  event->clear_subject();
  event->set_stream_id(StreamPseudonym(vault, event->stream_id()));
  event->set_subject_key(SubjectPseudonym(vault, event->subject_key()));
  event->mutable_sealed()->set_key_id(std::string(key_id));
  event->mutable_sealed()->set_ciphertext(*std::move(sealed));
  return absl::OkStatus();
}

absl::Status OpenEvent(absl::string_view data_key, EventEnvelope* event) {
  if (!event->has_sealed()) return absl::OkStatus();
  const google::protobuf::Reflection* reflection = event->GetReflection();
  if (event->has_subject() ||
      reflection->HasOneof(*event, EventEnvelope::descriptor()->FindOneofByName("payload"))) {
    return absl::DataLossError(absl::StrCat("event ", event->event_id(),
                                            " carries personal fields in clear beside its sealed part"));
  }
  absl::StatusOr<std::string> plaintext =
      Open(data_key, event->sealed().ciphertext(), EventAad(event->sealed().key_id(), *event));
  if (!plaintext.ok()) {
    return absl::DataLossError(absl::StrCat("the personal data of event ", event->event_id(), " (log sequence ",
                                            event->log_sequence(), ") does not open under its key ",
                                            event->sealed().key_id(), ": altered, or moved from another event"));
  }
  EventEnvelope personal;
  if (!personal.ParseFromString(*plaintext)) {
    return absl::DataLossError(absl::StrCat("the personal data of event ", event->event_id(), " is unreadable"));
  }
  event->clear_sealed();
  event->set_stream_id(personal.stream_id());
  event->set_subject_key(personal.subject_key());
  personal.clear_stream_id();
  personal.clear_subject_key();
  event->MergeFrom(personal);
  return absl::OkStatus();
}

std::string AccessKeyBasis(const safeguard::v1::AccessRecord& record) {
  if (!record.subject_key().empty()) return record.subject_key();
  // A look-up that found no one names no subject to erase; one key a day holds them all,
  // so that look-ups, however many and varied, make no more than one key a day.
  return DayKeyBasis(FromProtoTimestamp(record.at()));
}

std::string DayKeyBasis(absl::Time at) { return absl::StrCat("look-ups:", FormatIsoDate(DayOf(at))); }

absl::Status SealAccessRecord(const KeyVault& vault, absl::string_view key_id, absl::string_view data_key,
                              safeguard::v1::AccessRecord* record) {
  if (record->has_sealed()) {
    return absl::FailedPreconditionError(absl::StrCat("access record ", record->access_id(), " is sealed already"));
  }
  safeguard::v1::AccessRecord personal;
  personal.set_subject_key(record->subject_key());
  personal.set_query(record->query());
  *personal.mutable_recipients() = record->recipients();
  personal.set_disclosed(record->disclosed());
  std::string plaintext;
  if (!personal.SerializeToString(&plaintext)) return absl::InternalError("cannot serialize an access record");
  absl::StatusOr<std::string> sealed = Seal(data_key, plaintext, SealedAad(key_id, record->access_id()));
  if (!sealed.ok()) return sealed.status();
  // Named on the bus as its subject, or for a look-up that found no one, as what was
  // looked up (so one look-up's records keep together).
  const std::string pseudonym = SubjectPseudonym(
      vault, record->subject_key().empty() ? absl::StrCat("query:", record->query()) : record->subject_key());
  record->set_subject_key(pseudonym);
  record->clear_query();
  record->clear_recipients();
  record->clear_disclosed();
  record->mutable_sealed()->set_key_id(std::string(key_id));
  record->mutable_sealed()->set_ciphertext(*std::move(sealed));
  return absl::OkStatus();
}

absl::Status OpenAccessRecord(absl::string_view data_key, safeguard::v1::AccessRecord* record) {
  if (!record->has_sealed()) return absl::OkStatus();
  absl::StatusOr<std::string> plaintext =
      Open(data_key, record->sealed().ciphertext(), SealedAad(record->sealed().key_id(), record->access_id()));
  safeguard::v1::AccessRecord personal;
  if (!plaintext.ok() || !personal.ParseFromString(*plaintext)) {
    return absl::DataLossError(absl::StrCat("access record ", record->access_id(), " does not open under its key ",
                                            record->sealed().key_id()));
  }
  record->clear_sealed();
  record->set_subject_key(personal.subject_key());
  record->set_query(personal.query());
  *record->mutable_recipients() = personal.recipients();
  record->set_disclosed(personal.disclosed());
  return absl::OkStatus();
}

absl::StatusOr<KeyRing::NewKey> KeyRing::Create(const std::string& key_id, safeguard::v1::Agency agency,
                                                absl::Time now) const {
  absl::StatusOr<std::string> key = RandomBytes(kKeyBytes);
  if (!key.ok()) return key.status();
  absl::StatusOr<safeguard::v1::WrappedKey> wrapped = vault_->Wrap(*key, key_id);
  if (!wrapped.ok()) return wrapped.status();
  NewKey out;
  out.key = *std::move(key);
  out.record.set_key_id(key_id);
  out.record.set_agency(agency);
  *out.record.mutable_wrapped() = *std::move(wrapped);
  *out.record.mutable_created_at() = ToProtoTimestamp(now);
  return out;
}

std::optional<std::string> KeyRing::Find(const std::string& key_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(key_id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<bool> RewrapUnderCurrentKek(const KeyVault& vault, safeguard::v1::DataKeyRecord* record) {
  if (record->has_destroyed() || !record->has_wrapped() || record->wrapped().kek_id() == vault.current_kek_id()) {
    return false;
  }
  ASSIGN_OR_RETURN(const std::string key, vault.Unwrap(record->wrapped(), record->key_id()));
  ASSIGN_OR_RETURN(*record->mutable_wrapped(), vault.Wrap(key, record->key_id()));
  return true;
}

absl::StatusOr<std::string> KeyRing::Unwrap(const safeguard::v1::DataKeyRecord& record) {
  if (record.has_destroyed() || !record.has_wrapped()) {
    return absl::NotFoundError(absl::StrCat("data key ", record.key_id(), " was destroyed"));
  }
  absl::StatusOr<std::string> key = vault_->Unwrap(record.wrapped(), record.key_id());
  if (!key.ok()) return key.status();
  Hold(record.key_id(), *key);
  return key;
}

void KeyRing::Hold(const std::string& key_id, std::string key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (keys_.size() >= capacity_ && !keys_.contains(key_id)) keys_.erase(keys_.begin());
  keys_[key_id] = std::move(key);
}

void KeyRing::Forget(const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_.erase(key_id);
}

}  // namespace safeguard::crypto
