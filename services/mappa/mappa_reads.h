// Reads of the consolidated picture. Every read must state a purpose, and is recorded
// (who, role, agency, when, which subject, which view, why) on the audit.access topic
// durably before any data is returned; if the record cannot be written, nothing is
// returned (kUnavailable). A read of a subject that is not found is recorded too, and so
// is each child's record consulted to show a child in contact's protection plans.
// Knows nothing of gRPC. Thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "common/bus/event_bus.h"
#include "common/grpc/caller.h"
#include "common/time_util.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "services/mappa/risk_view_store.h"

namespace safeguard::mappa {

inline constexpr uint32_t kDefaultTimelinePage = 50;
inline constexpr uint32_t kMaxTimelinePage = 500;

class MappaReads {
 public:
  // `store` and `bus` must outlive this object.
  // Access records go to `audit_topic` on `bus`.
  MappaReads(RiskViewStore* store, EventBus* bus, std::string audit_topic, Clock clock = SystemClock());

  // The subject's view with its computed fields as of today, including, for each child in
  // current contact, that child's open child protection plans from its own record.
  // kInvalidArgument naming the field for a missing subject reference or purpose;
  // kNotFound for an unknown subject.
  absl::StatusOr<safeguard::v1::RiskView> GetRiskView(const safeguard::v1::GetRiskViewRequest& request,
                                                      const CallContext& call);

  // A page of the subject's timeline, ordered by when things happened.
  absl::StatusOr<safeguard::v1::GetTimelineResponse> GetTimeline(
      const safeguard::v1::GetTimelineRequest& request, const CallContext& call);

 private:
  // Validates `subject` and `purpose` and resolves the subject; records the access.
  absl::StatusOr<std::string> AuthorisedSubject(const safeguard::v1::SubjectRef& subject,
                                                const safeguard::v1::Purpose& purpose,
                                                const std::string& view, const CallContext& call);

  // Records, durably, that `call` consulted `view` of each of `subjects` for `purpose`.
  // kUnavailable when it cannot: the caller then returns nothing.
  absl::Status RecordAccess(const CallContext& call, const safeguard::v1::Purpose& purpose,
                            const std::string& view, const std::vector<std::string>& subjects);

  RiskViewStore* const store_;
  EventBus* const bus_;
  const std::string audit_topic_;
  const Clock clock_;
};

}  // namespace safeguard::mappa
