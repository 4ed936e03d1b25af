// Lines to standard error that no caller can multiply: at most `per_minute` are written
// in any minute; the rest are counted, and the count is written when the next minute's
// first line is. For messages that outside input or a failing disk can cause at will
// (protobuf's complaints about a caller's bytes, RocksDB's about a full disk).
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace safeguard {

class RateLimitedLog {
 public:
  // Each line is written as "<prefix><line>".
  RateLimitedLog(std::string prefix, int per_minute);

  // Thread-safe.
  void Write(std::string_view line);

 private:
  const std::string prefix_;
  const int per_minute_;
  std::mutex mu_;
  absl::Time window_start_ = absl::InfinitePast();
  int written_ = 0;
  long suppressed_ = 0;
};

}  // namespace safeguard
