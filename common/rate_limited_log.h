// Records that no caller can multiply: at most `per_minute` are written in any minute;
// the rest are counted, and the count is written when the next minute's first record is.
// For messages that outside input or a failing disk can cause at will (protobuf's
// complaints about a caller's bytes, RocksDB's about a full disk).
#pragma once

#include <mutex>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/time/time.h"
#include "common/logging.h"

namespace safeguard {

class RateLimitedLog {
 public:
  // Records are of `component` (common/logging.h), at `level`.
  RateLimitedLog(std::string component, logging::Level level, int per_minute);

  // Thread-safe.
  void Write(absl::string_view message);

 private:
  const std::string component_;
  const logging::Level level_;
  const int per_minute_;
  std::mutex mu_;
  absl::Time window_start_ = absl::InfinitePast();
  int written_ = 0;
  long suppressed_ = 0;
};

}  // namespace safeguard
