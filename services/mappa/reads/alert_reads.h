// Reads of the alerts: a page of those that hold now (ListAlerts), and what a watch
// (WatchAlerts, grpc/alert_watch.h) sends next. Each alert given is recorded as a
// consultation of its subject before it is given. Knows nothing of gRPC. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/access/access_log.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "common/crypto/key_vault.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {

class AlertReads {
 public:
  // `state`, `access` and `vault` must outlive this object. An alert on a person any of
  // whose records an agency restricted is not shown (`vault` names the restricted keys;
  // nullptr: none is known): a watch is given each change of one as its withdrawal
  // (ALERT_WITHDRAWN, the withdrawal id alone), which consults no one.
  AlertReads(const MappaState* state, AccessLog* access, Clock clock = SystemClock(),
             const crypto::KeyVault* vault = nullptr)
      : state_(state), access_(access), clock_(std::move(clock)), vault_(vault) {}

  // A page of the alerts that hold now.
  void Handle(const safeguard::v1::ListAlertsRequest& request, const CallContext& call,
              Reply<safeguard::v1::ListAlertsResponse> reply);

  // Where a watch stands: listing the alerts that held when it began (`listing`, from
  // `token`), then sending every change after `after`.
  struct WatchPosition {
    bool listing = false;
    std::string token;
    uint64_t after = 0;
  };
  // Checks a watch's request and says where it starts: kInvalidArgument naming the field
  // for a missing purpose, or an after_sequence beyond the last change.
  absl::StatusOr<WatchPosition> StartWatch(const safeguard::v1::WatchAlertsRequest& request) const;
  // The watch's next changes (at most `max`; none when it has sent everything so far),
  // what sending them consults, and where it stands after them.
  struct WatchStep {
    std::vector<safeguard::v1::AlertChange> changes;
    Consultation consulted;
    WatchPosition next;
  };
  absl::StatusOr<WatchStep> NextForWatch(const WatchPosition& at, size_t max) const;

  AccessLog* access() const { return access_; }

 private:
  const MappaState* const state_;
  AccessLog* const access_;
  const Clock clock_;
  const crypto::KeyVault* const vault_;
};

// How many watches may be open at once: in all, and per caller (per client certificate,
// so that one caller's scripts cannot take every watch). Thread-safe.
class WatchLimits {
 public:
  WatchLimits(size_t per_caller, size_t total) : per_caller_(per_caller), total_(total) {}
  // Takes a place for `caller`; kResourceExhausted naming the limit when there is none.
  absl::Status Acquire(const std::string& caller);
  void Release(const std::string& caller);

 private:
  const size_t per_caller_, total_;
  std::mutex mu_;
  std::map<std::string, size_t> open_;  // guarded by mu_
  size_t all_ = 0;                      // guarded by mu_
};

}  // namespace safeguard::mappa
