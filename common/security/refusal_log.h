// The record of calls the access control refuses: each a security event on the audit
// topic (AccessRecord.refusal), beside the record of every consultation, so that an
// auditor sees who tried what and why they were refused, not only what was read. Also a
// log record (warning) and the metric safeguard_refused_calls_total by code.
//
// A flood of refused calls cannot flood the audit topic: at most `per_second` are
// recorded one by one each second; the next recorded says how many were not.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "common/bus/event_bus.h"
#include "safeguard/v1/common.pb.h"

namespace safeguard::security {

class RefusalLog {
 public:
  explicit RefusalLog(int per_second = 100);

  // From now on, records go to `topic` on `bus`, which must outlive the returned handle;
  // until then, and after it is destroyed, refusals are only logged.
  std::shared_ptr<void> Attach(EventBus* bus, std::string topic);

  // A refusal of `method` for `actor` (unset when the caller could not be identified),
  // answered with `code` ("PERMISSION_DENIED") and `reason`. Never blocks: publishing is
  // asynchronous, and a failure to publish is logged. Thread-safe.
  void Record(const safeguard::v1::Actor* actor, const std::string& method, const std::string& code,
              const std::string& reason);

 private:
  const int per_second_;
  std::mutex mu_;
  EventBus* bus_ = nullptr;  // guarded by mu_
  std::string topic_;        // guarded by mu_
  uint64_t attachment_ = 0;  // guarded by mu_
  absl::Time window_ = absl::InfinitePast();
  int in_window_ = 0;
  uint64_t not_recorded_ = 0;
};

}  // namespace safeguard::security
