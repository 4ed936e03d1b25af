// Reads of the consolidated picture. Every read must state a purpose, and is recorded
// (who, role, agency, when, which subject, which view, why) on the audit.access topic
// durably before any data is given; if the record cannot be written, nothing is given
// (kUnavailable). A read is recorded against exactly the agency records its answer
// holds; a read of a subject that is not found is recorded too, and so is each child's
// record consulted to show a child in contact's protection plans, each alert's subject
// shown in a list or a watch, and each record shown in a list of identity links.
// Knows nothing of gRPC. Thread-safe.
#pragma once

#include <functional>

#include "absl/status/statusor.h"
#include "common/access/access_log.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "common/time_util.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "services/mappa/risk_view_store.h"

namespace safeguard::mappa {

inline constexpr uint32_t kDefaultPage = 50;
inline constexpr uint32_t kMaxPage = 500;

// kDefaultPage for 0; kInvalidArgument naming page_size above kMaxPage.
absl::StatusOr<uint32_t> PageSize(uint32_t requested);

class MappaReads {
 public:
  // `store` and `access` must outlive this object.
  MappaReads(RiskViewStore* store, AccessLog* access, Clock clock = SystemClock());

  // The person's picture with its computed fields as of today, including, for each child
  // in current contact, that child's open child protection plans from its own record.
  // kInvalidArgument naming the field for a missing subject reference or purpose;
  // kNotFound for an unknown subject.
  void Handle(const safeguard::v1::GetRiskViewRequest& request, const CallContext& call,
              Reply<safeguard::v1::RiskView> reply);
  absl::StatusOr<RecordedAnswer<safeguard::v1::RiskView>> Answer(const safeguard::v1::GetRiskViewRequest& request);

  // A page of the person's timeline, ordered by when things happened.
  void Handle(const safeguard::v1::GetTimelineRequest& request, const CallContext& call,
              Reply<safeguard::v1::GetTimelineResponse> reply);

  // A page of the alerts that hold now.
  void Handle(const safeguard::v1::ListAlertsRequest& request, const CallContext& call,
              Reply<safeguard::v1::ListAlertsResponse> reply);

  // A page of identity links with one status (candidates by default).
  void Handle(const safeguard::v1::ListIdentityLinksRequest& request, const CallContext& call,
              Reply<safeguard::v1::ListIdentityLinksResponse> reply);

  // Follows the alerts for `request`: sends (through `send`, which returns false once
  // the stream is gone) every current alert when after_sequence is 0, then every change,
  // until `cancelled` returns true or `send` fails. Returns the status to end the stream
  // with; kInvalidArgument before anything is sent for a bad request. Blocks: for a
  // watch's own thread.
  absl::Status WatchAlerts(const safeguard::v1::WatchAlertsRequest& request, const CallContext& call,
                           const std::function<bool(const safeguard::v1::AlertChange&)>& send,
                           const std::function<bool()>& cancelled);

 private:
  RiskViewStore* const store_;
  AccessLog* const access_;
  const Clock clock_;
};

}  // namespace safeguard::mappa
