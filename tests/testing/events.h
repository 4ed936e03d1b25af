// Envelopes as police-service would write them, for projection tests.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "safeguard/v1/envelope.pb.h"
#include "tests/testing/police_requests.h"

namespace safeguard::testing {

class EventFactory {
 public:
  // Builds the next event of `pnc`'s police stream (versions and sequences count up).
  template <typename Payload>
  safeguard::v1::EventEnvelope Next(const std::string& pnc, const std::string& occurred,
                                    void (*set)(safeguard::v1::EventEnvelope*, const Payload&),
                                    const Payload& payload) {
    safeguard::v1::EventEnvelope e;
    e.set_event_id(absl::StrCat("event-", ++sequence_));
    e.set_agency(safeguard::v1::AGENCY_POLICE);
    e.set_subject_key(absl::StrCat("pnc:", pnc));
    e.set_stream_id(absl::StrCat("police/pnc:", pnc));
    e.set_stream_version(++versions_[pnc]);
    e.set_log_sequence(sequence_);
    *e.mutable_subject() = TestSubject(pnc);
    *e.mutable_occurred_at() = ToProtoTimestamp(StartOfDay(*ParseIsoDate(occurred)));
    *e.mutable_recorded_at() = ToProtoTimestamp(absl::FromUnixSeconds(1700000000 + sequence_));
    e.mutable_actor()->set_user("officer-1");
    set(&e, payload);
    e.set_event_type(absl::StrCat("police.", e.GetReflection()
                                                 ->GetOneofFieldDescriptor(e, e.GetDescriptor()->oneof_decl(0))
                                                 ->message_type()
                                                 ->name()));
    return e;
  }

  safeguard::v1::EventEnvelope Conviction(const std::string& pnc, safeguard::v1::OffenceClassification c,
                                          const std::string& date = "2019-01-15") {
    auto payload = ValidConviction().conviction();
    payload.set_classification(c);
    payload.set_disposal_date(date);
    return Next<safeguard::v1::ConvictionRecorded>(
        pnc, date, [](auto* e, const auto& p) { *e->mutable_conviction_recorded() = p; }, payload);
  }
  safeguard::v1::EventEnvelope Notification(const std::string& pnc, const std::string& date,
                                            const std::string& next_due) {
    auto payload = ValidNotification().notification();
    payload.set_notification_date(date);
    payload.set_next_due_date(next_due);
    return Next<safeguard::v1::RegisterNotificationRecorded>(
        pnc, date, [](auto* e, const auto& p) { *e->mutable_register_notification_recorded() = p; }, payload);
  }
  safeguard::v1::EventEnvelope Order(const std::string& pnc, const std::string& ref,
                                     const std::string& made, const std::string& expiry) {
    auto payload = ValidOrder().order();
    payload.set_order_ref(ref);
    payload.set_made_date(made);
    payload.set_expiry_date(expiry);
    return Next<safeguard::v1::OrderRecorded>(
        pnc, made, [](auto* e, const auto& p) { *e->mutable_order_recorded() = p; }, payload);
  }
  safeguard::v1::EventEnvelope Breach(const std::string& pnc, const std::string& ref,
                                      const std::string& date) {
    auto payload = ValidBreach().breach();
    payload.set_order_ref(ref);
    payload.set_breach_date(date);
    return Next<safeguard::v1::OrderBreachRecorded>(
        pnc, date, [](auto* e, const auto& p) { *e->mutable_order_breach_recorded() = p; }, payload);
  }
  safeguard::v1::EventEnvelope Intelligence(const std::string& pnc, const std::string& date) {
    auto payload = ValidIntelligence().intelligence();
    payload.set_received_date(date);
    return Next<safeguard::v1::IntelligenceRecorded>(
        pnc, date, [](auto* e, const auto& p) { *e->mutable_intelligence_recorded() = p; }, payload);
  }

 private:
  uint64_t sequence_ = 0;
  std::map<std::string, uint64_t> versions_;
};

}  // namespace safeguard::testing
