#include "services/probation/probation_commands.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/agency/corrections.h"
#include "common/agency/risk_assessment.h"
#include "common/status_macros.h"
#include "services/probation/probation_stream_state.h"
#include "services/probation/probation_validation.h"

namespace safeguard::probation {
namespace {

using namespace safeguard::v1;

// The supervision `ref` must have started and not ended.
absl::StatusOr<SupervisionState> ActiveSupervision(const StreamState& state, const std::string& field,
                                                   const std::string& ref) {
  ASSIGN_OR_RETURN(std::optional<SupervisionState> s, SupervisionOf(state, ref));
  if (!s.has_value() || s->kind() == SUPERVISION_KIND_UNSPECIFIED) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, ": no supervision '", ref, "' has been started for this person; start it first"));
  }
  if (s->ended()) {
    return absl::FailedPreconditionError(absl::StrCat(field, ": supervision '", ref, "' has ended"));
  }
  return *s;
}

}  // namespace

ProbationCommands::ProbationCommands(EventStore* store, Clock clock)
    : submitter_(store, AGENCY_PROBATION, "probation", std::move(clock)) {}

void ProbationCommands::Handle(const StartSupervisionRequest& request, const CallContext& call, Done done) {
  const std::string ref = request.supervision().supervision_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const StreamState& state) -> absl::Status {
                      ASSIGN_OR_RETURN(std::optional<SupervisionState> s, SupervisionOf(state, ref));
                      if (s.has_value()) {
                        return absl::AlreadyExistsError(absl::StrCat(
                            "supervision.supervision_ref: '", ref, "' is already recorded for this person"));
                      }
                      return absl::OkStatus();
                    },
                    std::move(done));
}

void ProbationCommands::Handle(const EndSupervisionRequest& request, const CallContext& call, Done done) {
  const std::string ref = request.ending().supervision_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const StreamState& state) {
                      return ActiveSupervision(state, "ending.supervision_ref", ref).status();
                    },
                    std::move(done));
}

void ProbationCommands::Handle(const RecordRiskAssessmentRequest& request, const CallContext& call,
                               Done done) {
  const std::string ref = request.assessment().assessment_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const StreamState& state) { return agency::AssessmentRefUnused(state, ref); },
                    std::move(done));
}

void ProbationCommands::Handle(const SetLicenceConditionsRequest& request, const CallContext& call,
                               Done done) {
  const std::string ref = request.conditions().supervision_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const StreamState& state) {
                      return ActiveSupervision(state, "conditions.supervision_ref", ref).status();
                    },
                    std::move(done));
}

void ProbationCommands::Handle(const RecordLicenceBreachRequest& request, const CallContext& call,
                               Done done) {
  const std::string ref = request.breach().supervision_ref();
  const std::string condition = request.breach().condition_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref, condition](const StreamState& state) -> absl::Status {
                      ASSIGN_OR_RETURN(const SupervisionState s, ActiveSupervision(state, "breach.supervision_ref", ref));
                      if (std::find(s.condition_refs().begin(), s.condition_refs().end(), condition) ==
                          s.condition_refs().end()) {
                        return absl::FailedPreconditionError(absl::StrCat(
                            "breach.condition_ref: supervision '", ref, "' has no current condition '",
                            condition, "'"));
                      }
                      return absl::OkStatus();
                    },
                    std::move(done));
}

void ProbationCommands::Handle(const RecordRecallRequest& request, const CallContext& call, Done done) {
  const std::string ref = request.recall().supervision_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const StreamState& state) -> absl::Status {
                      ASSIGN_OR_RETURN(const SupervisionState s, ActiveSupervision(state, "recall.supervision_ref", ref));
                      if (s.kind() != LICENCE) {
                        return absl::FailedPreconditionError(absl::StrCat(
                            "recall.supervision_ref: supervision '", ref, "' is not a licence; only a licence can be recalled"));
                      }
                      return absl::OkStatus();
                    },
                    std::move(done));
}

void ProbationCommands::Handle(const ProposeMappaCategoryLevelRequest& request, const CallContext& call,
                               Done done) {
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call, nullptr,
                    std::move(done));
}

void ProbationCommands::Handle(const RecordCorrectionRequest& request, const CallContext& call, Done done) {
  const FactCorrected correction = request.correction();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [correction](const StreamState& state) { return agency::CheckCorrection(correction, state); },
                    std::move(done));
}

}  // namespace safeguard::probation
