#include "services/probation/probation_validation.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/agency/risk_assessment.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::probation {
namespace {

namespace v = safeguard::validation;
using namespace safeguard::v1;

constexpr size_t kShortTextMax = 200;
constexpr size_t kLongTextMax = 4000;

absl::Status RequireLevel(absl::string_view field, int value) {
  if (value < 1 || value > 3) return v::FieldError(field, "must be 1, 2 or 3");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ValidatedCommand> Validate(const StartSupervisionRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out));
  if (!request.has_supervision()) return v::FieldError("supervision", "is required");
  const auto& s = request.supervision();
  RETURN_IF_ERROR(v::RequireReference("supervision.supervision_ref", s.supervision_ref()));
  RETURN_IF_ERROR(v::RequireEnum("supervision.kind", s.kind(), SupervisionKind_descriptor()));
  ASSIGN_OR_RETURN(absl::CivilDay start, v::RequirePastDate("supervision.start_date", s.start_date(), today));
  ASSIGN_OR_RETURN(absl::CivilDay end, v::RequireDate("supervision.expected_end_date", s.expected_end_date()));
  if (end <= start) return v::FieldError("supervision.expected_end_date", "must be after start_date");
  RETURN_IF_ERROR(v::RequireText("supervision.probation_region", s.probation_region(), kShortTextMax));
  RETURN_IF_ERROR(v::RequireText("supervision.offender_manager", s.offender_manager(), kShortTextMax));
  out.occurred_on = start;
  out.event_type = "probation.SupervisionStarted";
  *out.event.mutable_supervision_started() = s;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const EndSupervisionRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out));
  if (!request.has_ending()) return v::FieldError("ending", "is required");
  const auto& e = request.ending();
  RETURN_IF_ERROR(v::RequireReference("ending.supervision_ref", e.supervision_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay end, v::RequirePastDate("ending.end_date", e.end_date(), today));
  RETURN_IF_ERROR(v::RequireEnum("ending.reason", e.reason(), SupervisionEndReason_descriptor()));
  out.occurred_on = end;
  out.event_type = "probation.SupervisionEnded";
  *out.event.mutable_supervision_ended() = e;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const RecordRiskAssessmentRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out));
  ASSIGN_OR_RETURN(out.occurred_on,
                   agency::CheckRiskAssessment(request.has_assessment(), request.assessment(), today));
  out.event_type = "probation.RiskAssessmentCompleted";
  *out.event.mutable_risk_assessment_completed() = request.assessment();
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const SetLicenceConditionsRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out));
  if (!request.has_conditions()) return v::FieldError("conditions", "is required");
  const auto& c = request.conditions();
  RETURN_IF_ERROR(v::RequireReference("conditions.supervision_ref", c.supervision_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay from, v::RequireDate("conditions.effective_date", c.effective_date()));
  if (c.conditions_size() == 0) return v::FieldError("conditions.conditions", "needs at least one condition");
  RETURN_IF_ERROR(v::MaxCount("conditions.conditions", c.conditions_size(), 50));
  std::set<std::string> refs;
  for (int i = 0; i < c.conditions_size(); ++i) {
    const std::string base = absl::StrCat("conditions.conditions[", i, "]");
    const auto& k = c.conditions(i);
    RETURN_IF_ERROR(v::RequireReference(base + ".condition_ref", k.condition_ref()));
    if (!refs.insert(k.condition_ref()).second) {
      return v::FieldError(base + ".condition_ref", "repeats an earlier condition's reference");
    }
    RETURN_IF_ERROR(v::RequireEnum(base + ".kind", k.kind(), LicenceConditionKind_descriptor()));
    RETURN_IF_ERROR(v::RequireText(base + ".text", k.text(), kLongTextMax));
  }
  out.occurred_on = from;
  out.event_type = "probation.LicenceConditionsSet";
  *out.event.mutable_licence_conditions_set() = c;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const RecordLicenceBreachRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out));
  if (!request.has_breach()) return v::FieldError("breach", "is required");
  const auto& b = request.breach();
  RETURN_IF_ERROR(v::RequireReference("breach.supervision_ref", b.supervision_ref()));
  RETURN_IF_ERROR(v::RequireReference("breach.condition_ref", b.condition_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay when, v::RequirePastDate("breach.breach_date", b.breach_date(), today));
  RETURN_IF_ERROR(v::RequireText("breach.description", b.description(), kLongTextMax));
  out.occurred_on = when;
  out.event_type = "probation.LicenceBreachRecorded";
  *out.event.mutable_licence_breach_recorded() = b;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const RecordRecallRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out));
  if (!request.has_recall()) return v::FieldError("recall", "is required");
  const auto& r = request.recall();
  RETURN_IF_ERROR(v::RequireReference("recall.supervision_ref", r.supervision_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay when, v::RequirePastDate("recall.recall_date", r.recall_date(), today));
  RETURN_IF_ERROR(v::RequireEnum("recall.kind", r.kind(), RecallKind_descriptor()));
  RETURN_IF_ERROR(v::RequireText("recall.reason", r.reason(), kLongTextMax));
  out.occurred_on = when;
  out.event_type = "probation.RecallRecorded";
  *out.event.mutable_recall_recorded() = r;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const ProposeMappaCategoryLevelRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out));
  if (!request.has_proposal()) return v::FieldError("proposal", "is required");
  const auto& p = request.proposal();
  RETURN_IF_ERROR(RequireLevel("proposal.category", p.category()));
  RETURN_IF_ERROR(RequireLevel("proposal.level", p.level()));
  ASSIGN_OR_RETURN(absl::CivilDay on, v::RequirePastDate("proposal.proposed_on", p.proposed_on(), today));
  RETURN_IF_ERROR(v::RequireText("proposal.rationale", p.rationale(), kLongTextMax));
  out.occurred_on = on;
  out.event_type = "probation.MappaCategoryLevelProposed";
  *out.event.mutable_mappa_category_level_proposed() = p;
  return out;
}

}  // namespace safeguard::probation
