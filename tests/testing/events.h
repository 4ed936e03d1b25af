// Envelopes as the agency services and mappa-service would write them, for projection
// and store tests.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "safeguard/v1/envelope.pb.h"
#include "services/mappa/identity/identity.h"
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
    e.set_stream_version(++versions_[absl::StrCat("police/pnc:", pnc)]);
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

  // The next event of `subject_key`'s stream in `agency`, about `subject`; `set` fills the
  // payload. E.g. About(AGENCY_PROBATION, "probation:X123456", subject, "2024-01-01", ...).
  template <typename Set>
  safeguard::v1::EventEnvelope About(safeguard::v1::Agency agency, const std::string& subject_key,
                                     const safeguard::v1::SubjectRef& subject, const std::string& occurred,
                                     Set set) {
    static constexpr const char* kPrefix[] = {"?", "police", "probation", "childrens", "mappa", "platform"};
    safeguard::v1::EventEnvelope e;
    e.set_event_id(absl::StrCat("event-", ++sequence_));
    e.set_agency(agency);
    e.set_subject_key(subject_key);
    e.set_stream_id(absl::StrCat(kPrefix[agency], "/", subject_key));
    e.set_stream_version(++versions_[e.stream_id()]);
    e.set_log_sequence(sequence_);
    *e.mutable_subject() = subject;
    *e.mutable_occurred_at() = ToProtoTimestamp(StartOfDay(*ParseIsoDate(occurred)));
    *e.mutable_recorded_at() = ToProtoTimestamp(absl::FromUnixSeconds(1700000000 + sequence_));
    e.mutable_actor()->set_user("officer-1");
    set(&e);
    e.set_event_type(absl::StrCat(kPrefix[agency], ".",
                                  e.GetReflection()
                                      ->GetOneofFieldDescriptor(e, e.GetDescriptor()->oneof_decl(0))
                                      ->message_type()
                                      ->name()));
    return e;
  }

  // The agency's correction of `fact`, on its stream: retracted, or amended by `amend`.
  template <typename Amend>
  safeguard::v1::EventEnvelope Correction(const safeguard::v1::EventEnvelope& fact, safeguard::v1::CorrectionKind kind,
                                          safeguard::v1::CorrectionReason reason, Amend amend) {
    safeguard::v1::EventEnvelope e =
        About(fact.agency(), fact.subject_key(), fact.subject(), "2024-07-01", [&](safeguard::v1::EventEnvelope* e) {
          auto* c = e->mutable_fact_corrected();
          c->set_corrected_event_id(fact.event_id());
          c->set_kind(kind);
          c->set_reason(reason);
          c->set_explanation("as decided");
          c->set_decided_by("the deciding officer");
          c->set_decided_on("2024-07-01");
          amend(c);
        });
    e.set_stream_id(fact.stream_id());
    return e;
  }
  safeguard::v1::EventEnvelope Retraction(const safeguard::v1::EventEnvelope& fact,
                                          safeguard::v1::CorrectionReason reason = safeguard::v1::KEYING_ERROR) {
    return Correction(fact, safeguard::v1::RETRACTED, reason, [](safeguard::v1::FactCorrected*) {});
  }

  // A MAPPA user's decision on the link between records `a` and `b`.
  safeguard::v1::EventEnvelope Decision(safeguard::v1::IdentityLinkStatus decision, const std::string& a,
                                        const std::string& b, const std::string& reason = "panel decision") {
    const std::string link = mappa::LinkIdFor(a, b);
    return About(safeguard::v1::AGENCY_MAPPA, link, safeguard::v1::SubjectRef(), "2024-07-01",
                 [&](safeguard::v1::EventEnvelope* e) {
                   auto fill = [&](auto* x) {
                     x->set_link_id(link);
                     x->set_record_a(std::min(a, b));
                     x->set_record_b(std::max(a, b));
                     x->set_reason(reason);
                   };
                   if (decision == safeguard::v1::LINKED) fill(e->mutable_identity_link_confirmed());
                   if (decision == safeguard::v1::REJECTED) fill(e->mutable_identity_link_rejected());
                   if (decision == safeguard::v1::UNLINKED) fill(e->mutable_identity_unlinked());
                 });
  }

 private:
  uint64_t sequence_ = 0;
  std::map<std::string, uint64_t> versions_;
};

}  // namespace safeguard::testing
