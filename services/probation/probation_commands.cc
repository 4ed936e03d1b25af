#include "services/probation/probation_commands.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/agency/risk_assessment.h"
#include "services/probation/probation_validation.h"

namespace safeguard::probation {
namespace {

using namespace safeguard::v1;

// What the person's probation stream says about one supervision.
struct Supervision {
  SupervisionKind kind = SUPERVISION_KIND_UNSPECIFIED;
  bool ended = false;
  std::set<std::string> condition_refs;  // the current set
};

std::map<std::string, Supervision> Supervisions(const std::vector<EventEnvelope>& events) {
  std::map<std::string, Supervision> out;
  for (const auto& e : events) {
    if (e.has_supervision_started()) {
      out[e.supervision_started().supervision_ref()].kind = e.supervision_started().kind();
    } else if (e.has_supervision_ended()) {
      out[e.supervision_ended().supervision_ref()].ended = true;
    } else if (e.has_licence_conditions_set()) {
      auto& s = out[e.licence_conditions_set().supervision_ref()];
      s.condition_refs.clear();
      for (const auto& c : e.licence_conditions_set().conditions()) s.condition_refs.insert(c.condition_ref());
    }
  }
  return out;
}

// The supervision `ref` must have started and not ended.
absl::StatusOr<Supervision> ActiveSupervision(const std::vector<EventEnvelope>& events,
                                              const std::string& field, const std::string& ref) {
  auto all = Supervisions(events);
  auto it = all.find(ref);
  if (it == all.end() || it->second.kind == SUPERVISION_KIND_UNSPECIFIED) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, ": no supervision '", ref, "' has been started for this person; start it first"));
  }
  if (it->second.ended) {
    return absl::FailedPreconditionError(absl::StrCat(field, ": supervision '", ref, "' has ended"));
  }
  return it->second;
}

}  // namespace

ProbationCommands::ProbationCommands(EventStore* store, Clock clock)
    : submitter_(store, AGENCY_PROBATION, "probation", std::move(clock)) {}

void ProbationCommands::Handle(const StartSupervisionRequest& request, const CallContext& call, Done done) {
  const std::string ref = request.supervision().supervision_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const std::vector<EventEnvelope>& events) {
                      if (Supervisions(events).contains(ref)) {
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
                    [ref](const std::vector<EventEnvelope>& events) {
                      return ActiveSupervision(events, "ending.supervision_ref", ref).status();
                    },
                    std::move(done));
}

void ProbationCommands::Handle(const RecordRiskAssessmentRequest& request, const CallContext& call,
                               Done done) {
  const std::string ref = request.assessment().assessment_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const std::vector<EventEnvelope>& events) {
                      return agency::AssessmentRefUnused(events, ref);
                    },
                    std::move(done));
}

void ProbationCommands::Handle(const SetLicenceConditionsRequest& request, const CallContext& call,
                               Done done) {
  const std::string ref = request.conditions().supervision_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const std::vector<EventEnvelope>& events) {
                      return ActiveSupervision(events, "conditions.supervision_ref", ref).status();
                    },
                    std::move(done));
}

void ProbationCommands::Handle(const RecordLicenceBreachRequest& request, const CallContext& call,
                               Done done) {
  const std::string ref = request.breach().supervision_ref();
  const std::string condition = request.breach().condition_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref, condition](const std::vector<EventEnvelope>& events) -> absl::Status {
                      absl::StatusOr<Supervision> s = ActiveSupervision(events, "breach.supervision_ref", ref);
                      if (!s.ok()) return s.status();
                      if (!s->condition_refs.contains(condition)) {
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
                    [ref](const std::vector<EventEnvelope>& events) -> absl::Status {
                      absl::StatusOr<Supervision> s = ActiveSupervision(events, "recall.supervision_ref", ref);
                      if (!s.ok()) return s.status();
                      if (s->kind != LICENCE) {
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

}  // namespace safeguard::probation
