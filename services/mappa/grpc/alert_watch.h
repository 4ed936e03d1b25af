// One WatchAlerts stream, driven by gRPC's callbacks and the alert feed's fan-out
// (alerts/alert_feed.h), with no thread of its own: each step takes the watch's next
// changes (AlertReads::NextForWatch), records the consultation (the record's write waits
// for nothing), then writes the changes one at a time; when nothing is new it waits in the
// feed until the consumer commits a change. Before each step, and before each write once
// the policy has changed, it asks the access policy in force whether its caller may still
// watch: a certificate revoked (or a role withdrawn) while the stream is open ends it with
// PERMISSION_DENIED, and nothing already queued is written; a reload of the policy wakes
// every waiting watch to ask. It holds its caller's place in WatchLimits
// while open, and deletes itself when gRPC is done with it.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include <grpcpp/support/server_callback.h>

#include "common/grpc/caller.h"
#include "common/security/live_policy.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "services/mappa/alerts/alert_feed.h"
#include "services/mappa/reads/alert_reads.h"

namespace safeguard::mappa {

class AlertWatch final : public grpc::ServerWriteReactor<safeguard::v1::AlertChange> {
 public:
  // How many changes one step takes.
  static constexpr size_t kStep = 100;

  // The method the policy is asked about.
  static const std::string& Method();

  // Starts sending from `start`; `caller_key` holds a place in `limits`, released when the
  // stream ends. All must outlive the stream.
  AlertWatch(AlertReads* reads, AlertFeed* feed, WatchLimits* limits, const security::LivePolicy* policy,
             std::string caller_key, CallContext call, safeguard::v1::Purpose purpose,
             AlertReads::WatchPosition start);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // What to do once the lock is released: gRPC's Start* and Finish may call back inline.
  enum class Next { kNothing, kWrite, kFinish };

  void Step();  // on a fan-out thread
  void Recorded(absl::Status recorded, std::vector<safeguard::v1::AlertChange> changes,
                AlertReads::WatchPosition next);  // on the bus's thread
  Next SendNextLocked();                            // under mu_
  Next FinishIfIdleLocked();                        // under mu_
  void Do(Next next);                               // without mu_
  // Whether the policy in force lets the caller watch (logged when not).
  absl::Status Allowed() const;

  AlertReads* const reads_;
  AlertFeed* const feed_;
  WatchLimits* const limits_;
  const security::LivePolicy* const policy_;
  const std::string caller_key_;
  const CallContext call_;
  const safeguard::v1::Purpose purpose_;

  std::mutex mu_;
  AlertReads::WatchPosition at_;                  // guarded by mu_
  std::deque<safeguard::v1::AlertChange> queue_;  // guarded by mu_: recorded, not yet written
  safeguard::v1::AlertChange writing_;            // guarded by mu_
  int outstanding_ = 0;     // guarded by mu_: steps posted or waited for, records, writes
  uint64_t wake_ = 0;       // guarded by mu_: the feed's wake this waits on, if any
  bool cancelled_ = false;  // guarded by mu_
  uint64_t checked_generation_ = 0;  // guarded by mu_: the policy's, when last asked
  bool finished_ = false;   // guarded by mu_
  std::optional<grpc::Status> end_;  // guarded by mu_: why the stream ends, if not cancelled
};

}  // namespace safeguard::mappa
