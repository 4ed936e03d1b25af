#include "common/rate_limited_log.h"

#include <cstdio>

#include "absl/time/clock.h"

namespace safeguard {

RateLimitedLog::RateLimitedLog(std::string prefix, int per_minute)
    : prefix_(std::move(prefix)), per_minute_(per_minute) {}

void RateLimitedLog::Write(std::string_view line) {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = absl::Now();
  if (now - window_start_ >= absl::Minutes(1)) {
    if (suppressed_ > 0) {
      std::fprintf(stderr, "%s%ld more lines were not written in the minute before\n", prefix_.c_str(), suppressed_);
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
  std::fprintf(stderr, "%s%.*s\n", prefix_.c_str(), static_cast<int>(line.size()), line.data());
}

}  // namespace safeguard
