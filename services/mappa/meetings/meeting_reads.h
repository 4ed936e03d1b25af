// Reads of MAPPA meetings and of s.327A's duty: the meetings (no one's personal data), one
// meeting (recorded as a consultation of the meeting and of every subject and case on its
// agenda), and the child sex offenders
// managed under MAPPA for whom disclosure was not considered at the latest review (each
// subject listed recorded). Every read states a purpose. Knows nothing of gRPC.
// Thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "common/access/access_log.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "safeguard/v1/meeting_service.pb.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {

class MeetingReads {
 public:
  // `state` and `access` must outlive this object.
  MeetingReads(const MappaState* state, AccessLog* access) : state_(state), access_(access) {}

  void Handle(const safeguard::v1::GetMeetingRequest& request, const CallContext& call,
              Reply<safeguard::v1::MappaMeeting> reply);
  void Handle(const safeguard::v1::ListDisclosureNotConsideredRequest& request, const CallContext& call,
              Reply<safeguard::v1::ListDisclosureNotConsideredResponse> reply);
  // Holds no one's personal data: answered without a purpose or a record.
  void Handle(const safeguard::v1::ListMeetingsRequest& request, const CallContext& call,
              Reply<safeguard::v1::ListMeetingsResponse> reply);

 private:
  absl::StatusOr<RecordedAnswer<safeguard::v1::MappaMeeting>> Answer(const safeguard::v1::GetMeetingRequest& request);
  absl::StatusOr<RecordedAnswer<safeguard::v1::ListDisclosureNotConsideredResponse>> Answer(
      const safeguard::v1::ListDisclosureNotConsideredRequest& request);
  absl::StatusOr<safeguard::v1::ListMeetingsResponse> Answer(const safeguard::v1::ListMeetingsRequest& request);

  const MappaState* const state_;
  AccessLog* const access_;
};

}  // namespace safeguard::mappa
