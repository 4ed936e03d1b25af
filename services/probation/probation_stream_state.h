// What probation-service's rules check, kept beside each person's stream (common/store/
// stream_state.h): each supervision's kind, whether it has ended and its current licence
// conditions; and the risk assessment references recorded.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "common/store/stream_state.h"
#include "safeguard/v1/probation_events.pb.h"

namespace safeguard::probation {

class ProbationStreamFolder final : public StreamFolder {
 public:
  // 2: each fact's entry for the correction rules; retracted supervisions and condition sets.
  std::string Version() const override { return "probation/3"; }
  absl::Status Apply(const safeguard::v1::EventEnvelope& event, StreamState& state) const override;
};

// The supervision `ref` as the person's stream holds it; nullopt if never started (or its
// start was retracted).
absl::StatusOr<std::optional<safeguard::v1::SupervisionState>> SupervisionOf(const StreamState& state,
                                                                            const std::string& ref);

}  // namespace safeguard::probation
