// Records consultations of personal data (Data Protection Act 2018 s.62) on the audit
// topic, durably, before anything is returned: if the record cannot be written the read
// must return nothing. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/bus/event_bus.h"
#include "common/grpc/caller.h"
#include "common/time_util.h"
#include "safeguard/v1/mappa_service.pb.h"

namespace safeguard {

class AccessRecorder {
 public:
  // `bus` must outlive this object.
  AccessRecorder(EventBus* bus, std::string audit_topic, Clock clock = SystemClock());

  // Records that `call` consulted `view` of each of `subjects` for `purpose`, one record
  // per subject, in one publish. kUnavailable when it cannot: the caller returns nothing.
  absl::Status Record(const CallContext& call, const safeguard::v1::Purpose& purpose, const std::string& view,
                      const std::vector<std::string>& subjects);

  absl::Time Now() const { return clock_(); }

 private:
  EventBus* const bus_;
  const std::string audit_topic_;
  const Clock clock_;
};

// kInvalidArgument naming purpose.code or purpose.detail unless both are given.
absl::Status CheckPurpose(const safeguard::v1::Purpose& purpose);

}  // namespace safeguard
