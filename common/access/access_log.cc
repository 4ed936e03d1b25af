#include "common/access/access_log.h"

#include <future>

#include "absl/strings/str_cat.h"
#include "common/crypto/sealing.h"
#include "common/ids.h"
#include "common/metrics/metrics.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard {

namespace v = safeguard::validation;

namespace {

// Access records by outcome: "recorded" (durable on the bus) or "failed" (the read was
// refused for it). A failure is also what docs/operations.md's alert rule watches.
metrics::Family<metrics::Counter>& AccessRecords() {
  static metrics::Family<metrics::Counter>& records = metrics::Registry::Process().AddCounter(
      "safeguard_access_records_total",
      "Access records (reads of personal data) published to the audit topic, by outcome: "
      "recorded, or failed (the read was then refused).",
      {"outcome"});
  return records;
}

}  // namespace

AccessLog::AccessLog(EventBus* bus, std::string audit_topic, Clock clock, std::optional<Sealing> sealing)
    : bus_(bus), audit_topic_(std::move(audit_topic)), clock_(std::move(clock)), sealing_(std::move(sealing)) {}

void AccessLog::Record(const CallContext& call, const safeguard::v1::Purpose& purpose,
                       std::vector<Consultation> consultations, Done done) {
  std::vector<BusMessage> records;
  const google::protobuf::Timestamp at = ToProtoTimestamp(clock_());
  absl::Status sealed;
  std::vector<BusMessage> new_keys;  // published first, with the records they seal
  auto add = [&](const Consultation& c, const std::string& subject) {
    safeguard::v1::AccessRecord r;
    r.set_access_id(NewUuid());
    *r.mutable_actor() = call.actor;
    *r.mutable_at() = at;
    r.set_subject_key(subject);
    r.set_view(c.view);
    *r.mutable_purpose() = purpose;
    r.set_peer(call.peer);
    r.set_correlation_id(call.correlation_id);
    for (const std::string& recipient : c.recipients) r.add_recipients(recipient);
    r.set_disclosed(c.disclosed);
    r.set_event_id(c.event_id);
    r.set_query(c.query);
    r.set_query_ref(c.query_ref);
    r.set_disclosed_match(c.disclosed_match);
    if (sealing_.has_value() && sealed.ok()) {
      absl::StatusOr<EventStore::HeldDataKey> key = sealing_->key_for(crypto::AccessKeyBasis(r));
      // The subject's key destroyed (erased): the read is recorded still, under the day's key.
      if (!key.ok() && absl::IsNotFound(key.status())) key = sealing_->key_for(crypto::DayKeyBasis(FromProtoTimestamp(r.at())));
      sealed = key.ok() ? crypto::SealAccessRecord(*sealing_->vault, key->key_id, key->key, &r) : key.status();
      if (sealed.ok() && !key->new_record.empty()) {
        new_keys.push_back(BusMessage{sealing_->keys_topic, key->key_id, key->new_record});
      }
    }
    // Keyed by subject (its pseudonym, as sealed), so that one person's records stay in
    // order on one partition.
    std::string bus_key = r.subject_key().empty() ? r.query() : r.subject_key();
    records.push_back(BusMessage{audit_topic_, std::move(bus_key), r.SerializeAsString()});
  };
  for (const Consultation& c : consultations) {
    if (c.subjects.empty() && !c.query.empty()) add(c, "");
    for (const std::string& subject : c.subjects) add(c, subject);
  }
  if (!sealed.ok()) {
    AccessRecords().With({"failed"}).Add(static_cast<double>(records.size()));
    return done(absl::UnavailableError(
        absl::StrCat("the access could not be recorded, so nothing is given: ", sealed.message())));
  }
  if (records.empty()) return done(absl::OkStatus());
  const double count = static_cast<double>(records.size());
  std::vector<std::string> new_key_ids;
  for (const BusMessage& k : new_keys) new_key_ids.push_back(k.key);
  if (!new_keys.empty()) {
    new_keys.insert(new_keys.end(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
    records = std::move(new_keys);
  }
  std::function<void(const std::vector<std::string>&)> keys_published;
  if (sealing_.has_value() && !new_key_ids.empty()) keys_published = sealing_->keys_published;
  bus_->PublishAsync(std::move(records), [done = std::move(done), count, new_key_ids = std::move(new_key_ids),
                                          keys_published = std::move(keys_published)](absl::Status st) {
    if (st.ok() && keys_published) keys_published(new_key_ids);
    AccessRecords().With({st.ok() ? "recorded" : "failed"}).Add(count);
    if (!st.ok()) {
      return done(absl::UnavailableError(
          absl::StrCat("the access could not be recorded, so nothing is given: ", st.message())));
    }
    done(absl::OkStatus());
  });
}

absl::Status AccessLog::RecordNow(const CallContext& call, const safeguard::v1::Purpose& purpose,
                                  std::vector<Consultation> consultations) {
  std::promise<absl::Status> recorded;
  std::future<absl::Status> outcome = recorded.get_future();
  Record(call, purpose, std::move(consultations), [&recorded](absl::Status st) { recorded.set_value(std::move(st)); });
  return outcome.get();
}

void CheckPurpose(const safeguard::v1::Purpose& purpose, validation::Violations* problems) {
  problems->Check(v::RequireEnum("purpose.code", purpose.code(), safeguard::v1::PurposeCode_descriptor()));
  problems->Check(v::RequireText("purpose.detail", purpose.detail(), 500));
}

absl::Status CheckPurpose(const safeguard::v1::Purpose& purpose) {
  v::Violations problems;
  CheckPurpose(purpose, &problems);
  return problems.status();
}

}  // namespace safeguard
