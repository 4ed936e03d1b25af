// Progress on a terminal: how far, how fast, how long left; and nothing at all when the
// output is not a terminal (a log file, a pipe, a container's log).
#include "common/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"

namespace safeguard {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(ProgressTest, TheLineSaysHowFarHowFastAndHowLongIsLeft) {
  Progress p("replaying police.events", "records", 50000, /*force=*/true);
  p.Set(12345);
  const std::string line = p.Line(absl::Now() + absl::Seconds(2));
  EXPECT_THAT(line, HasSubstr("replaying police.events: 12,345 of 50,000 records (24%), "));
  EXPECT_THAT(line, MatchesRegex(".*, [0-9,]+/s, about [0-9hms]+ left"));
  ::testing::internal::CaptureStderr();
  p.Finish();
  EXPECT_THAT(::testing::internal::GetCapturedStderr(), MatchesRegex("\r.*12,345 of 50,000 records \\(24%\\) in .*\n"));
}

TEST(ProgressTest, WithoutATotalItCountsAndTellsTheRate) {
  Progress p("loading the demo", "commands", 0, /*force=*/true);
  p.Set(78);
  EXPECT_THAT(p.Line(absl::Now() + absl::Seconds(1)), MatchesRegex("loading the demo: 78 commands, [0-9,]+/s"));
  ::testing::internal::CaptureStderr();
  p.Finish();
  (void)::testing::internal::GetCapturedStderr();
}

TEST(ProgressTest, NothingIsWrittenWhenTheOutputIsNotATerminal) {
  ::testing::internal::CaptureStderr();  // a pipe, not a terminal
  {
    Progress p("rebuilding", "events", 10);
    for (int i = 1; i <= 10; ++i) p.Set(i);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(ProgressTest, ThousandsAreSeparated) {
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(999), "999");
  EXPECT_EQ(WithThousands(1000), "1,000");
  EXPECT_EQ(WithThousands(1234567), "1,234,567");
}

}  // namespace
}  // namespace safeguard
