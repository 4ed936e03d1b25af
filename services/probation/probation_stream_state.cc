#include "services/probation/probation_stream_state.h"

#include "common/agency/corrections.h"
#include "common/agency/risk_assessment.h"
#include "common/agency/stream_entries.h"
#include "common/status_macros.h"

namespace safeguard::probation {
namespace {

using namespace safeguard::v1;

constexpr char kSupervision[] = "supervision";

// The supervision's state as stored, retracted or not.
absl::StatusOr<SupervisionState> Stored(const StreamState& state, const std::string& ref) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, state.Get(agency::RefEntry(kSupervision, ref)));
  SupervisionState s;
  if (bytes.has_value() && !s.ParseFromString(*bytes)) return absl::DataLossError("stored supervision state is unreadable");
  return s;
}

absl::Status Update(StreamState& state, const std::string& ref, const std::function<void(SupervisionState*)>& change) {
  ASSIGN_OR_RETURN(SupervisionState updated, Stored(state, ref));
  change(&updated);
  state.Put(agency::RefEntry(kSupervision, ref), updated.SerializeAsString());
  return absl::OkStatus();
}

// The current conditions: the last set not retracted.
void CurrentConditions(SupervisionState* s) {
  s->clear_condition_refs();
  for (auto it = s->condition_sets().rbegin(); it != s->condition_sets().rend(); ++it) {
    if (it->retracted()) continue;
    *s->mutable_condition_refs() = it->condition_refs();
    return;
  }
}

// Undoes (a retraction) or redoes (an amendment) what the fact `corrected` set.
absl::Status Correct(const EventEnvelope& e, const CorrectableFact& corrected, StreamState& state) {
  const FactCorrected& c = e.fact_corrected();
  const bool retract = c.kind() == RETRACTED;
  const std::string ref = agency::ReferenceOf(corrected, "supervision_ref");
  if (retract) agency::RetractAssessment(corrected, state);
  if (corrected.type() == SupervisionStarted::descriptor()->full_name()) {
    return Update(state, ref, [&](SupervisionState* s) {
      if (retract) s->set_retracted(true);
      if (c.has_supervision_started()) s->set_kind(c.supervision_started().kind());
    });
  }
  if (corrected.type() == SupervisionEnded::descriptor()->full_name() && retract) {
    return Update(state, ref, [](SupervisionState* s) { s->set_ended(false); });
  }
  if (corrected.type() == LicenceConditionsSet::descriptor()->full_name()) {
    return Update(state, ref, [&](SupervisionState* s) {
      for (RecordedConditions& set : *s->mutable_condition_sets()) {
        if (set.event_id() != c.corrected_event_id()) continue;
        if (retract) set.set_retracted(true);
        if (c.has_licence_conditions_set()) {
          set.clear_condition_refs();
          for (const auto& k : c.licence_conditions_set().conditions()) set.add_condition_refs(k.condition_ref());
        }
      }
      CurrentConditions(s);
    });
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<SupervisionState>> SupervisionOf(const StreamState& state, const std::string& ref) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, agency::RefState(state, kSupervision, ref));
  if (!bytes.has_value()) return std::optional<SupervisionState>();
  SupervisionState s;
  if (!s.ParseFromString(*bytes)) return absl::DataLossError("stored supervision state is unreadable");
  if (s.retracted()) return std::optional<SupervisionState>();
  return std::optional<SupervisionState>(std::move(s));
}

absl::Status ProbationStreamFolder::Apply(const EventEnvelope& e, StreamState& state) const {
  ASSIGN_OR_RETURN(const std::optional<CorrectableFact> corrected, agency::FoldCorrections(e, state));
  if (corrected.has_value()) return Correct(e, *corrected, state);
  agency::FoldAssessment(e, state);
  switch (e.payload_case()) {
    case EventEnvelope::kSupervisionStarted:
      // A start (again, after a retracted one) begins the supervision afresh.
      return Update(state, e.supervision_started().supervision_ref(), [&](SupervisionState* s) {
        *s = SupervisionState();
        s->set_kind(e.supervision_started().kind());
      });
    case EventEnvelope::kSupervisionEnded:
      return Update(state, e.supervision_ended().supervision_ref(), [](SupervisionState* s) { s->set_ended(true); });
    case EventEnvelope::kLicenceConditionsSet:
      return Update(state, e.licence_conditions_set().supervision_ref(), [&](SupervisionState* s) {
        RecordedConditions* set = s->add_condition_sets();
        set->set_event_id(e.event_id());
        for (const auto& c : e.licence_conditions_set().conditions()) set->add_condition_refs(c.condition_ref());
        CurrentConditions(s);
      });
    default:
      return absl::OkStatus();
  }
}

}  // namespace safeguard::probation
