#include "services/police/police_stream_state.h"

#include "common/agency/risk_assessment.h"
#include "common/agency/stream_entries.h"
#include "common/disclosure/disclosure_case.h"

namespace safeguard::police {

absl::Status PoliceStreamFolder::Apply(const safeguard::v1::EventEnvelope& e, StreamState& state) const {
  if (disclosure::IsCaseEvent(e)) return disclosure::FoldCaseStep(e, state);
  if (e.has_order_recorded()) agency::SetRef(state, kOrderRef, e.order_recorded().order_ref(), agency::kRecorded);
  if (e.has_intelligence_recorded()) {
    agency::SetRef(state, kIntelligenceRef, e.intelligence_recorded().intelligence_ref(), agency::kRecorded);
  }
  agency::FoldAssessment(e, state);
  return absl::OkStatus();
}

}  // namespace safeguard::police
