// A full disk is a state, not a crash: an event store on a disk that fills refuses
// appends with a status that says so, reports the fault (health, status), loses nothing it
// acknowledged, and writes again by itself once space is freed; opened on a full disk it
// refuses with a message. The disk is a file system with a fixed amount of free space.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/store/event_store.h"
#include "common/store/storage_health.h"
#include "tests/testing/full_disk_fs.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using safeguard::testing::FullDiskFs;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;

EventStore::AppendCommand Command(const std::string& command_id) {
  EventStore::AppendCommand c;
  c.stream_id = "s/a";
  c.command_id = command_id;
  c.fingerprint = command_id;
  c.event.set_event_type("test.Happened");
  c.event.set_subject_key("s/a");
  return c;
}

const StorageHealth::Fault* FaultOf(const std::vector<StorageHealth::Fault>& faults, const std::string& path) {
  for (const auto& f : faults) {
    if (f.database == path) return &f;
  }
  return nullptr;
}

TEST(DiskFullTest, AppendsAreRefusedSayingSoNothingAcknowledgedIsLostAndWritingResumesOnceSpaceIsFreed) {
  TempDir dir;
  FullDiskFs fs;
  auto store = EventStore::Open(EventStore::Options{.path = dir.path(), .env = fs.env(), .keys = testing::TestKeys()});
  ASSERT_THAT(store, IsOk());
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 20; ++i) {
    const std::string id = absl::StrCat("cmd-before-", i);
    ASSERT_THAT((*store)->Append(Command(id)), IsOk());
    acknowledged.push_back(id);
  }

  fs.SetFree(0);
  for (int i = 0; i < 5; ++i) {
    EXPECT_THAT((*store)->Append(Command(absl::StrCat("cmd-refused-", i))),
                StatusIs(absl::StatusCode::kResourceExhausted, "the disk is full"));
  }
  EXPECT_GT(fs.refused(), 0u);
  const StorageHealth::Fault* fault = FaultOf(StorageHealth::Process().Faults(), dir.path());
  ASSERT_NE(fault, nullptr) << "the process reports the stopped database";
  EXPECT_TRUE(fault->disk_full) << fault->error;

  // 8 MiB freed: the store writes again by itself, within a bounded wait. (RocksDB's own
  // recovery would wait for 32 MiB, a whole memtable, to be free.)
  fs.SetFree(8 << 20);
  absl::Status resumed = absl::UnknownError("not tried");
  for (const absl::Time deadline = absl::Now() + absl::Seconds(60); absl::Now() < deadline;) {
    resumed = (*store)->Append(Command("cmd-after-0")).status();
    if (resumed.ok()) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_THAT(resumed, IsOk()) << "writing did not resume within 60 s of space being freed";
  acknowledged.push_back("cmd-after-0");
  for (const absl::Time deadline = absl::Now() + absl::Seconds(30);
       absl::Now() < deadline && FaultOf(StorageHealth::Process().Faults(), dir.path()) != nullptr;) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(FaultOf(StorageHealth::Process().Faults(), dir.path()), nullptr) << "the fault is cleared";

  // Every acknowledged event is there after a restart, in order; no refused one is.
  store->reset();
  auto reopened = EventStore::Open(EventStore::Options{.path = dir.path(), .keys = testing::TestKeys()});
  ASSERT_THAT(reopened, IsOk());
  auto events = (*reopened)->ReadStream("s/a", 1, 1000);
  ASSERT_THAT(events, IsOk());
  std::vector<std::string> stored;
  for (const auto& e : *events) stored.push_back(e.command_id());
  EXPECT_EQ(stored, acknowledged);
  // A refused command was not recorded: sent again, it is new.
  auto again = (*reopened)->Append(Command("cmd-refused-0"));
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE(again->idempotent_replay());
}

TEST(DiskFullTest, OpeningOnAFullDiskIsRefusedWithAMessage) {
  TempDir dir;
  {
    auto store = EventStore::Open(EventStore::Options{.path = dir.path(), .keys = testing::TestKeys()});
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append(Command("cmd-kept-0")), IsOk());
  }
  FullDiskFs fs(0);
  EXPECT_THAT(EventStore::Open(EventStore::Options{.path = dir.path(), .env = fs.env(), .keys = testing::TestKeys()}),
              StatusIs(absl::StatusCode::kResourceExhausted, "the disk is full"));
  TempDir fresh;
  EXPECT_THAT(EventStore::Open(EventStore::Options{.path = fresh.path() + "/new", .env = fs.env(), .keys = testing::TestKeys()}),
              StatusIs(absl::StatusCode::kResourceExhausted, "the disk is full"));
  // Nothing was harmed: with space, it opens with what it had.
  auto store = EventStore::Open(EventStore::Options{.path = dir.path(), .keys = testing::TestKeys()});
  ASSERT_THAT(store, IsOk());
  auto events = (*store)->ReadStream("s/a", 1, 1000);
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ(events->size(), 1u);
}

}  // namespace
}  // namespace safeguard
