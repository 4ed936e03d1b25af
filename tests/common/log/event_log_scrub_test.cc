// An event log scrubs its store by itself, soon after it opens, and its status shows the
// scrub: how many events and signed checkpoints it checked, and any problem.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/log/event_log.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using safeguard::testing::IsOk;

TEST(EventLogScrubTest, TheStoreIsScrubbedInTheBackgroundAndOnDemandAndTheStatusShowsIt) {
  testing::TempDir dir;
  auto bus = RocksDbEventBus::Open(dir.Sub("bus"));
  ASSERT_THAT(bus, IsOk());
  auto log = EventLog::Open(EventLog::Options{.data_dir = dir.path(),
                                              .name = "police",
                                              .topic = "police.events",
                                              .keys_topic = "police.keys",
                                              .vault = testing::TestVault().get(),
                                              .checkpoint_interval = absl::Hours(1),
                                              .first_scrub_after = absl::Milliseconds(10),
                                              .scrub_interval = absl::Hours(1)},
                            bus->get());
  ASSERT_THAT(log, IsOk());
  // The background scrub, of the empty store.
  v1::ServiceStatus status;
  for (const absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end && !status.has_last_scrub();
       absl::SleepFor(absl::Milliseconds(10))) {
    status.Clear();
    (*log)->ReportStatus(&status);
  }
  ASSERT_TRUE(status.has_last_scrub()) << "no scrub within 10 s";
  EXPECT_TRUE(status.last_scrub().problem().empty()) << status.last_scrub().problem();

  for (int i = 1; i <= 3; ++i) {
    EventStore::AppendCommand c;
    c.stream_id = "record/alan";
    c.command_id = absl::StrCat("cmd-scrubbed-", i);
    c.fingerprint = "fp";
    c.event.set_event_type("police.ConvictionRecorded");
    c.event.set_subject_key(c.stream_id);
    ASSERT_THAT((*log)->store()->Append(std::move(c)), IsOk());
  }
  auto report = (*log)->ScrubNow();
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << report->problem;
  status.Clear();
  (*log)->ReportStatus(&status);
  EXPECT_EQ(status.last_scrub().events(), 3u);
  EXPECT_EQ(status.last_scrub().first_bad_sequence(), 0u);
  EXPECT_EQ(status.data_loss_detected(), 0u);
}

}  // namespace
}  // namespace safeguard
