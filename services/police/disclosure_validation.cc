#include "services/police/disclosure_validation.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/disclosure/disclosure_case.h"
#include "common/enum_name.h"
#include "common/status_macros.h"
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
  bool ok = !value.empty() && value.size() <= 32;
  for (char c : value) ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!ok) return v::FieldError(field, "must be 1-32 letters, digits, '-' or '_'");
  return absl::OkStatus();
}

absl::Status Area(const std::string& field, const v1::SchemeArea& a, bool required) {
  if (a.force().empty() && a.division().empty() && !required) return absl::OkStatus();
  if (!disclosure::IsForce(a.force())) {
    return v::FieldError(field + ".force", "is not a police force of England and Wales (see docs/disclosure-scheme.md)");
  }
  if (!a.division().empty()) {
    bool ok = a.division().size() <= 64;
    for (char c : a.division()) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    if (!ok) return v::FieldError(field + ".division", "must be lower-case letters, digits and '-'");
  }
  return absl::OkStatus();
}

absl::Status Party(const std::string& field, const v1::CaseParty& p, absl::CivilDay today, bool need_relationship) {
  RETURN_IF_ERROR(LocalRef(field + ".party_ref", p.party_ref()));
  RETURN_IF_ERROR(v::RequireText(field + ".given_name", p.given_name(), v::kNameMax));
  RETURN_IF_ERROR(v::RequireText(field + ".family_name", p.family_name(), v::kNameMax));
  if (!p.date_of_birth().empty()) {
    RETURN_IF_ERROR(v::RequirePastDate(field + ".date_of_birth", p.date_of_birth(), today).status());
  }
  if (need_relationship) {
    RETURN_IF_ERROR(v::RequireText(field + ".relationship_to_child", p.relationship_to_child(), kShortTextMax));
  } else {
    RETURN_IF_ERROR(v::OptionalText(field + ".relationship_to_child", p.relationship_to_child(), kShortTextMax));
  }
  RETURN_IF_ERROR(v::OptionalText(field + ".contact", p.contact(), kContactMax));
  return Area(field + ".lives_in", p.lives_in(), false);
}

// A child is under 18 on `on`, the day of the step that names them (a case may be
// recorded long after it happened).
absl::Status Children(const std::string& field, google::protobuf::RepeatedPtrField<v1::CaseChild>* children,
                      absl::CivilDay today, absl::CivilDay on, bool need_area) {
  if (children->empty()) return v::FieldError(field, "needs at least one child");
  RETURN_IF_ERROR(v::MaxCount(field, children->size(), kMaxChildren));
  std::set<std::string> refs;
  for (int i = 0; i < children->size(); ++i) {
    const std::string base = v::Element(field, i);
    v1::CaseChild* c = children->Mutable(i);
    RETURN_IF_ERROR(LocalRef(base + ".child_ref", c->child_ref()));
    if (!refs.insert(c->child_ref()).second) return v::FieldError(base + ".child_ref", "is used twice");
    RETURN_IF_ERROR(v::RequireText(base + ".given_name", c->given_name(), v::kNameMax));
    RETURN_IF_ERROR(v::OptionalText(base + ".family_name", c->family_name(), v::kNameMax));
    ASSIGN_OR_RETURN(absl::CivilDay born, v::RequirePastDate(base + ".date_of_birth", c->date_of_birth(), today));
    if (born <= absl::CivilDay(on.year() - 18, on.month(), on.day())) {
      return v::FieldError(base + ".date_of_birth", absl::StrCat("is not that of a child under 18 on ", FormatIsoDate(on)));
    }
    RETURN_IF_ERROR(Area(base + ".lives_in", c->lives_in(), need_area));
    if (!c->childrens_case_id().empty()) {
      ASSIGN_OR_RETURN(*c->mutable_childrens_case_id(),
                       agency::NormaliseChildrensCaseId(base + ".childrens_case_id", c->childrens_case_id()));
    }
  }
  return absl::OkStatus();
}

// The subject as far as known: a name at least, every reference normalised.
absl::StatusOr<v1::SubjectRef> Subject(const std::string& field, const v1::SubjectRef& s, absl::CivilDay today) {
  ASSIGN_OR_RETURN(v1::SubjectRef n, agency::NormaliseSubject(field, s, today));
  const bool named = !absl::StripAsciiWhitespace(n.given_name()).empty() ||
                     !absl::StripAsciiWhitespace(n.family_name()).empty();
  if (!named && n.pnc_id().empty() && n.visor_ref().empty()) {
    return v::FieldError(field + ".family_name", "is required (a name, or a PNC id or ViSOR reference)");
  }
  return n;
}

// The header and the step's moment, common to every command.
template <typename Request>
absl::StatusOr<ValidatedCommand> Step(const Request& r, const google::protobuf::Timestamp& at, const std::string& at_field,
                                      absl::Time now) {
  RETURN_IF_ERROR(agency::CheckCommandSize(r));
  const v1::DisclosureCommandHeader& h = r.header();
  RETURN_IF_ERROR(v::CommandId("header.command_id", h.command_id()));
  if (!h.causation_id().empty()) RETURN_IF_ERROR(v::CommandId("header.causation_id", h.causation_id()));
  ValidatedCommand out;
  ASSIGN_OR_RETURN(out.subject_key, disclosure::NormaliseCaseRef("header.case_ref", h.case_ref()));
  out.event.set_subject_key(disclosure::CaseKey(out.subject_key));
  if (at.seconds() == 0 && at.nanos() == 0) return v::FieldError(at_field, "is required");
  if (at.nanos() < 0 || at.nanos() > 999999999) return v::FieldError(at_field, "is not a valid timestamp");
  const absl::Time t = FromProtoTimestamp(at);
  if (t > now + kClockSkew) return v::FieldError(at_field, "is in the future");
  if (t < kEarliestStep) return v::FieldError(at_field, "is before the scheme existed (2008)");
  out.occurred_at = t;
  out.occurred_on = DayOf(t);
  return out;
}

}  // namespace

absl::StatusOr<ValidatedCommand> Validate(const v1::ReceiveEnquiryRequest& r, absl::Time now) {
  if (!r.has_enquiry()) return v::FieldError("enquiry", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.enquiry().at(), "enquiry.at", now));
  v1::DisclosureEnquiryReceived e = r.enquiry();
  const absl::CivilDay today = DayOf(now);
  RETURN_IF_ERROR(v::RequireEnum("enquiry.route", e.route(), v1::DisclosureRoute_descriptor()));
  RETURN_IF_ERROR(Area("enquiry.handled_by", e.handled_by(), true));
  if (e.route() == v1::RIGHT_TO_ASK) {
    if (e.anonymous() && e.has_enquirer()) {
      return v::FieldError("enquiry.enquirer", "must be empty for an anonymous enquiry");
    }
    if (!e.anonymous()) {
      if (!e.has_enquirer()) return v::FieldError("enquiry.enquirer", "is required unless the enquiry is anonymous");
      RETURN_IF_ERROR(Party("enquiry.enquirer", e.enquirer(), today, true));
    }
  } else {
    if (e.has_enquirer()) return v::FieldError("enquiry.enquirer", "must be empty: police opened this case");
    if (e.anonymous()) return v::FieldError("enquiry.anonymous", "applies only to a Right to Ask enquiry");
  }
  RETURN_IF_ERROR(v::RequireText("enquiry.concern", e.concern(), kLongTextMax));
  if (!e.has_subject()) return v::FieldError("enquiry.subject", "is required");
  ASSIGN_OR_RETURN(*e.mutable_subject(), Subject("enquiry.subject", e.subject(), today));
  RETURN_IF_ERROR(Children("enquiry.children", e.mutable_children(), today, out.occurred_on, false));
  out.event_type = "police.DisclosureEnquiryReceived";
  *out.event.mutable_subject() = e.subject();
  *out.event.mutable_disclosure_enquiry_received() = std::move(e);
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::CompleteInitialChecksRequest& r, absl::Time now) {
  if (!r.has_checks()) return v::FieldError("checks", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.checks().at(), "checks.at", now));
  RETURN_IF_ERROR(v::RequireText("checks.reason", r.checks().reason(), kLongTextMax));
  out.event_type = "police.DisclosureInitialChecksCompleted";
  *out.event.mutable_disclosure_initial_checks_completed() = r.checks();
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordApplicationRequest& r, absl::Time now,
                                          const disclosure::SchemeConfig& scheme) {
  if (!r.has_application()) return v::FieldError("application", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.application().at(), "application.at", now));
  v1::DisclosureApplicationMade a = r.application();
  const absl::CivilDay today = DayOf(now);
  if (!a.has_applicant()) return v::FieldError("application.applicant", "is required");
  RETURN_IF_ERROR(Party("application.applicant", a.applicant(), today, true));
  RETURN_IF_ERROR(Children("application.children", a.mutable_children(), today, out.occurred_on, true));
  if (!a.has_subject()) return v::FieldError("application.subject", "is required");
  ASSIGN_OR_RETURN(*a.mutable_subject(), Subject("application.subject", a.subject(), today));
  RETURN_IF_ERROR(Area("application.subject_lives_in", a.subject_lives_in(), scheme.require_subject_in_area));
  if (!a.declaration_signed()) {
    return v::FieldError("application.declaration_signed",
                         "must be true: the applicant signs that the information given is true");
  }
  ASSIGN_OR_RETURN(const absl::CivilDay signed_on, v::RequirePastDate("application.declaration_signed_on",
                                                                      a.declaration_signed_on(), today));
  if (signed_on > out.occurred_on) {
    return v::FieldError("application.declaration_signed_on",
                         "is after the application: the declaration is signed when the application is made");
  }
  if (a.eligible() || !a.eligibility_reason().empty()) {
    return v::FieldError("application.eligible", "is decided by police-service; leave it unset");
  }

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
  if (!r.has_interview()) return v::FieldError("interview", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.interview().at(), "interview.at", now));
  const v1::DisclosureApplicantInterviewed& i = r.interview();
  RETURN_IF_ERROR(v::MaxCount("interview.documents_seen", i.documents_seen_size(), 10));
  for (int k = 0; k < i.documents_seen_size(); ++k) {
    RETURN_IF_ERROR(v::RequireText(v::Element("interview.documents_seen", k), i.documents_seen(k), kShortTextMax));
  }
  if (i.identity_verified() && i.documents_seen().empty()) {
    return v::FieldError("interview.documents_seen", "must name the documents the identity was verified against");
  }
  RETURN_IF_ERROR(v::OptionalText("interview.notes", i.notes(), kLongTextMax));
  out.event_type = "police.DisclosureApplicantInterviewed";
  *out.event.mutable_disclosure_applicant_interviewed() = i;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordCaseRiskAssessmentRequest& r, absl::Time now) {
  if (!r.has_assessment()) return v::FieldError("assessment", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.assessment().at(), "assessment.at", now));
  const v1::DisclosureRiskAssessed& a = r.assessment();
  if (a.nothing_held()) {
    if (a.has_view()) return v::FieldError("assessment.view", "must be empty when nothing is held");
  } else {
    if (!a.has_view()) return v::FieldError("assessment.view", "is required (or nothing_held)");
    RETURN_IF_ERROR(v::RequireText("assessment.view.person_key", a.view().person_key(), kShortTextMax));
    if (a.view().events_applied() == 0) {
      return v::FieldError("assessment.view.events_applied", "must be the view's count of events (at least 1)");
    }
    if (!a.view().has_read_at()) return v::FieldError("assessment.view.read_at", "is required");
    if (FromProtoTimestamp(a.view().read_at()) > now + kClockSkew) {
      return v::FieldError("assessment.view.read_at", "is in the future");
    }
  }
  if (a.agencies_consulted().empty()) {
    return v::FieldError("assessment.agencies_consulted", "must name every agency whose view was gathered");
  }
  std::set<int> seen;
  for (int k = 0; k < a.agencies_consulted_size(); ++k) {
    const std::string field = v::Element("assessment.agencies_consulted", k);
    RETURN_IF_ERROR(v::RequireEnum(field, a.agencies_consulted(k), v1::Agency_descriptor()));
    if (!seen.insert(a.agencies_consulted(k)).second) return v::FieldError(field, "is named twice");
  }
  RETURN_IF_ERROR(v::RequireText("assessment.summary", a.summary(), kLongTextMax));
  out.event_type = "police.DisclosureRiskAssessed";
  *out.event.mutable_disclosure_risk_assessed() = a;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordDisclosureDecisionRequest& r, absl::Time now) {
  if (!r.has_decision()) return v::FieldError("decision", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.decision().at(), "decision.at", now));
  const v1::DisclosureDecided& d = r.decision();
  const absl::CivilDay today = DayOf(now);
  RETURN_IF_ERROR(v::RequireEnum("decision.outcome", d.outcome(), v1::DisclosureOutcome_descriptor()));
  RETURN_IF_ERROR(v::RequireText("decision.rationale", d.rationale(), kLongTextMax));
  RETURN_IF_ERROR(v::RequireEnum("decision.forum", d.forum(), v1::DecisionForum_descriptor()));
  if (d.forum() == v1::FORUM_MAPPA_MEETING) {
    RETURN_IF_ERROR(disclosure::NormaliseCaseRef("decision.meeting_ref", d.meeting_ref()).status());
  } else if (!d.meeting_ref().empty()) {
    return v::FieldError("decision.meeting_ref", "is given only when the forum is FORUM_MAPPA_MEETING");
  }
  if (d.outcome() == v1::NO_DISCLOSURE) {
    if (!d.approved_wording().empty()) return v::FieldError("decision.approved_wording", "must be empty: nothing is disclosed");
    if (!d.recipients().empty()) return v::FieldError("decision.recipients", "must be empty: nothing is disclosed");
  } else {
    RETURN_IF_ERROR(v::RequireText("decision.approved_wording", d.approved_wording(), kWordingMax));
    if (d.recipients().empty()) {
      return v::FieldError("decision.recipients", "needs the person (or people) best placed to protect the child");
    }
    RETURN_IF_ERROR(v::MaxCount("decision.recipients", d.recipients_size(), kMaxRecipients));
    std::set<std::string> refs;
    for (int k = 0; k < d.recipients_size(); ++k) {
      const std::string base = v::Element("decision.recipients", k);
      RETURN_IF_ERROR(Party(base + ".party", d.recipients(k).party(), today, true));
      if (!refs.insert(d.recipients(k).party().party_ref()).second) {
        return v::FieldError(base + ".party.party_ref", "is used twice");
      }
      RETURN_IF_ERROR(v::RequireText(base + ".why_best_placed", d.recipients(k).why_best_placed(), kLongTextMax));
    }
  }
  out.event_type = "police.DisclosureDecided";
  *out.event.mutable_disclosure_decided() = d;
  if (d.forum() == v1::FORUM_MAPPA_MEETING) {
    out.event.mutable_disclosure_decided()->set_meeting_ref(*disclosure::NormaliseCaseRef("decision.meeting_ref", d.meeting_ref()));
  }
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordDeliveryRequest& r, absl::Time now) {
  if (!r.has_delivery()) return v::FieldError("delivery", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.delivery().at(), "delivery.at", now));
  const v1::DisclosureDelivered& d = r.delivery();
  RETURN_IF_ERROR(LocalRef("delivery.recipient_ref", d.recipient_ref()));
  if (!d.in_person()) return v::FieldError("delivery.in_person", "must be true: a disclosure is given in person");
  if (!d.undertaking_signed()) {
    return v::FieldError("delivery.undertaking_signed",
                         "must be true: the recipient signs the confidentiality undertaking before being told");
  }
  RETURN_IF_ERROR(v::RequireText("delivery.onward_disclosure_conditions", d.onward_disclosure_conditions(), kLongTextMax));
  RETURN_IF_ERROR(v::RequireText("delivery.wording_delivered", d.wording_delivered(), kWordingMax));
  RETURN_IF_ERROR(v::RequireText("delivery.delivered_by", d.delivered_by(), v::kNameMax));
  out.event_type = "police.DisclosureDelivered";
  *out.event.mutable_disclosure_delivered() = d;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordNonDisclosureLetterRequest& r, absl::Time now) {
  if (!r.has_letter()) return v::FieldError("letter", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.letter().at(), "letter.at", now));
  RETURN_IF_ERROR(LocalRef("letter.addressed_to", r.letter().addressed_to()));
  RETURN_IF_ERROR(v::OptionalText("letter.letter_ref", r.letter().letter_ref(), kShortTextMax));
  out.event_type = "police.NonDisclosureLetterSent";
  *out.event.mutable_non_disclosure_letter_sent() = r.letter();
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordProtectiveActionRequest& r, absl::Time now) {
  if (!r.has_action()) return v::FieldError("action", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.action().at(), "action.at", now));
  RETURN_IF_ERROR(v::RequireEnum("action.action", r.action().action(), v1::ProtectiveAction_descriptor()));
  RETURN_IF_ERROR(v::RequireText("action.detail", r.action().detail(), kLongTextMax));
  out.event_type = "police.ProtectiveActionTaken";
  *out.event.mutable_protective_action_taken() = r.action();
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::MakeSafeguardingReferralRequest& r, absl::Time now) {
  if (!r.has_referral()) return v::FieldError("referral", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.referral().at(), "referral.at", now));
  const v1::SafeguardingReferralMade& f = r.referral();
  RETURN_IF_ERROR(v::RequireText("referral.referred_to", f.referred_to(), kShortTextMax));
  RETURN_IF_ERROR(v::RequireText("referral.reason", f.reason(), kLongTextMax));
  RETURN_IF_ERROR(v::MaxCount("referral.child_refs", f.child_refs_size(), kMaxChildren));
  for (int k = 0; k < f.child_refs_size(); ++k) RETURN_IF_ERROR(LocalRef(v::Element("referral.child_refs", k), f.child_refs(k)));
  out.event_type = "police.SafeguardingReferralMade";
  *out.event.mutable_safeguarding_referral_made() = f;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::CloseCaseRequest& r, absl::Time now) {
  if (!r.has_closure()) return v::FieldError("closure", "is required");
  ASSIGN_OR_RETURN(ValidatedCommand out, Step(r, r.closure().at(), "closure.at", now));
  RETURN_IF_ERROR(v::RequireEnum("closure.closure", r.closure().closure(), v1::CaseClosure_descriptor()));
  if (r.closure().closure() == v1::CASE_WITHDRAWN) {
    RETURN_IF_ERROR(v::RequireText("closure.note", r.closure().note(), kLongTextMax));
  } else {
    RETURN_IF_ERROR(v::OptionalText("closure.note", r.closure().note(), kLongTextMax));
  }
  out.event_type = "police.DisclosureCaseClosed";
  *out.event.mutable_disclosure_case_closed() = r.closure();
  return out;
}

}  // namespace safeguard::police
