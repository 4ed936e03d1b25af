// Identifier screening for accredited online platforms.
//
// Held means: the identifier (normalised, see online_identifier.h) is on the latest
// register notification of a person whose notification period is current, and who is
// under a relevant restriction today: an order in force (SHPO, SOPO, sexual risk order),
// or an active probation supervision with a condition restricting contact with children
// or monitoring internet use. The answer is that one bit.
//
// Every check, held or not, is recorded on the audit topic before it is answered, as a
// disclosure to the calling platform (who asked, when, what identifier, their reference,
// and for a match, whose record). If it cannot be recorded, no answer is given.
// Knows nothing of gRPC. Thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/bus/event_bus.h"
#include "common/grpc/caller.h"
#include "common/time_util.h"
#include "safeguard/v1/screening_service.pb.h"
#include "services/mappa/risk_view_store.h"

namespace safeguard::mappa {

class Screening {
 public:
  // `store` and `bus` must outlive this object; records go to `audit_topic`.
  Screening(RiskViewStore* store, EventBus* bus, std::string audit_topic, Clock clock = SystemClock());

  // The calling platform is `call.actor.user()`; usernames are matched on that platform.
  absl::StatusOr<bool> Check(const safeguard::v1::CheckIdentifierRequest& request, const CallContext& call);

 private:
  RiskViewStore* const store_;
  EventBus* const bus_;
  const std::string audit_topic_;
  const Clock clock_;
};

// Whether `view`, computed as of its day, holds `key` on its current register notification
// under a relevant restriction (see above). Exposed for tests.
bool HeldUnderRestriction(const safeguard::v1::RiskView& view, const std::string& key);

}  // namespace safeguard::mappa
