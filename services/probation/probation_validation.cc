#include "services/probation/probation_validation.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/agency/corrections.h"
#include "common/agency/risk_assessment.h"
#include "common/validation.h"

namespace safeguard::probation {
namespace {

namespace v = safeguard::validation;
using namespace safeguard::v1;

constexpr size_t kShortTextMax = 200;
constexpr size_t kLongTextMax = 4000;

absl::Status RequireLevel(absl::string_view field, int value) {
  if (value == 0) return v::FieldError(field, "is required (1, 2 or 3)");
  if (value < 1 || value > 3) return v::FieldError(field, "must be 1, 2 or 3");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ValidatedCommand> Validate(const StartSupervisionRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out, &problems)) return problems.status();
  auto s = request.supervision();  // copy: the residence's postcode is normalised in place
  if (s.has_residence()) agency::CheckAddress("supervision.residence", s.mutable_residence(), &problems);
  problems.Check(v::RequireReference("supervision.supervision_ref", s.supervision_ref()));
  problems.Check(v::RequireEnum("supervision.kind", s.kind(), SupervisionKind_descriptor()));
  const std::optional<absl::CivilDay> start =
      problems.Take(v::RequirePastDate("supervision.start_date", s.start_date(), today));
  const std::optional<absl::CivilDay> end =
      problems.Take(v::RequireDate("supervision.expected_end_date", s.expected_end_date()));
  if (start && end && *end <= *start) {
    problems.Add("supervision.expected_end_date", "must be after supervision.start_date");
  }
  problems.Check(v::RequireText("supervision.probation_region", s.probation_region(), kShortTextMax));
  problems.Check(v::RequireText("supervision.offender_manager", s.offender_manager(), kShortTextMax));
  out.occurred_on = start.value_or(today);
  out.event_type = "probation.SupervisionStarted";
  *out.event.mutable_supervision_started() = s;
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const EndSupervisionRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out, &problems)) return problems.status();
  const auto& e = request.ending();
  problems.Check(v::RequireReference("ending.supervision_ref", e.supervision_ref()));
  const std::optional<absl::CivilDay> end = problems.Take(v::RequirePastDate("ending.end_date", e.end_date(), today));
  problems.Check(v::RequireEnum("ending.reason", e.reason(), SupervisionEndReason_descriptor()));
  out.occurred_on = end.value_or(today);
  out.event_type = "probation.SupervisionEnded";
  *out.event.mutable_supervision_ended() = e;
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const RecordRiskAssessmentRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out, &problems)) return problems.status();
  out.occurred_on = agency::CheckRiskAssessment(request.assessment(), today, &problems).value_or(today);
  out.event_type = "probation.RiskAssessmentCompleted";
  *out.event.mutable_risk_assessment_completed() = request.assessment();
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const SetLicenceConditionsRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out, &problems)) return problems.status();
  const auto& c = request.conditions();
  problems.Check(v::RequireReference("conditions.supervision_ref", c.supervision_ref()));
  const std::optional<absl::CivilDay> from =
      problems.Take(v::RequireDate("conditions.effective_date", c.effective_date()));
  if (c.conditions_size() == 0) problems.Add("conditions.conditions", "needs at least one condition");
  if (problems.Check(v::MaxCount("conditions.conditions", c.conditions_size(), 50))) {
    std::set<std::string> refs;
    for (int i = 0; i < c.conditions_size(); ++i) {
      const std::string base = v::Element("conditions.conditions", i);
      const auto& k = c.conditions(i);
      if (problems.Check(v::RequireReference(base + ".condition_ref", k.condition_ref())) &&
          !refs.insert(k.condition_ref()).second) {
        problems.Add(base + ".condition_ref", "repeats an earlier condition's reference");
      }
      problems.Check(v::RequireEnum(base + ".kind", k.kind(), LicenceConditionKind_descriptor()));
      problems.Check(v::RequireText(base + ".text", k.text(), kLongTextMax));
    }
  }
  out.occurred_on = from.value_or(today);
  out.event_type = "probation.LicenceConditionsSet";
  *out.event.mutable_licence_conditions_set() = c;
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const RecordLicenceBreachRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out, &problems)) return problems.status();
  const auto& b = request.breach();
  problems.Check(v::RequireReference("breach.supervision_ref", b.supervision_ref()));
  problems.Check(v::RequireReference("breach.condition_ref", b.condition_ref()));
  const std::optional<absl::CivilDay> when =
      problems.Take(v::RequirePastDate("breach.breach_date", b.breach_date(), today));
  problems.Check(v::RequireText("breach.description", b.description(), kLongTextMax));
  out.occurred_on = when.value_or(today);
  out.event_type = "probation.LicenceBreachRecorded";
  *out.event.mutable_licence_breach_recorded() = b;
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const RecordRecallRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out, &problems)) return problems.status();
  const auto& r = request.recall();
  problems.Check(v::RequireReference("recall.supervision_ref", r.supervision_ref()));
  const std::optional<absl::CivilDay> when =
      problems.Take(v::RequirePastDate("recall.recall_date", r.recall_date(), today));
  problems.Check(v::RequireEnum("recall.kind", r.kind(), RecallKind_descriptor()));
  problems.Check(v::RequireText("recall.reason", r.reason(), kLongTextMax));
  out.occurred_on = when.value_or(today);
  out.event_type = "probation.RecallRecorded";
  *out.event.mutable_recall_recorded() = r;
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const ProposeMappaCategoryLevelRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kProbation, &out, &problems)) return problems.status();
  const auto& p = request.proposal();
  problems.Check(RequireLevel("proposal.category", p.category()));
  problems.Check(RequireLevel("proposal.level", p.level()));
  const std::optional<absl::CivilDay> on =
      problems.Take(v::RequirePastDate("proposal.proposed_on", p.proposed_on(), today));
  problems.Check(v::RequireText("proposal.rationale", p.rationale(), kLongTextMax));
  out.occurred_on = on.value_or(today);
  out.event_type = "probation.MappaCategoryLevelProposed";
  *out.event.mutable_mappa_category_level_proposed() = p;
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const RecordCorrectionRequest& request, absl::CivilDay today) {
  return agency::ValidateCorrection(
      request, today, agency::SubjectKeying::kProbation,
      [today](const CommandHeader& h, const google::protobuf::Message& fact) -> absl::StatusOr<ValidatedCommand> {
        const auto validate = [today](const auto& r) { return Validate(r, today); };
        const google::protobuf::Descriptor* type = fact.GetDescriptor();
        if (type == SupervisionStarted::descriptor()) return agency::ValidateAs<StartSupervisionRequest>(h, fact, validate);
        if (type == SupervisionEnded::descriptor()) return agency::ValidateAs<EndSupervisionRequest>(h, fact, validate);
        if (type == RiskAssessmentCompleted::descriptor()) return agency::ValidateAs<RecordRiskAssessmentRequest>(h, fact, validate);
        if (type == LicenceConditionsSet::descriptor()) return agency::ValidateAs<SetLicenceConditionsRequest>(h, fact, validate);
        if (type == LicenceBreachRecorded::descriptor()) return agency::ValidateAs<RecordLicenceBreachRequest>(h, fact, validate);
        if (type == RecallRecorded::descriptor()) return agency::ValidateAs<RecordRecallRequest>(h, fact, validate);
        if (type == MappaCategoryLevelProposed::descriptor()) {
          return agency::ValidateAs<ProposeMappaCategoryLevelRequest>(h, fact, validate);
        }
        return absl::NotFoundError("not a probation fact");
      });
}

}  // namespace safeguard::probation
