#include "common/agency/data_protection_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/privacy/decisions.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::agency {
namespace {

namespace v = safeguard::validation;
namespace v1 = safeguard::v1;

constexpr size_t kReasonMax = 2000;

}  // namespace

const char* DecisionEventName(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kErasure:
      return "ErasureDecided";
    case DecisionKind::kRestriction:
      return "RestrictionDecided";
    case DecisionKind::kLift:
      return "RestrictionLifted";
    case DecisionKind::kRetain:
      return "RetentionReviewed";
  }
  return "";
}

namespace data_protection {

absl::StatusOr<ValidatedCommand> Validate(const v1::DataProtectionRequest& r, DecisionKind kind,
                                          SubjectKeying keying, absl::CivilDay today, const std::string& caller_user) {
  using Kind = DecisionKind;
  v::Violations problems;
  problems.Check(v::CommandId("command_id", r.command_id()));
  std::optional<std::vector<std::string>> keys = problems.Take(SubjectKeysOf(r.subject(), keying, today));
  switch (kind) {
    case Kind::kErasure:
      if (!privacy::IsErasureBasis(r.basis())) {
        problems.Add("basis", "must be an erasure's basis (ERASURE_PROCESSING_UNLAWFUL, ERASURE_LEGAL_OBLIGATION, "
                              "ERASURE_COURT_ORDER, ERASURE_COMMISSIONER_ORDER or ERASURE_REVIEW_DISPOSAL)");
      }
      break;
    case Kind::kRestriction:
      if (!privacy::IsRestrictionBasis(r.basis())) {
        problems.Add("basis", "must be a restriction's basis (RESTRICTION_EVIDENCE, RESTRICTION_ACCURACY_CONTESTED, "
                              "RESTRICTION_COURT_ORDER or RESTRICTION_REVIEW)");
      }
      break;
    case Kind::kLift:
      if (!privacy::IsRestrictionBasis(r.basis())) {
        problems.Add("basis", "must be the basis of the restriction lifted (RESTRICTION_...)");
      }
      break;
    case Kind::kRetain:
      if (r.basis() != v1::RETAINED_AFTER_REVIEW) problems.Add("basis", "must be RETAINED_AFTER_REVIEW");
      break;
  }
  // The reason outlives an erasure: it must not name whom it is about.
  if (problems.Check(v::RequireText("reason", r.reason(), kReasonMax)) && keys.has_value()) {
    const v1::SubjectRef& s = r.subject();
    for (const std::string& named : {s.pnc_id(), s.visor_ref(), s.probation_case_ref(), s.childrens_case_id(),
                                     s.given_name(), s.family_name(), s.date_of_birth()}) {
      if (named.size() >= 3 && absl::StrContains(absl::AsciiStrToLower(r.reason()), absl::AsciiStrToLower(named))) {
        problems.Add("reason", "must not name the subject (it is kept after an erasure): it gives " + named);
        break;
      }
    }
  }
  if (problems.Check(v::RequireText("approved_by", r.approved_by(), v::kNameMax)) &&
      r.approved_by() == caller_user) {
    problems.Add("approved_by", absl::StrCat("must name someone other than the officer recording the decision (",
                                             caller_user, ")"));
  }
  RETURN_IF_ERROR(problems.status());
  ValidatedCommand valid;
  valid.subject = NormaliseSubject("subject", r.subject(), today, &problems);
  valid.subject_key = keys->front();
  valid.occurred_on = today;
  valid.event_type = DecisionEventName(kind);
  v1::DataProtectionDecision* decision = nullptr;
  switch (kind) {
    case Kind::kErasure:
      decision = valid.event.mutable_erasure_decided()->mutable_decision();
      break;
    case Kind::kRestriction:
      decision = valid.event.mutable_restriction_decided()->mutable_decision();
      break;
    case Kind::kLift:
      decision = valid.event.mutable_restriction_lifted()->mutable_decision();
      break;
    case Kind::kRetain:
      decision = valid.event.mutable_retention_reviewed()->mutable_decision();
      break;
  }
  decision->set_basis(r.basis());
  decision->set_reason(r.reason());
  decision->set_approved_by(r.approved_by());
  *valid.event.mutable_subject() = valid.subject;
  valid.event.set_subject_key(valid.subject_key);
  return valid;
}

}  // namespace data_protection

}  // namespace safeguard::agency
