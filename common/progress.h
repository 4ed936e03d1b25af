// Progress of long work (a rebuild, a replay, a verification, loading the demo), shown
// to a person at a terminal as one line redrawn in place:
//   replaying police.events: 12,345 of 50,000 events (24%), 8,100/s, about 5s left
// and nothing at all when the output is not a terminal (a log file, a pipe, a container),
// where the log records and the metrics say the same.
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace safeguard {

class Progress {
 public:
  // `what` ("replaying police.events") counts `unit`s ("events") up to `total` (0:
  // unknown), on standard error. Shown only when standard error is a terminal, or always
  // with `force` (tests).
  Progress(std::string what, std::string unit, uint64_t total = 0, bool force = false);
  ~Progress();  // Finish()

  // Sets how far the work has got; redraws at most five times a second.
  void Set(uint64_t done);
  void Add(uint64_t more) { Set(done_ + more); }
  void set_total(uint64_t total) { total_ = total; }
  const std::string& unit() const { return unit_; }

  // The final line ("... 50,000 events in 6.2s, 8,064/s"), ended; later calls do nothing.
  void Finish();

  // The line as shown now (public for tests).
  std::string Line(absl::Time now) const;

 private:
  void Draw(bool final);

  const std::string what_;
  const std::string unit_;
  uint64_t total_;
  const bool shown_;
  const absl::Time started_;
  uint64_t done_ = 0;
  absl::Time drawn_ = absl::InfinitePast();
  bool finished_ = false;
};

// 12345 as "12,345".
std::string WithThousands(uint64_t n);

}  // namespace safeguard
