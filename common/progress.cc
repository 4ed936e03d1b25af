#include "common/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace safeguard {

std::string WithThousands(uint64_t n) {
  std::string digits = absl::StrCat(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

Progress::Progress(std::string what, std::string unit, uint64_t total, bool force)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      shown_(force || isatty(STDERR_FILENO) == 1),
      started_(absl::Now()) {}

Progress::~Progress() { Finish(); }

void Progress::Set(uint64_t done) {
  done_ = done;
  const absl::Time now = absl::Now();
  if (!shown_ || now - drawn_ < absl::Milliseconds(200)) return;
  drawn_ = now;
  Draw(false);
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (shown_) Draw(true);
}

std::string Progress::Line(absl::Time now) const {
  const double seconds = absl::ToDoubleSeconds(now - started_);
  const double rate = seconds > 0 ? done_ / seconds : 0;
  std::string line = absl::StrCat(what_, ": ", WithThousands(done_));
  if (total_ > 0) {
    absl::StrAppend(&line, " of ", WithThousands(total_), " ", unit_, " (",
                    static_cast<int>(100.0 * std::min(done_, total_) / total_), "%)");
  } else {
    absl::StrAppend(&line, " ", unit_);
  }
  if (finished_) {
    absl::StrAppend(&line, " in ", absl::StrFormat("%.1f", seconds), "s");
    if (rate > 0) absl::StrAppend(&line, ", ", WithThousands(static_cast<uint64_t>(rate)), "/s");
    return line;
  }
  if (rate > 0) absl::StrAppend(&line, ", ", WithThousands(static_cast<uint64_t>(rate)), "/s");
  if (total_ > done_ && rate > 0) {
    absl::StrAppend(&line, ", about ", absl::FormatDuration(absl::Trunc(absl::Seconds((total_ - done_) / rate),
                                                                        absl::Seconds(1))),
                    " left");
  }
  return line;
}

void Progress::Draw(bool final) {
  // \r and clear-to-end-of-line: the line is redrawn where it was.
  std::fprintf(stderr, "\r%s\033[K%s", Line(absl::Now()).c_str(), final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace safeguard
