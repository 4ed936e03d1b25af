// Reads of MAPPA meetings and of s.327A's duty: one meeting (recorded as a consultation of
// the meeting and of every subject on its agenda), and the child sex offenders managed
// under MAPPA for whom disclosure was not considered at the latest review (each subject
// listed recorded). Every read states a purpose. Knows nothing of gRPC. Thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "common/grpc/caller.h"
#include "safeguard/v1/meeting_service.pb.h"
#include "common/access/access_recorder.h"
#include "services/mappa/risk_view_store.h"

namespace safeguard::mappa {

class MeetingReads {
 public:
  // `store` and `recorder` must outlive this object.
  MeetingReads(RiskViewStore* store, AccessRecorder* recorder) : store_(store), recorder_(recorder) {}

  absl::StatusOr<safeguard::v1::MappaMeeting> GetMeeting(const safeguard::v1::GetMeetingRequest& request,
                                                         const CallContext& call);

  absl::StatusOr<safeguard::v1::ListDisclosureNotConsideredResponse> ListDisclosureNotConsidered(
      const safeguard::v1::ListDisclosureNotConsideredRequest& request, const CallContext& call);

 private:
  RiskViewStore* const store_;
  AccessRecorder* const recorder_;
};

}  // namespace safeguard::mappa
