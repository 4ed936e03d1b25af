#include "common/disclosure/disclosure_case.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/enum_name.h"
#include "common/provenance.h"
#include "common/status_macros.h"
#include "common/time_util.h"
#include "common/validation.h"

namespace safeguard::disclosure {
namespace {

using safeguard::v1::DisclosureCase;
using safeguard::v1::DisclosureCaseState;
using safeguard::v1::EventEnvelope;
namespace v1 = safeguard::v1;

constexpr char kStreamPrefix[] = "disclosure/";
constexpr char kKeyPrefix[] = "disclosure:";

absl::Status Illegal(absl::string_view field, const DisclosureCase& c, absl::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrCat(field, ": case ", c.case_ref(), " is ", EnumName(c.state()), "; ", why));
}

bool Delivered(const DisclosureCase& c, const std::string& recipient_ref) {
  return std::any_of(c.deliveries().begin(), c.deliveries().end(),
                     [&](const auto& d) { return d.recipient_ref() == recipient_ref; });
}

const v1::DisclosureRecipient* FindRecipient(const DisclosureCase& c, const std::string& ref) {
  for (const auto& r : c.decision().recipients()) {
    if (r.party().party_ref() == ref) return &r;
  }
  return nullptr;
}

bool HasChild(const DisclosureCase& c, const std::string& child_ref) {
  auto in = [&](const auto& children) {
    return std::any_of(children.begin(), children.end(), [&](const auto& x) { return x.child_ref() == child_ref; });
  };
  return in(c.enquiry().children()) || in(c.application().children());
}

bool Disclosing(const DisclosureCase& c) {
  return c.decision().outcome() == v1::DISCLOSE || c.decision().outcome() == v1::PARTIAL_DISCLOSURE;
}

// Right to Ask with an identified applicant who made an application: a letter is owed
// when nothing is disclosed.
bool LetterOwed(const DisclosureCase& c) {
  return c.enquiry().route() == v1::RIGHT_TO_ASK && c.has_application();
}

// Whether `party_ref` has been given the case's outcome: told it, sent the non-disclosure
// letter, or (a recipient) given the disclosure.
bool Told(const DisclosureCase& c, const std::string& party_ref) {
  if (Delivered(c, party_ref)) return true;
  if (c.has_non_disclosure_letter() && c.non_disclosure_letter().addressed_to() == party_ref) return true;
  return std::any_of(c.applicant_outcomes().begin(), c.applicant_outcomes().end(),
                     [&](const auto& o) { return o.party_ref() == party_ref; });
}

// The outcome the applicant is told in the case's state; unspecified while it has none
// (or when they are a recipient, whose delivery is their outcome).
v1::ApplicantOutcome OutcomeDue(const DisclosureCase& c) {
  switch (c.state()) {
    case v1::OUT_OF_SCOPE: return v1::TOLD_OUT_OF_SCOPE;
    case v1::INELIGIBLE: return v1::TOLD_NOT_ELIGIBLE;
    case v1::DECIDED:
    case v1::DISCLOSURE_DELIVERED:
    case v1::NON_DISCLOSURE_LETTER_SENT:
      if (!Disclosing(c)) return v1::TOLD_NO_DISCLOSURE;
      return FindRecipient(c, ApplicantRef(c)) == nullptr ? v1::TOLD_SHARED_WITH_ANOTHER
                                                           : v1::APPLICANT_OUTCOME_UNSPECIFIED;
    default: return v1::APPLICANT_OUTCOME_UNSPECIFIED;
  }
}

// Who is still owed the outcome, in the case's state (common/disclosure's
// DisclosureCase.outcomes_owed).
std::vector<std::string> Owed(const DisclosureCase& c) {
  std::vector<std::string> owed;
  if (c.state() == v1::CLOSED) return owed;
  const std::string applicant = ApplicantRef(c);
  if (!applicant.empty() && OutcomeDue(c) != v1::APPLICANT_OUTCOME_UNSPECIFIED && !Told(c, applicant)) {
    owed.push_back(absl::StrCat(c.has_application() ? "applicant " : "enquirer ", applicant,
                                ": not yet told the outcome (", EnumName(OutcomeDue(c)), ")"));
  }
  if (c.state() == v1::DECIDED && Disclosing(c)) {
    for (const auto& r : c.decision().recipients()) {
      if (!Delivered(c, r.party().party_ref())) {
        owed.push_back(absl::StrCat("recipient ", r.party().party_ref(), ": disclosure not yet delivered"));
      }
    }
  }
  return owed;
}

}  // namespace

std::string ApplicantRef(const DisclosureCase& c) {
  if (c.enquiry().route() != v1::RIGHT_TO_ASK || c.enquiry().anonymous()) return "";
  if (c.has_application()) return c.application().applicant().party_ref();
  return c.enquiry().enquirer().party_ref();
}

absl::StatusOr<std::string> NormaliseCaseRef(absl::string_view field, absl::string_view value) {
  std::string v = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(value));
  if (v.empty()) return validation::FieldError(field, "is required (4-40 letters, digits, '-' and '/')");
  bool ok = v.size() >= 4 && v.size() <= 40;
  for (char c : v) ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '/');
  if (!ok) return validation::FieldError(field, "must be a reference of 4-40 letters, digits, '-' and '/'");
  return v;
}

std::string CaseStreamId(const std::string& case_ref) { return absl::StrCat(kStreamPrefix, case_ref); }
std::string CaseKey(const std::string& case_ref) { return absl::StrCat(kKeyPrefix, case_ref); }

std::string CaseRefOf(const std::string& stream_or_key) {
  for (absl::string_view prefix : {absl::string_view(kStreamPrefix), absl::string_view(kKeyPrefix)}) {
    if (absl::StartsWith(stream_or_key, prefix)) return stream_or_key.substr(prefix.size());
  }
  return "";
}

bool IsCaseEvent(const EventEnvelope& e) {
  const int n = static_cast<int>(e.payload_case());
  return n >= EventEnvelope::kDisclosureEnquiryReceived && n <= 139;
}

google::protobuf::Timestamp StepTime(const EventEnvelope& e) {
  switch (e.payload_case()) {
    case EventEnvelope::kDisclosureEnquiryReceived: return e.disclosure_enquiry_received().at();
    case EventEnvelope::kDisclosureInitialChecksCompleted: return e.disclosure_initial_checks_completed().at();
    case EventEnvelope::kDisclosureApplicationMade: return e.disclosure_application_made().at();
    case EventEnvelope::kDisclosureApplicantInterviewed: return e.disclosure_applicant_interviewed().at();
    case EventEnvelope::kDisclosureRiskAssessed: return e.disclosure_risk_assessed().at();
    case EventEnvelope::kDisclosureDecided: return e.disclosure_decided().at();
    case EventEnvelope::kDisclosureDelivered: return e.disclosure_delivered().at();
    case EventEnvelope::kNonDisclosureLetterSent: return e.non_disclosure_letter_sent().at();
    case EventEnvelope::kProtectiveActionTaken: return e.protective_action_taken().at();
    case EventEnvelope::kSafeguardingReferralMade: return e.safeguarding_referral_made().at();
    case EventEnvelope::kDisclosureCaseClosed: return e.disclosure_case_closed().at();
    case EventEnvelope::kDisclosureApplicantInformed: return e.disclosure_applicant_informed().at();
    default: return google::protobuf::Timestamp();
  }
}

bool ApplicantVerified(const DisclosureCase& c) {
  if (c.enquiry().route() == v1::RIGHT_TO_KNOW) return true;
  return c.has_application() && c.interview().identity_verified();
}

absl::Status CheckStep(const DisclosureCase& c, const EventEnvelope& e) {
  if (e.has_disclosure_enquiry_received()) {
    if (c.version() > 0) {
      return absl::AlreadyExistsError(absl::StrCat("header.case_ref: case ", c.case_ref(), " already exists"));
    }
    return absl::OkStatus();
  }
  if (c.version() == 0) {
    return absl::NotFoundError(absl::StrCat("header.case_ref: no case ", CaseRefOf(e.stream_id()),
                                            " exists; it opens with ReceiveEnquiry"));
  }
  // Every step happens at or after the enquiry.
  const google::protobuf::Timestamp at = StepTime(e);
  if (FromProtoTimestamp(at) < FromProtoTimestamp(c.enquiry().at())) {
    return absl::InvalidArgumentError(absl::StrCat("at: is before the enquiry of case ", c.case_ref(), " (",
                                                   FormatTimestamp(c.enquiry().at()), ")"));
  }
  const DisclosureCaseState s = c.state();
  const bool ask = c.enquiry().route() == v1::RIGHT_TO_ASK;

  if (e.has_safeguarding_referral_made()) {  // any state, closed included
    for (const std::string& child : e.safeguarding_referral_made().child_refs()) {
      if (!HasChild(c, child)) {
        return absl::InvalidArgumentError(
            absl::StrCat("referral.child_refs: case ", c.case_ref(), " has no child '", child, "'"));
      }
    }
    return absl::OkStatus();
  }
  if (s == v1::CLOSED) return Illegal("header.case_ref", c, "a closed case takes no further step");

  switch (e.payload_case()) {
    case EventEnvelope::kDisclosureInitialChecksCompleted:
      if (s != v1::ENQUIRY_RECEIVED) return Illegal("checks", c, "initial checks follow the enquiry, once");
      return absl::OkStatus();

    case EventEnvelope::kDisclosureApplicationMade:
      if (!ask) return Illegal("application", c, "a Right to Know case has no application");
      if (s != v1::INITIAL_CHECKS_COMPLETE) {
        return Illegal("application", c, "an application follows initial checks that found the enquiry in scope");
      }
      return absl::OkStatus();

    case EventEnvelope::kDisclosureApplicantInterviewed:
      if (s != v1::APPLICATION_RECEIVED) return Illegal("interview", c, "the interview follows an eligible application");
      return absl::OkStatus();

    case EventEnvelope::kDisclosureRiskAssessed: {
      // Right to Ask: after the interview. Right to Know, or an anonymous enquiry (no
      // application can follow), straight after initial checks.
      const bool direct = !ask || c.enquiry().anonymous();
      if (s == v1::APPLICANT_INTERVIEWED || (direct && s == v1::INITIAL_CHECKS_COMPLETE)) return absl::OkStatus();
      return Illegal("assessment", c,
                     direct ? "the full risk assessment follows initial checks that found the case in scope"
                            : "the full risk assessment follows the applicant's interview");
    }

    case EventEnvelope::kDisclosureDecided:
      if (s != v1::RISK_ASSESSED) return Illegal("decision", c, "the decision follows the full risk assessment");
      if (e.disclosure_decided().outcome() != v1::NO_DISCLOSURE && !ApplicantVerified(c)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "decision.outcome: case ", c.case_ref(),
            " has no applicant whose identity was verified at interview; an anonymous or unverified applicant "
            "gets no disclosure (safeguarding action continues)"));
      }
      return absl::OkStatus();

    case EventEnvelope::kDisclosureDelivered: {
      const v1::DisclosureDelivered& d = e.disclosure_delivered();
      if (s != v1::DECIDED || !Disclosing(c)) {
        return Illegal("delivery", c, "a disclosure is delivered after a decision to disclose");
      }
      const v1::DisclosureRecipient* r = FindRecipient(c, d.recipient_ref());
      if (r == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("delivery.recipient_ref: '", d.recipient_ref(),
                                                       "' is not a recipient named in the decision"));
      }
      if (Delivered(c, d.recipient_ref())) {
        return absl::FailedPreconditionError(
            absl::StrCat("delivery.recipient_ref: '", d.recipient_ref(), "' has already received the disclosure"));
      }
      if (d.wording_delivered() != c.decision().approved_wording()) {
        return absl::FailedPreconditionError(
            "delivery.wording_delivered: differs from the approved wording; only the exact approved words may be "
            "disclosed");
      }
      return absl::OkStatus();
    }

    case EventEnvelope::kNonDisclosureLetterSent:
      if (s != v1::DECIDED || c.decision().outcome() != v1::NO_DISCLOSURE) {
        return Illegal("letter", c, "a non-disclosure letter follows a decision not to disclose");
      }
      if (!LetterOwed(c)) return Illegal("letter", c, "only a Right to Ask applicant is sent a letter");
      if (Told(c, ApplicantRef(c))) return Illegal("letter", c, "the applicant has already been told the outcome");
      if (e.non_disclosure_letter_sent().addressed_to() != c.application().applicant().party_ref()) {
        return absl::InvalidArgumentError(absl::StrCat("letter.addressed_to: the letter goes to the applicant, '",
                                                       c.application().applicant().party_ref(), "'"));
      }
      return absl::OkStatus();

    case EventEnvelope::kDisclosureApplicantInformed: {
      const v1::DisclosureApplicantInformed& o = e.disclosure_applicant_informed();
      const std::string applicant = ApplicantRef(c);
      if (applicant.empty()) {
        return Illegal("outcome", c,
                       "nobody applied who can be told an outcome (a Right to Know case, or an anonymous enquiry)");
      }
      if (o.party_ref() != applicant) {
        return absl::InvalidArgumentError(absl::StrCat("outcome.party_ref: the outcome goes to the ",
                                                       c.has_application() ? "applicant" : "enquirer", ", '",
                                                       applicant, "'"));
      }
      const v1::ApplicantOutcome due = OutcomeDue(c);
      if (due == v1::APPLICANT_OUTCOME_UNSPECIFIED) {
        return Illegal("outcome", c,
                       FindRecipient(c, applicant) != nullptr && Disclosing(c)
                           ? "the applicant is a recipient of the disclosure: its delivery is their outcome"
                           : "the case has no outcome to tell yet (it follows initial checks out of scope, an "
                             "ineligible application, or the decision)");
      }
      if (Told(c, applicant)) {
        return absl::FailedPreconditionError(
            absl::StrCat("outcome.party_ref: '", applicant, "' has already been told the outcome of case ", c.case_ref()));
      }
      if (o.outcome() != due) {
        return absl::InvalidArgumentError(absl::StrCat("outcome.outcome: case ", c.case_ref(), " is ", EnumName(s),
                                                       "; what the applicant is told is ", EnumName(due)));
      }
      return absl::OkStatus();
    }

    case EventEnvelope::kProtectiveActionTaken:
      return absl::OkStatus();  // any open state

    case EventEnvelope::kDisclosureCaseClosed: {
      if (e.disclosure_case_closed().closure() == v1::CASE_WITHDRAWN) return absl::OkStatus();
      const bool run_its_course = s == v1::OUT_OF_SCOPE || s == v1::INELIGIBLE || s == v1::DISCLOSURE_DELIVERED ||
                                  s == v1::NON_DISCLOSURE_LETTER_SENT ||
                                  (s == v1::DECIDED && c.decision().outcome() == v1::NO_DISCLOSURE);
      if (!run_its_course) {
        return Illegal("closure.closure", c,
                       s == v1::DECIDED ? "every recipient must receive the disclosure first"
                                        : "the case has not run its course (CASE_WITHDRAWN closes it early)");
      }
      if (const std::vector<std::string> owed = Owed(c); !owed.empty()) {
        return Illegal("closure.closure", c,
                       absl::StrCat("everyone is told the outcome before the case is completed; still owed: ",
                                    absl::StrJoin(owed, "; ")));
      }
      return absl::OkStatus();
    }

    default:
      return absl::InvalidArgumentError("event: is not a step of a disclosure case");
  }
}

void ApplyStep(const EventEnvelope& e, DisclosureCase* c) {
  if (c->case_ref().empty()) c->set_case_ref(CaseRefOf(e.stream_id()));
  c->set_version(e.stream_version());
  *c->add_history() = ProvenanceOf(e);
  switch (e.payload_case()) {
    case EventEnvelope::kDisclosureEnquiryReceived:
      *c->mutable_enquiry() = e.disclosure_enquiry_received();
      c->set_state(v1::ENQUIRY_RECEIVED);
      break;
    case EventEnvelope::kDisclosureInitialChecksCompleted:
      *c->mutable_initial_checks() = e.disclosure_initial_checks_completed();
      c->set_state(e.disclosure_initial_checks_completed().in_scope() ? v1::INITIAL_CHECKS_COMPLETE
                                                                       : v1::OUT_OF_SCOPE);
      break;
    case EventEnvelope::kDisclosureApplicationMade:
      *c->mutable_application() = e.disclosure_application_made();
      c->set_state(e.disclosure_application_made().eligible() ? v1::APPLICATION_RECEIVED : v1::INELIGIBLE);
      break;
    case EventEnvelope::kDisclosureApplicantInterviewed:
      *c->mutable_interview() = e.disclosure_applicant_interviewed();
      c->set_state(v1::APPLICANT_INTERVIEWED);
      break;
    case EventEnvelope::kDisclosureRiskAssessed:
      *c->mutable_risk_assessment() = e.disclosure_risk_assessed();
      c->set_state(v1::RISK_ASSESSED);
      break;
    case EventEnvelope::kDisclosureDecided:
      *c->mutable_decision() = e.disclosure_decided();
      c->set_state(v1::DECIDED);
      break;
    case EventEnvelope::kDisclosureDelivered: {
      *c->add_deliveries() = e.disclosure_delivered();
      const bool all = std::all_of(c->decision().recipients().begin(), c->decision().recipients().end(),
                                   [&](const auto& r) { return Delivered(*c, r.party().party_ref()); });
      if (all) c->set_state(v1::DISCLOSURE_DELIVERED);
      break;
    }
    case EventEnvelope::kNonDisclosureLetterSent:
      *c->mutable_non_disclosure_letter() = e.non_disclosure_letter_sent();
      c->set_state(v1::NON_DISCLOSURE_LETTER_SENT);
      break;
    case EventEnvelope::kProtectiveActionTaken:
      *c->add_protective_actions() = e.protective_action_taken();
      break;
    case EventEnvelope::kSafeguardingReferralMade:
      *c->add_safeguarding_referrals() = e.safeguarding_referral_made();
      break;
    case EventEnvelope::kDisclosureCaseClosed:
      *c->mutable_closure() = e.disclosure_case_closed();
      c->set_state(v1::CLOSED);
      break;
    case EventEnvelope::kDisclosureApplicantInformed:
      *c->add_applicant_outcomes() = e.disclosure_applicant_informed();
      break;
    default:
      break;  // a step this build does not know: counted in the history only
  }
  c->clear_outcomes_owed();
  for (std::string& owed : Owed(*c)) c->add_outcomes_owed(std::move(owed));
}

std::vector<v1::DisclosureDeadline> DeadlinesOf(const DisclosureCase& c, const Deadlines& deadlines,
                                                absl::Time now) {
  std::vector<v1::DisclosureDeadline> out;
  if (!c.has_enquiry()) return out;
  const absl::Time opened = FromProtoTimestamp(c.enquiry().at());
  const bool closed = c.state() == v1::CLOSED;
  auto add = [&](v1::DisclosureStage stage, absl::Duration within, const google::protobuf::Timestamp* met) {
    v1::DisclosureDeadline d;
    d.set_stage(stage);
    const absl::Time due = opened + within;
    *d.mutable_due_at() = ToProtoTimestamp(due);
    if (met != nullptr) {
      *d.mutable_met_at() = *met;
      d.set_overdue(FromProtoTimestamp(*met) > due);
    } else {
      d.set_overdue(now > due);
    }
    out.push_back(std::move(d));
  };
  const bool ended_early = c.initial_checks().has_at() && !c.initial_checks().in_scope();
  const bool ineligible = c.has_application() && !c.application().eligible();

  add(v1::STAGE_INITIAL_CHECKS, deadlines.initial_checks,
      c.initial_checks().has_at() ? &c.initial_checks().at() : nullptr);
  const bool interview_owed = c.enquiry().route() == v1::RIGHT_TO_ASK && !c.enquiry().anonymous() &&
                              !ended_early && !ineligible;
  if (c.interview().has_at() || (interview_owed && !closed && !c.risk_assessment().has_at())) {
    add(v1::STAGE_INTERVIEW, deadlines.interview, c.interview().has_at() ? &c.interview().at() : nullptr);
  }
  if (c.risk_assessment().has_at() || (!ended_early && !ineligible && !closed)) {
    add(v1::STAGE_RISK_ASSESSMENT, deadlines.risk_assessment,
        c.risk_assessment().has_at() ? &c.risk_assessment().at() : nullptr);
  }
  add(v1::STAGE_WHOLE_CASE, deadlines.whole_case, closed ? &c.closure().at() : nullptr);
  return out;
}

namespace {
constexpr char kCaseEntry[] = "case";
}  // namespace

absl::StatusOr<DisclosureCase> CaseOf(const StreamState& state) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, state.Get(kCaseEntry));
  DisclosureCase c;
  if (bytes.has_value() && !c.ParseFromString(*bytes)) return absl::DataLossError("stored disclosure case is unreadable");
  return c;
}

absl::Status FoldCaseStep(const EventEnvelope& e, StreamState& state) {
  ASSIGN_OR_RETURN(DisclosureCase c, CaseOf(state));
  ApplyStep(e, &c);
  state.Put(kCaseEntry, c.SerializeAsString());
  return absl::OkStatus();
}

}  // namespace safeguard::disclosure
