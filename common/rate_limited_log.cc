#include "common/rate_limited_log.h"

#include "absl/time/clock.h"

namespace safeguard {

RateLimitedLog::RateLimitedLog(std::string component, logging::Level level, int per_minute)
    : component_(std::move(component)), level_(level), per_minute_(per_minute) {}

void RateLimitedLog::Write(absl::string_view message) {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = absl::Now();
  if (now - window_start_ >= absl::Minutes(1)) {
    if (suppressed_ > 0) {
      logging::WriteAs(component_, level_, "records were not written in the minute before (the rest of the minute's, over the limit)",
                       {{"suppressed", static_cast<int64_t>(suppressed_)}});
    }
    window_start_ = now;
    written_ = 0;
    suppressed_ = 0;
  }
  if (written_ >= per_minute_) {
    ++suppressed_;
    return;
  }
  ++written_;
  logging::WriteAs(component_, level_, message);
}

}  // namespace safeguard
