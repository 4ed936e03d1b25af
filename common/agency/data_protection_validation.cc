#include "common/agency/data_protection_validation.h"

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
      if (!privacy::IsErasureBasis(r.basis()) && !privacy::IsRestrictionBasis(r.basis())) {
        problems.Add("basis", "is required: why the restriction ends");
      }
      break;
  }
  problems.Check(v::RequireText("reason", r.reason(), kReasonMax));
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
  v1::DataProtectionDecision* decision = kind == Kind::kErasure ? valid.event.mutable_erasure_decided()->mutable_decision()
                                         : kind == Kind::kRestriction
                                             ? valid.event.mutable_restriction_decided()->mutable_decision()
                                             : valid.event.mutable_restriction_lifted()->mutable_decision();
  decision->set_basis(r.basis());
  decision->set_reason(r.reason());
  decision->set_approved_by(r.approved_by());
  *valid.event.mutable_subject() = valid.subject;
  valid.event.set_subject_key(valid.subject_key);
  return valid;
}

}  // namespace data_protection

}  // namespace safeguard::agency
