// Records consultations and disclosures of personal data (Data Protection Act 2018 s.62)
// on the audit topic, durably, before anything is returned: if the record cannot be
// written the read must return nothing. Publishing blocks until the bus holds the
// records: call from a handler's thread, never from the event store's writer. Thread-safe.
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

  // What a disclosure gave, and to whom.
  struct Disclosure {
    std::vector<std::string> recipients;
    std::string disclosed;  // the words given
    std::string event_id;   // the event that records the disclosure, if any
  };

  // Records that `call` disclosed `disclosure` about each of `subjects` for `purpose`,
  // one record per subject, in one publish. kUnavailable when it cannot.
  absl::Status RecordDisclosure(const CallContext& call, const safeguard::v1::Purpose& purpose,
                                const std::string& view, const std::vector<std::string>& subjects,
                                const Disclosure& disclosure);

  absl::Time Now() const { return clock_(); }

 private:
  EventBus* const bus_;
  const std::string audit_topic_;
  const Clock clock_;
};

// kInvalidArgument naming purpose.code or purpose.detail unless both are given.
absl::Status CheckPurpose(const safeguard::v1::Purpose& purpose);

}  // namespace safeguard
