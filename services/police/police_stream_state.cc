#include "services/police/police_stream_state.h"

#include "common/agency/corrections.h"
#include "common/agency/risk_assessment.h"
#include "common/status_macros.h"
#include "common/agency/stream_entries.h"
#include "common/disclosure/disclosure_case.h"

namespace safeguard::police {

absl::Status PoliceStreamFolder::Apply(const safeguard::v1::EventEnvelope& e, StreamState& state) const {
  if (disclosure::IsCaseEvent(e)) return disclosure::FoldCaseStep(e, state);
  ASSIGN_OR_RETURN(const std::optional<safeguard::v1::CorrectableFact> corrected, agency::FoldCorrections(e, state));
  if (corrected.has_value() && e.fact_corrected().kind() == safeguard::v1::RETRACTED) {
    // A retracted order or intelligence is as if never recorded: its reference is free.
    if (corrected->type() == safeguard::v1::OrderRecorded::descriptor()->full_name()) {
      agency::SetRef(state, kOrderRef, agency::ReferenceOf(*corrected, "order_ref"), agency::kRetracted);
    } else if (corrected->type() == safeguard::v1::IntelligenceRecorded::descriptor()->full_name()) {
      agency::SetRef(state, kIntelligenceRef, agency::ReferenceOf(*corrected, "intelligence_ref"), agency::kRetracted);
    }
    agency::RetractAssessment(*corrected, state);
  }
  if (e.has_order_recorded()) agency::SetRef(state, kOrderRef, e.order_recorded().order_ref(), agency::kRecorded);
  if (e.has_intelligence_recorded()) {
    agency::SetRef(state, kIntelligenceRef, e.intelligence_recorded().intelligence_ref(), agency::kRecorded);
  }
  agency::FoldAssessment(e, state);
  return absl::OkStatus();
}

}  // namespace safeguard::police
