// What mappa-service's own commands check, kept beside each stream of its log of MAPPA
// decisions (common/store/stream_state.h): for a meeting, the meeting as its records make
// it; for an identity link, the latest decision on it.
#pragma once

#include "absl/status/statusor.h"
#include "common/store/stream_state.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/meeting_service.pb.h"

namespace safeguard::mappa {

class MappaStreamFolder final : public StreamFolder {
 public:
  std::string Version() const override { return "mappa/1"; }
  absl::Status Apply(const safeguard::v1::EventEnvelope& event, StreamState& state) const override;
};

// The meeting as its stream's state holds it (version 0 when not scheduled).
absl::StatusOr<safeguard::v1::MappaMeeting> MeetingOf(const StreamState& state);

// The latest decision recorded on a link's stream; unspecified when none.
absl::StatusOr<safeguard::v1::IdentityLinkStatus> LastDecisionOf(const StreamState& state);

}  // namespace safeguard::mappa
