// Valid disclosure-scheme requests (disclosure_service.proto) for one case, each step's
// command id derived from the case ref and the step so a walk through a case reads as
// the steps themselves. Tests start from these and break one field at a time.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/time_util.h"
#include "safeguard/v1/disclosure_service.pb.h"

namespace safeguard::testing {

// A moment on a civil day, UTC.
inline absl::Time At(int y, int m, int d, int h = 10) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), absl::UTCTimeZone());
}

template <typename Request>
void SetCase(Request* r, const std::string& case_ref, absl::string_view step) {
  r->mutable_header()->set_case_ref(case_ref);
  r->mutable_header()->set_command_id(
      absl::StrCat(step, ":", absl::StrReplaceAll(case_ref, {{"/", "."}})));
}

inline safeguard::v1::SchemeArea Area(const std::string& force, const std::string& division = "") {
  safeguard::v1::SchemeArea a;
  a.set_force(force);
  a.set_division(division);
  return a;
}

inline safeguard::v1::CaseParty Party(const std::string& ref, const std::string& given, const std::string& family,
                                      const std::string& relationship, const std::string& force = "hampshire") {
  safeguard::v1::CaseParty p;
  p.set_party_ref(ref);
  p.set_given_name(given);
  p.set_family_name(family);
  p.set_relationship_to_child(relationship);
  p.set_contact("01234 567890");
  *p.mutable_lives_in() = Area(force);
  return p;
}

inline safeguard::v1::CaseChild Child(const std::string& ref, const std::string& given,
                                      const std::string& force = "hampshire") {
  safeguard::v1::CaseChild c;
  c.set_child_ref(ref);
  c.set_given_name(given);
  c.set_family_name("Applicant");
  c.set_date_of_birth("2017-05-04");
  *c.mutable_lives_in() = Area(force);
  return c;
}

inline safeguard::v1::SubjectRef CaseSubject(const std::string& given = "Dennis", const std::string& family = "Partner") {
  safeguard::v1::SubjectRef s;
  s.set_given_name(given);
  s.set_family_name(family);
  return s;
}

inline safeguard::v1::ReceiveEnquiryRequest Enquiry(
    const std::string& case_ref, absl::Time at, safeguard::v1::DisclosureRoute route = safeguard::v1::RIGHT_TO_ASK,
    const std::string& force = "hampshire") {
  safeguard::v1::ReceiveEnquiryRequest r;
  SetCase(&r, case_ref, "enquiry");
  auto* e = r.mutable_enquiry();
  *e->mutable_at() = ToProtoTimestamp(at);
  e->set_route(route);
  *e->mutable_handled_by() = Area(force);
  if (route == safeguard::v1::RIGHT_TO_ASK) *e->mutable_enquirer() = Party("A1", "Amy", "Applicant", "mother", force);
  e->set_concern("My new partner spends time alone with my daughter; I want to know if he is a risk.");
  *e->mutable_subject() = CaseSubject();
  *e->add_children() = Child("C1", "Chloe", force);
  return r;
}

inline safeguard::v1::CompleteInitialChecksRequest Checks(const std::string& case_ref, absl::Time at,
                                                          bool in_scope = true) {
  safeguard::v1::CompleteInitialChecksRequest r;
  SetCase(&r, case_ref, "checks");
  *r.mutable_checks()->mutable_at() = ToProtoTimestamp(at);
  r.mutable_checks()->set_in_scope(in_scope);
  r.mutable_checks()->set_reason(in_scope ? "The subject has contact with a child under 18."
                                          : "The enquiry is not about contact with a child.");
  return r;
}

inline safeguard::v1::RecordApplicationRequest Application(const std::string& case_ref, absl::Time at,
                                                           const std::string& force = "hampshire") {
  safeguard::v1::RecordApplicationRequest r;
  SetCase(&r, case_ref, "application");
  auto* a = r.mutable_application();
  *a->mutable_at() = ToProtoTimestamp(at);
  *a->mutable_applicant() = Party("A1", "Amy", "Applicant", "mother", force);
  *a->add_children() = Child("C1", "Chloe", force);
  *a->mutable_subject() = CaseSubject();
  *a->mutable_subject_lives_in() = Area(force);
  a->set_declaration_signed(true);
  a->set_declaration_signed_on(FormatIsoDate(DayOf(at)));
  return r;
}

inline safeguard::v1::RecordInterviewRequest Interview(const std::string& case_ref, absl::Time at,
                                                       bool verified = true) {
  safeguard::v1::RecordInterviewRequest r;
  SetCase(&r, case_ref, "interview");
  auto* i = r.mutable_interview();
  *i->mutable_at() = ToProtoTimestamp(at);
  i->set_identity_verified(verified);
  if (verified) {
    i->add_documents_seen("passport");
    i->add_documents_seen("council tax bill");
  }
  i->set_notes("Applicant interviewed in person at the police station.");
  return r;
}

inline safeguard::v1::RecordCaseRiskAssessmentRequest Assessment(const std::string& case_ref, absl::Time at,
                                                                 const std::string& person_key = "") {
  safeguard::v1::RecordCaseRiskAssessmentRequest r;
  SetCase(&r, case_ref, "assessment");
  auto* a = r.mutable_assessment();
  *a->mutable_at() = ToProtoTimestamp(at);
  if (person_key.empty()) {
    a->set_nothing_held(true);
  } else {
    a->mutable_view()->set_person_key(person_key);
    a->mutable_view()->set_events_applied(1);
    *a->mutable_view()->mutable_read_at() = ToProtoTimestamp(at);
  }
  a->add_agencies_consulted(safeguard::v1::AGENCY_POLICE);
  a->add_agencies_consulted(safeguard::v1::AGENCY_PROBATION);
  a->add_agencies_consulted(safeguard::v1::AGENCY_CHILDRENS_SERVICES);
  a->set_summary(person_key.empty() ? "No agency holds anything on the subject." : "See the consolidated view.");
  return r;
}

inline constexpr char kApprovedWording[] =
    "Dennis Partner has convictions for sexual offences against children and poses a risk to your daughter.";

inline safeguard::v1::RecordDisclosureDecisionRequest Decision(const std::string& case_ref, absl::Time at,
                                                               safeguard::v1::DisclosureOutcome outcome) {
  safeguard::v1::RecordDisclosureDecisionRequest r;
  SetCase(&r, case_ref, "decision");
  auto* d = r.mutable_decision();
  *d->mutable_at() = ToProtoTimestamp(at);
  d->set_outcome(outcome);
  d->set_rationale("Decided on the full risk assessment.");
  d->set_forum(safeguard::v1::FORUM_LOCAL_DECISION_FORUM);
  if (outcome != safeguard::v1::NO_DISCLOSURE) {
    d->set_approved_wording(kApprovedWording);
    auto* rec = d->add_recipients();
    *rec->mutable_party() = Party("A1", "Amy", "Applicant", "mother");
    rec->set_why_best_placed("The child's mother, who can keep the subject away from her.");
  }
  return r;
}

inline safeguard::v1::RecordDeliveryRequest Delivery(const std::string& case_ref, absl::Time at,
                                                     const std::string& recipient_ref = "A1",
                                                     const std::string& wording = kApprovedWording) {
  safeguard::v1::RecordDeliveryRequest r;
  SetCase(&r, case_ref, absl::StrCat("delivery-", recipient_ref));
  auto* d = r.mutable_delivery();
  *d->mutable_at() = ToProtoTimestamp(at);
  d->set_recipient_ref(recipient_ref);
  d->set_in_person(true);
  d->set_undertaking_signed(true);
  d->set_onward_disclosure_conditions("Not to be shared beyond the child's other parent without police agreement.");
  d->set_wording_delivered(wording);
  d->set_delivered_by("DC 1234 Jones");
  return r;
}

inline safeguard::v1::RecordNonDisclosureLetterRequest Letter(const std::string& case_ref, absl::Time at,
                                                              const std::string& to = "A1") {
  safeguard::v1::RecordNonDisclosureLetterRequest r;
  SetCase(&r, case_ref, "letter");
  *r.mutable_letter()->mutable_at() = ToProtoTimestamp(at);
  r.mutable_letter()->set_addressed_to(to);
  r.mutable_letter()->set_letter_ref("NDL-0001");
  return r;
}

// What the applicant (or enquirer) `to` was told of the outcome.
inline safeguard::v1::RecordApplicantOutcomeRequest Informed(const std::string& case_ref, absl::Time at,
                                                             safeguard::v1::ApplicantOutcome outcome,
                                                             const std::string& to = "A1") {
  safeguard::v1::RecordApplicantOutcomeRequest r;
  SetCase(&r, case_ref, "outcome");
  auto* o = r.mutable_outcome();
  *o->mutable_at() = ToProtoTimestamp(at);
  o->set_party_ref(to);
  o->set_outcome(outcome);
  o->set_how(safeguard::v1::INFORMED_BY_LETTER);
  o->set_what_was_said("Told by letter of the outcome, as the guidance words it.");
  o->set_letter_ref("OUT-0001");
  return r;
}

inline safeguard::v1::RecordProtectiveActionRequest Action(const std::string& case_ref, absl::Time at,
                                                           safeguard::v1::ProtectiveAction action,
                                                           const std::string& detail = "Recorded by the case officer.") {
  safeguard::v1::RecordProtectiveActionRequest r;
  SetCase(&r, case_ref, absl::StrCat("action-", static_cast<int>(action)));
  *r.mutable_action()->mutable_at() = ToProtoTimestamp(at);
  r.mutable_action()->set_action(action);
  r.mutable_action()->set_detail(detail);
  return r;
}

inline safeguard::v1::MakeSafeguardingReferralRequest Referral(const std::string& case_ref, absl::Time at,
                                                               bool urgent = true) {
  safeguard::v1::MakeSafeguardingReferralRequest r;
  SetCase(&r, case_ref, absl::StrCat("referral-", absl::ToUnixSeconds(at)));
  auto* f = r.mutable_referral();
  *f->mutable_at() = ToProtoTimestamp(at);
  f->set_urgent(urgent);
  f->set_referred_to("Hampshire Children's Services MASH");
  f->set_reason("Child in regular contact with the subject.");
  f->add_child_refs("C1");
  return r;
}

inline safeguard::v1::CloseCaseRequest Closure(const std::string& case_ref, absl::Time at,
                                               safeguard::v1::CaseClosure closure = safeguard::v1::CASE_COMPLETED) {
  safeguard::v1::CloseCaseRequest r;
  SetCase(&r, case_ref, "closure");
  *r.mutable_closure()->mutable_at() = ToProtoTimestamp(at);
  r.mutable_closure()->set_closure(closure);
  r.mutable_closure()->set_note(closure == safeguard::v1::CASE_WITHDRAWN ? "The applicant withdrew." : "");
  return r;
}

}  // namespace safeguard::testing
