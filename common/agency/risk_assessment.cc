#include "common/agency/risk_assessment.h"

#include "absl/strings/str_cat.h"
#include "common/agency/stream_entries.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::agency {

namespace v = safeguard::validation;
using safeguard::v1::RiskLevel_descriptor;

std::optional<absl::CivilDay> CheckRiskAssessment(const safeguard::v1::RiskAssessmentCompleted& a, absl::CivilDay today,
                                                  v::Violations* problems) {
  problems->Check(v::RequireReference("assessment.assessment_ref", a.assessment_ref()));
  std::optional<absl::CivilDay> on = problems->Take(v::RequirePastDate("assessment.assessed_on", a.assessed_on(), today));
  problems->Check(v::RequireEnum("assessment.rosh_overall", a.rosh_overall(), RiskLevel_descriptor()));
  problems->Check(v::RequireEnum("assessment.rosh_children", a.rosh_children(), RiskLevel_descriptor()));
  if (a.rm2000_category() != safeguard::v1::RISK_LEVEL_UNSPECIFIED) {
    problems->Check(v::RequireEnum("assessment.rm2000_category", a.rm2000_category(), RiskLevel_descriptor()));
  }
  problems->Check(v::OptionalText("assessment.summary", a.summary(), 4000));
  return on;
}

constexpr char kAssessment[] = "assessment";

absl::Status AssessmentRefUnused(const StreamState& state, const std::string& ref) {
  ASSIGN_OR_RETURN(std::optional<std::string> recorded, RefState(state, kAssessment, ref));
  if (recorded.has_value()) {
    return absl::AlreadyExistsError(
        absl::StrCat("assessment.assessment_ref: '", ref, "' is already recorded for this person"));
  }
  return absl::OkStatus();
}

void FoldAssessment(const safeguard::v1::EventEnvelope& e, StreamState& state) {
  if (e.has_risk_assessment_completed()) SetRef(state, kAssessment, e.risk_assessment_completed().assessment_ref(), kRecorded);
}

void RetractAssessment(const safeguard::v1::CorrectableFact& retracted, StreamState& state) {
  if (retracted.type() != safeguard::v1::RiskAssessmentCompleted::descriptor()->full_name()) return;
  for (const safeguard::v1::FactReference& ref : retracted.references()) {
    if (ref.field() == "assessment_ref") SetRef(state, kAssessment, ref.value(), kRetracted);
  }
}

}  // namespace safeguard::agency
