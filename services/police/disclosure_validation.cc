#include "services/police/disclosure_validation.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/disclosure/disclosure_case.h"
#include "common/enum_name.h"
#include "common/time_util.h"
#include "common/validation.h"

namespace safeguard::police {
namespace {

namespace v = safeguard::validation;
namespace v1 = safeguard::v1;
using agency::ValidatedCommand;

constexpr size_t kShortTextMax = 200;
constexpr size_t kContactMax = 500;
constexpr size_t kLongTextMax = 4000;
constexpr size_t kWordingMax = 8000;
constexpr int kMaxChildren = 20;
constexpr int kMaxRecipients = 10;
// The scheme's pilot began in September 2008; nothing in a case is older.
const absl::Time kEarliestStep = absl::FromCivil(absl::CivilDay(2008, 1, 1), absl::UTCTimeZone());

// A short reference within a case: 1-32 letters, digits, '-' and '_'.
absl::Status LocalRef(const std::string& field, absl::string_view value) {
  if (value.empty()) return v::FieldError(field, "is required (1-32 letters, digits, '-' or '_')");
  bool ok = value.size() <= 32;
  for (char c : value) ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!ok) return v::FieldError(field, "must be 1-32 letters, digits, '-' or '_'");
  return absl::OkStatus();
}

void Area(const std::string& field, const v1::SchemeArea& a, bool required, v::Violations* problems) {
  if (a.force().empty() && a.division().empty() && !required) return;
  if (a.force().empty()) {
    problems->Add(field + ".force", "is required: a police force of England and Wales (see docs/disclosure-scheme.md)");
  } else if (!disclosure::IsForce(a.force())) {
    problems->Add(field + ".force", "is not a police force of England and Wales (see docs/disclosure-scheme.md)");
  }
  if (!a.division().empty()) {
    bool ok = a.division().size() <= 64;
    for (char c : a.division()) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    if (!ok) problems->Add(field + ".division", "must be lower-case letters, digits and '-'");
  }
}

void Party(const std::string& field, const v1::CaseParty& p, absl::CivilDay today, bool need_relationship,
           v::Violations* problems) {
  problems->Check(LocalRef(field + ".party_ref", p.party_ref()));
  problems->Check(v::RequireText(field + ".given_name", p.given_name(), v::kNameMax));
  problems->Check(v::RequireText(field + ".family_name", p.family_name(), v::kNameMax));
  if (!p.date_of_birth().empty()) {
    problems->Check(v::RequirePastDate(field + ".date_of_birth", p.date_of_birth(), today).status());
  }
  if (need_relationship) {
    problems->Check(v::RequireText(field + ".relationship_to_child", p.relationship_to_child(), kShortTextMax));
  } else {
    problems->Check(v::OptionalText(field + ".relationship_to_child", p.relationship_to_child(), kShortTextMax));
  }
  problems->Check(v::OptionalText(field + ".contact", p.contact(), kContactMax));
  Area(field + ".lives_in", p.lives_in(), false, problems);
}

// A child is under 18 on `on`, the day of the step that names them (a case may be
// recorded long after it happened).
void Children(const std::string& field, google::protobuf::RepeatedPtrField<v1::CaseChild>* children,
              absl::CivilDay today, absl::CivilDay on, bool need_area, v::Violations* problems) {
  if (children->empty()) problems->Add(field, "needs at least one child");
  if (!problems->Check(v::MaxCount(field, children->size(), kMaxChildren))) return;
  std::set<std::string> refs;
  for (int i = 0; i < children->size(); ++i) {
    const std::string base = v::Element(field, i);
    v1::CaseChild* c = children->Mutable(i);
    if (problems->Check(LocalRef(base + ".child_ref", c->child_ref())) && !refs.insert(c->child_ref()).second) {
      problems->Add(base + ".child_ref", "is used twice");
    }
    problems->Check(v::RequireText(base + ".given_name", c->given_name(), v::kNameMax));
    problems->Check(v::OptionalText(base + ".family_name", c->family_name(), v::kNameMax));
    const std::optional<absl::CivilDay> born =
        problems->Take(v::RequirePastDate(base + ".date_of_birth", c->date_of_birth(), today));
    if (born && *born <= absl::CivilDay(on.year() - 18, on.month(), on.day())) {
      problems->Add(base + ".date_of_birth", absl::StrCat("is not that of a child under 18 on ", FormatIsoDate(on)));
    }
    Area(base + ".lives_in", c->lives_in(), need_area, problems);
    if (!c->childrens_case_id().empty()) {
      if (std::optional<std::string> id = problems->Take(
              agency::NormaliseChildrensCaseId(base + ".childrens_case_id", c->childrens_case_id()))) {
        c->set_childrens_case_id(*id);
      }
    }
  }
}

// The subject as far as known: a name at least, every reference normalised.
v1::SubjectRef Subject(const std::string& field, const v1::SubjectRef& s, absl::CivilDay today,
                       v::Violations* problems) {
  v1::SubjectRef n = agency::NormaliseSubject(field, s, today, problems);
  const bool named = !absl::StripAsciiWhitespace(s.given_name()).empty() ||
                     !absl::StripAsciiWhitespace(s.family_name()).empty();
  if (!named && s.pnc_id().empty() && s.visor_ref().empty()) {
    problems->Add(field + ".family_name", "is required (a name, or a PNC id or ViSOR reference)");
  }
  return n;
}

// Nothing in a case happens before its subject was born: `field`, the step's moment (when
// it is good), is on or after the date of birth `subject` (at `subject_field`) gives.
void NotBeforeSubjectWasBorn(const std::string& field, std::optional<absl::Time> at, const v1::SubjectRef& subject,
                             const std::string& subject_field, v::Violations* problems) {
  if (!at.has_value() || subject.date_of_birth().empty()) return;
  const absl::StatusOr<absl::CivilDay> born = ParseIsoDate(subject.date_of_birth());
  if (!born.ok() || DayOf(*at) >= *born) return;
  problems->Add(field, absl::StrCat(FormatIsoDate(DayOf(*at)), " is before the subject's date of birth (", subject_field,
                                    ".date_of_birth ", subject.date_of_birth(), ")"));
}

// The header and the step's moment, common to every command. False when the request is
// too large to look at further.
template <typename Request>
bool Step(const Request& r, const google::protobuf::Timestamp& at, const std::string& at_field, absl::Time now,
          ValidatedCommand* out, v::Violations* problems) {
  if (!problems->Check(agency::CheckCommandSize(r))) return false;
  const v1::DisclosureCommandHeader& h = r.header();
  problems->Check(v::CommandId("header.command_id", h.command_id()));
  if (!h.causation_id().empty()) problems->Check(v::CommandId("header.causation_id", h.causation_id()));
  if (std::optional<std::string> ref = problems->Take(disclosure::NormaliseCaseRef("header.case_ref", h.case_ref()))) {
    out->subject_key = *ref;
    out->event.set_subject_key(disclosure::CaseKey(*ref));
  }
  out->occurred_on = DayOf(now);
  if (at.seconds() == 0 && at.nanos() == 0) {
    problems->Add(at_field, "is required (a moment: when the step happened)");
  } else if (at.nanos() < 0 || at.nanos() > 999999999) {
    problems->Add(at_field, "is not a valid timestamp");
  } else if (const absl::Time t = FromProtoTimestamp(at); t > now + kClockSkew) {
    problems->Add(at_field, "is in the future");
  } else if (t < kEarliestStep) {
    problems->Add(at_field, "is before the scheme existed (2008)");
  } else {
    out->occurred_at = t;
    out->occurred_on = DayOf(t);
  }
  return true;
}

}  // namespace

absl::StatusOr<ValidatedCommand> Validate(const v1::ReceiveEnquiryRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.enquiry().at(), "enquiry.at", now, &out, &problems)) return problems.status();
  v1::DisclosureEnquiryReceived e = r.enquiry();
  const absl::CivilDay today = DayOf(now);
  problems.Check(v::RequireEnum("enquiry.route", e.route(), v1::DisclosureRoute_descriptor()));
  Area("enquiry.handled_by", e.handled_by(), true, &problems);
  if (e.route() == v1::RIGHT_TO_KNOW) {
    if (e.has_enquirer()) problems.Add("enquiry.enquirer", "must be empty: police opened this case");
    if (e.anonymous()) problems.Add("enquiry.anonymous", "applies only to a Right to Ask enquiry");
  } else if (e.anonymous() && e.has_enquirer()) {
    problems.Add("enquiry.enquirer", "must be empty for an anonymous enquiry");
  } else if (e.has_enquirer()) {
    Party("enquiry.enquirer", e.enquirer(), today, true, &problems);
  } else if (e.route() == v1::RIGHT_TO_ASK && !e.anonymous()) {
    problems.Add("enquiry.enquirer", "is required unless the enquiry is anonymous (enquiry.anonymous)");
  }
  problems.Check(v::RequireText("enquiry.concern", e.concern(), kLongTextMax));
  *e.mutable_subject() = Subject("enquiry.subject", e.subject(), today, &problems);
  Children("enquiry.children", e.mutable_children(), today, out.occurred_on, false, &problems);
  NotBeforeSubjectWasBorn("enquiry.at", out.occurred_at, e.subject(), "enquiry.subject", &problems);
  out.event_type = "police.DisclosureEnquiryReceived";
  *out.event.mutable_subject() = e.subject();
  *out.event.mutable_disclosure_enquiry_received() = std::move(e);
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::CompleteInitialChecksRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.checks().at(), "checks.at", now, &out, &problems)) return problems.status();
  problems.Check(v::RequireText("checks.reason", r.checks().reason(), kLongTextMax));
  out.event_type = "police.DisclosureInitialChecksCompleted";
  *out.event.mutable_disclosure_initial_checks_completed() = r.checks();
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordApplicationRequest& r, absl::Time now,
                                          const disclosure::SchemeConfig& scheme) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.application().at(), "application.at", now, &out, &problems)) return problems.status();
  v1::DisclosureApplicationMade a = r.application();
  const absl::CivilDay today = DayOf(now);
  if (!a.has_applicant()) {
    problems.Add("application.applicant", "is required: the adult applying, with their relationship to the child");
  }
  Party("application.applicant", a.applicant(), today, true, &problems);
  Children("application.children", a.mutable_children(), today, out.occurred_on, true, &problems);
  *a.mutable_subject() = Subject("application.subject", a.subject(), today, &problems);
  Area("application.subject_lives_in", a.subject_lives_in(), scheme.require_subject_in_area, &problems);
  if (!a.declaration_signed()) {
    problems.Add("application.declaration_signed", "must be true: the applicant signs that the information given is true");
  }
  const std::optional<absl::CivilDay> signed_on =
      problems.Take(v::RequirePastDate("application.declaration_signed_on", a.declaration_signed_on(), today));
  if (signed_on && *signed_on > out.occurred_on) {
    problems.Add("application.declaration_signed_on",
                 "is after the application (application.at): the declaration is signed when the application is made");
  }
  if (a.eligible() || !a.eligibility_reason().empty()) {
    problems.Add("application.eligible", "is decided by police-service; leave it unset");
  }
  NotBeforeSubjectWasBorn("application.at", out.occurred_at, a.subject(), "application.subject", &problems);
  if (!problems.ok()) return problems.status();

  // Eligibility is data: a child must live in a scheme area in force on the day of the
  // application (and, where the scheme requires it, the subject too).
  const absl::CivilDay day = out.occurred_on;
  const disclosure::SchemeAreaPeriod* child_area = nullptr;
  const v1::CaseChild* child = nullptr;
  for (const v1::CaseChild& c : a.children()) {
    if ((child_area = disclosure::AreaInScheme(scheme, c.lives_in(), day)) != nullptr) {
      child = &c;
      break;
    }
  }
  auto where = [](const v1::SchemeArea& area) {
    return area.division().empty() ? area.force() : absl::StrCat(area.force(), "/", area.division());
  };
  if (child_area == nullptr) {
    a.set_eligible(false);
    a.set_eligibility_reason(absl::StrCat("no child lives in an area where the scheme ran on ", FormatIsoDate(day)));
  } else if (scheme.require_subject_in_area && disclosure::AreaInScheme(scheme, a.subject_lives_in(), day) == nullptr) {
    a.set_eligible(false);
    a.set_eligibility_reason(absl::StrCat("the subject does not live in an area where the scheme ran on ",
                                          FormatIsoDate(day), " (required here)"));
  } else {
    a.set_eligible(true);
    a.set_eligibility_reason(absl::StrCat("child ", child->child_ref(), " lives in ", where(child->lives_in()),
                                          ", in the scheme since ", FormatIsoDate(child_area->from)));
  }
  out.event_type = "police.DisclosureApplicationMade";
  *out.event.mutable_subject() = a.subject();
  *out.event.mutable_disclosure_application_made() = std::move(a);
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordInterviewRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.interview().at(), "interview.at", now, &out, &problems)) return problems.status();
  const v1::DisclosureApplicantInterviewed& i = r.interview();
  if (problems.Check(v::MaxCount("interview.documents_seen", i.documents_seen_size(), 10))) {
    for (int k = 0; k < i.documents_seen_size(); ++k) {
      problems.Check(v::RequireText(v::Element("interview.documents_seen", k), i.documents_seen(k), kShortTextMax));
    }
  }
  if (i.identity_verified() && i.documents_seen().empty()) {
    problems.Add("interview.documents_seen", "must name the documents the identity was verified against");
  }
  problems.Check(v::OptionalText("interview.notes", i.notes(), kLongTextMax));
  out.event_type = "police.DisclosureApplicantInterviewed";
  *out.event.mutable_disclosure_applicant_interviewed() = i;
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordCaseRiskAssessmentRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.assessment().at(), "assessment.at", now, &out, &problems)) return problems.status();
  const v1::DisclosureRiskAssessed& a = r.assessment();
  if (a.nothing_held()) {
    if (a.has_view()) problems.Add("assessment.view", "must be empty when nothing is held");
  } else {
    if (!a.has_view()) problems.Add("assessment.view", "is required (or assessment.nothing_held)");
    problems.Check(v::RequireText("assessment.view.person_key", a.view().person_key(), kShortTextMax));
    if (a.view().events_applied() == 0) {
      problems.Add("assessment.view.events_applied", "must be the view's count of events (at least 1)");
    }
    if (!a.view().has_read_at()) {
      problems.Add("assessment.view.read_at", "is required");
    } else if (FromProtoTimestamp(a.view().read_at()) > now + kClockSkew) {
      problems.Add("assessment.view.read_at", "is in the future");
    }
  }
  if (a.agencies_consulted().empty()) {
    problems.Add("assessment.agencies_consulted", "must name every agency whose view was gathered");
  }
  std::set<int> seen;
  for (int k = 0; k < a.agencies_consulted_size(); ++k) {
    const std::string field = v::Element("assessment.agencies_consulted", k);
    if (problems.Check(v::RequireEnum(field, a.agencies_consulted(k), v1::Agency_descriptor())) &&
        !seen.insert(a.agencies_consulted(k)).second) {
      problems.Add(field, "is named twice");
    }
  }
  problems.Check(v::RequireText("assessment.summary", a.summary(), kLongTextMax));
  out.event_type = "police.DisclosureRiskAssessed";
  *out.event.mutable_disclosure_risk_assessed() = a;
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordDisclosureDecisionRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.decision().at(), "decision.at", now, &out, &problems)) return problems.status();
  v1::DisclosureDecided d = r.decision();
  const absl::CivilDay today = DayOf(now);
  problems.Check(v::RequireEnum("decision.outcome", d.outcome(), v1::DisclosureOutcome_descriptor()));
  problems.Check(v::RequireText("decision.rationale", d.rationale(), kLongTextMax));
  problems.Check(v::RequireEnum("decision.forum", d.forum(), v1::DecisionForum_descriptor()));
  if (d.forum() == v1::FORUM_MAPPA_MEETING) {
    if (std::optional<std::string> ref =
            problems.Take(disclosure::NormaliseCaseRef("decision.meeting_ref", d.meeting_ref()))) {
      d.set_meeting_ref(*ref);
    }
  } else if (!d.meeting_ref().empty()) {
    problems.Add("decision.meeting_ref", "is given only when decision.forum is FORUM_MAPPA_MEETING");
  }
  if (d.outcome() == v1::NO_DISCLOSURE) {
    if (!d.approved_wording().empty()) problems.Add("decision.approved_wording", "must be empty: nothing is disclosed");
    if (!d.recipients().empty()) problems.Add("decision.recipients", "must be empty: nothing is disclosed");
  } else {
    if (d.outcome() != v1::DISCLOSURE_OUTCOME_UNSPECIFIED) {
      problems.Check(v::RequireText("decision.approved_wording", d.approved_wording(), kWordingMax));
      if (d.recipients().empty()) {
        problems.Add("decision.recipients", "needs the person (or people) best placed to protect the child");
      }
    }
    if (problems.Check(v::MaxCount("decision.recipients", d.recipients_size(), kMaxRecipients))) {
      std::set<std::string> refs;
      for (int k = 0; k < d.recipients_size(); ++k) {
        const std::string base = v::Element("decision.recipients", k);
        Party(base + ".party", d.recipients(k).party(), today, true, &problems);
        if (!d.recipients(k).party().party_ref().empty() && !refs.insert(d.recipients(k).party().party_ref()).second) {
          problems.Add(base + ".party.party_ref", "is used twice");
        }
        problems.Check(v::RequireText(base + ".why_best_placed", d.recipients(k).why_best_placed(), kLongTextMax));
      }
    }
  }
  out.event_type = "police.DisclosureDecided";
  *out.event.mutable_disclosure_decided() = std::move(d);
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordDeliveryRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.delivery().at(), "delivery.at", now, &out, &problems)) return problems.status();
  const v1::DisclosureDelivered& d = r.delivery();
  problems.Check(LocalRef("delivery.recipient_ref", d.recipient_ref()));
  if (!d.in_person()) problems.Add("delivery.in_person", "must be true: a disclosure is given in person");
  if (!d.undertaking_signed()) {
    problems.Add("delivery.undertaking_signed",
                 "must be true: the recipient signs the confidentiality undertaking before being told");
  }
  problems.Check(v::RequireText("delivery.onward_disclosure_conditions", d.onward_disclosure_conditions(), kLongTextMax));
  problems.Check(v::RequireText("delivery.wording_delivered", d.wording_delivered(), kWordingMax));
  problems.Check(v::RequireText("delivery.delivered_by", d.delivered_by(), v::kNameMax));
  out.event_type = "police.DisclosureDelivered";
  *out.event.mutable_disclosure_delivered() = d;
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordNonDisclosureLetterRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.letter().at(), "letter.at", now, &out, &problems)) return problems.status();
  problems.Check(LocalRef("letter.addressed_to", r.letter().addressed_to()));
  problems.Check(v::OptionalText("letter.letter_ref", r.letter().letter_ref(), kShortTextMax));
  out.event_type = "police.NonDisclosureLetterSent";
  *out.event.mutable_non_disclosure_letter_sent() = r.letter();
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordApplicantOutcomeRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.outcome().at(), "outcome.at", now, &out, &problems)) return problems.status();
  const v1::DisclosureApplicantInformed& o = r.outcome();
  problems.Check(LocalRef("outcome.party_ref", o.party_ref()));
  problems.Check(v::RequireEnum("outcome.outcome", o.outcome(), v1::ApplicantOutcome_descriptor()));
  problems.Check(v::RequireEnum("outcome.how", o.how(), v1::InformedBy_descriptor()));
  problems.Check(v::RequireText("outcome.what_was_said", o.what_was_said(), kLongTextMax));
  if (o.how() == v1::INFORMED_BY_LETTER) {
    problems.Check(v::RequireText("outcome.letter_ref", o.letter_ref(), kShortTextMax));
  } else if (!o.letter_ref().empty()) {
    problems.Add("outcome.letter_ref", "is given only for a letter (outcome.how INFORMED_BY_LETTER)");
  }
  out.event_type = "police.DisclosureApplicantInformed";
  *out.event.mutable_disclosure_applicant_informed() = o;
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordProtectiveActionRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.action().at(), "action.at", now, &out, &problems)) return problems.status();
  problems.Check(v::RequireEnum("action.action", r.action().action(), v1::ProtectiveAction_descriptor()));
  problems.Check(v::RequireText("action.detail", r.action().detail(), kLongTextMax));
  out.event_type = "police.ProtectiveActionTaken";
  *out.event.mutable_protective_action_taken() = r.action();
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::MakeSafeguardingReferralRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.referral().at(), "referral.at", now, &out, &problems)) return problems.status();
  const v1::SafeguardingReferralMade& f = r.referral();
  problems.Check(v::RequireText("referral.referred_to", f.referred_to(), kShortTextMax));
  problems.Check(v::RequireText("referral.reason", f.reason(), kLongTextMax));
  if (problems.Check(v::MaxCount("referral.child_refs", f.child_refs_size(), kMaxChildren))) {
    for (int k = 0; k < f.child_refs_size(); ++k) {
      problems.Check(LocalRef(v::Element("referral.child_refs", k), f.child_refs(k)));
    }
  }
  out.event_type = "police.SafeguardingReferralMade";
  *out.event.mutable_safeguarding_referral_made() = f;
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::CloseCaseRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Step(r, r.closure().at(), "closure.at", now, &out, &problems)) return problems.status();
  problems.Check(v::RequireEnum("closure.closure", r.closure().closure(), v1::CaseClosure_descriptor()));
  if (r.closure().closure() == v1::CASE_WITHDRAWN) {
    problems.Check(v::RequireText("closure.note", r.closure().note(), kLongTextMax));
  } else {
    problems.Check(v::OptionalText("closure.note", r.closure().note(), kLongTextMax));
  }
  out.event_type = "police.DisclosureCaseClosed";
  *out.event.mutable_disclosure_case_closed() = r.closure();
  return problems.Or(std::move(out));
}

}  // namespace safeguard::police
