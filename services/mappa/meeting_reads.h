// Reads of MAPPA meetings and of s.327A's duty: one meeting (recorded as a consultation of
// the meeting and of every subject on its agenda), and the child sex offenders managed
// under MAPPA for whom disclosure was not considered at the latest review (each subject
// listed recorded). Every read states a purpose. Knows nothing of gRPC. Thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "common/access/access_log.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "safeguard/v1/meeting_service.pb.h"
#include "services/mappa/risk_view_store.h"

namespace safeguard::mappa {

class MeetingReads {
 public:
  // `store` and `access` must outlive this object.
  MeetingReads(RiskViewStore* store, AccessLog* access, Clock clock = SystemClock())
      : store_(store), access_(access), clock_(std::move(clock)) {}

  void Handle(const safeguard::v1::GetMeetingRequest& request, const CallContext& call,
              Reply<safeguard::v1::MappaMeeting> reply);
  void Handle(const safeguard::v1::ListDisclosureNotConsideredRequest& request, const CallContext& call,
              Reply<safeguard::v1::ListDisclosureNotConsideredResponse> reply);

 private:
  absl::StatusOr<RecordedAnswer<safeguard::v1::MappaMeeting>> Answer(const safeguard::v1::GetMeetingRequest& request);
  absl::StatusOr<RecordedAnswer<safeguard::v1::ListDisclosureNotConsideredResponse>> Answer(
      const safeguard::v1::ListDisclosureNotConsideredRequest& request);

  RiskViewStore* const store_;
  AccessLog* const access_;
  const Clock clock_;
};

}  // namespace safeguard::mappa
