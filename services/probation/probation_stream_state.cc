#include "services/probation/probation_stream_state.h"

#include "common/agency/risk_assessment.h"
#include "common/agency/stream_entries.h"
#include "common/status_macros.h"

namespace safeguard::probation {
namespace {

using namespace safeguard::v1;

constexpr char kSupervision[] = "supervision";

absl::Status Update(StreamState& state, const std::string& ref, const std::function<void(SupervisionState*)>& change) {
  ASSIGN_OR_RETURN(std::optional<SupervisionState> s, SupervisionOf(state, ref));
  SupervisionState updated = s.value_or(SupervisionState());
  change(&updated);
  state.Put(agency::RefEntry(kSupervision, ref), updated.SerializeAsString());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<SupervisionState>> SupervisionOf(const StreamState& state, const std::string& ref) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, agency::RefState(state, kSupervision, ref));
  if (!bytes.has_value()) return std::optional<SupervisionState>();
  SupervisionState s;
  if (!s.ParseFromString(*bytes)) return absl::DataLossError("stored supervision state is unreadable");
  return std::optional<SupervisionState>(std::move(s));
}

absl::Status ProbationStreamFolder::Apply(const EventEnvelope& e, StreamState& state) const {
  agency::FoldAssessment(e, state);
  switch (e.payload_case()) {
    case EventEnvelope::kSupervisionStarted:
      return Update(state, e.supervision_started().supervision_ref(),
                    [&](SupervisionState* s) { s->set_kind(e.supervision_started().kind()); });
    case EventEnvelope::kSupervisionEnded:
      return Update(state, e.supervision_ended().supervision_ref(), [](SupervisionState* s) { s->set_ended(true); });
    case EventEnvelope::kLicenceConditionsSet:
      return Update(state, e.licence_conditions_set().supervision_ref(), [&](SupervisionState* s) {
        s->clear_condition_refs();
        for (const auto& c : e.licence_conditions_set().conditions()) s->add_condition_refs(c.condition_ref());
      });
    default:
      return absl::OkStatus();
  }
}

}  // namespace safeguard::probation
