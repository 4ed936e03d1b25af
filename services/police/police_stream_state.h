// What police-service's rules check, kept beside each of its streams (common/store/
// stream_state.h): for a subject's record, the order, intelligence and risk assessment
// references recorded; for a disclosure scheme case, the case as its steps make it.
#pragma once

#include "common/store/stream_state.h"

namespace safeguard::police {

// Entry kinds of a subject's record (common/agency/stream_entries.h).
inline constexpr char kOrderRef[] = "order";
inline constexpr char kIntelligenceRef[] = "intelligence";

class PoliceStreamFolder final : public StreamFolder {
 public:
  // 2: each fact's entry for the correction rules, and what a retraction frees.
  std::string Version() const override { return "police/3"; }
  absl::Status Apply(const safeguard::v1::EventEnvelope& event, StreamState& state) const override;
};

}  // namespace safeguard::police
