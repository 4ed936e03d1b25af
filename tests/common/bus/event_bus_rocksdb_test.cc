#include "common/bus/event_bus_rocksdb.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/testing/file_search.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace safeguard {
namespace {

using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;
using ::testing::SizeIs;

std::unique_ptr<RocksDbEventBus> OpenBus(const std::string& path) {
  auto bus = RocksDbEventBus::Open(path);
  EXPECT_THAT(bus, IsOk());
  return std::move(bus).value();
}

constexpr char kPoliceEventsTopicForTest[] = "police.events";

PositionLookup From(int64_t offset) {
  return [offset](const std::string&, int32_t) -> absl::StatusOr<int64_t> { return offset; };
}

TEST(RocksDbEventBusTest, AppendsInOrderWithOffsetsPerTopic) {
  TempDir dir;
  auto bus = OpenBus(dir.path());
  ASSERT_THAT(bus->Publish({{"a", "k1", "v0"}, {"b", "k1", "w0"}, {"a", "k2", "v1"}}), IsOk());
  ASSERT_THAT(bus->Publish({{"a", "k1", "v2"}}), IsOk());
  EXPECT_EQ(bus->EndOffset("a"), 3);
  EXPECT_EQ(bus->EndOffset("b"), 1);
  EXPECT_EQ(bus->EndOffset("none"), 0);
  auto records = bus->Read("a", 0, 10);
  ASSERT_THAT(records, IsOk());
  ASSERT_THAT(*records, SizeIs(3));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*records)[i].offset, i);
    EXPECT_EQ((*records)[i].value, absl::StrCat("v", i));
  }
  EXPECT_EQ((*records)[1].key, "k2");
  auto from_two = bus->Read("a", 2, 10);
  ASSERT_THAT(*from_two, SizeIs(1));
  EXPECT_EQ((*from_two)[0].value, "v2");
}

// The keys topics are compacted, as on Kafka: a reader from the start meets only the
// latest record of each key (the offsets keep their gaps), before and after a restart.
TEST(RocksDbEventBusTest, ACompactedTopicKeepsOnlyTheLatestRecordOfEachKey) {
  TempDir dir;
  {
    auto bus = OpenBus(dir.path());
    ASSERT_THAT(bus->Publish({{kPoliceKeysTopic, "k1", "v0"}, {kPoliceKeysTopic, "k2", "w0"},
                              {kPoliceKeysTopic, "k1", "v1"}, {kPoliceEventsTopicForTest, "k1", "e0"}}),
                IsOk());
    ASSERT_THAT(bus->Publish({{kPoliceKeysTopic, "k1", "v2"}, {kPoliceEventsTopicForTest, "k1", "e1"}}), IsOk());
    auto kept = bus->Read(kPoliceKeysTopic, 0, 10);
    ASSERT_THAT(kept, IsOk());
    ASSERT_THAT(*kept, SizeIs(2));
    EXPECT_EQ((*kept)[0].offset, 1);
    EXPECT_EQ((*kept)[0].value, "w0");
    EXPECT_EQ((*kept)[1].offset, 3);
    EXPECT_EQ((*kept)[1].value, "v2");
    EXPECT_EQ(bus->EndOffset(kPoliceKeysTopic), 4);
    EXPECT_THAT(*bus->Read(kPoliceEventsTopicForTest, 0, 10), SizeIs(2)) << "an events topic keeps everything";
  }
  auto bus = OpenBus(dir.path());
  ASSERT_THAT(bus->Publish({{kPoliceKeysTopic, "k2", "w1"}}), IsOk());
  auto kept = bus->Read(kPoliceKeysTopic, 0, 10);
  ASSERT_THAT(kept, IsOk());
  ASSERT_THAT(*kept, SizeIs(2));
  EXPECT_EQ((*kept)[0].value, "v2");
  EXPECT_EQ((*kept)[1].value, "w1");
}

// A destroyed data key's record replaces the one that carried the key wrapped, and that
// one's bytes are gone from every file of the bus once the publish is acknowledged.
TEST(RocksDbEventBusTest, ARecordThatPurgesWhatItReplacesLeavesNoFileHoldingIt) {
  TempDir dir;
  const std::string wrapped = "wrapped-key-6f1c2a9e";
  {
    auto bus = OpenBus(dir.path());
    ASSERT_THAT(bus->Publish({{kPoliceKeysTopic, "k1", wrapped}, {kPoliceKeysTopic, "k2", "other-key"}}), IsOk());
  }
  // Reopened, the log's records are in a table file (recovery writes one), where only a
  // compaction can remove them.
  auto bus = OpenBus(dir.path());
  const testing::FileSearch before = testing::SearchFiles(dir.path(), {wrapped});
  ASSERT_THAT(before.found, ::testing::Contains(::testing::HasSubstr(".sst")));
  ASSERT_THAT(bus->Publish({{kPoliceKeysTopic, "k1", "destroyed", /*purge_replaced=*/true}}), IsOk());
  const testing::FileSearch search = testing::SearchFiles(dir.path(), {wrapped, "other-key", "destroyed"});
  for (const std::string& f : search.found) EXPECT_THAT(f, ::testing::Not(::testing::HasSubstr(wrapped)));
  EXPECT_THAT(search.found, ::testing::Contains(::testing::HasSubstr("other-key"))) << "what was not replaced stays";
  EXPECT_GE(search.tables, 1u);
}

TEST(RocksDbEventBusTest, SurvivesRestart) {
  TempDir dir;
  {
    auto bus = OpenBus(dir.path());
    ASSERT_THAT(bus->Publish({{"police.events", "s1", "e0"}, {"police.events", "s1", "e1"}}), IsOk());
  }
  auto bus = OpenBus(dir.path());
  EXPECT_EQ(bus->EndOffset("police.events"), 2);
  ASSERT_THAT(bus->Publish({{"police.events", "s1", "e2"}}), IsOk());
  auto records = bus->Read("police.events", 0, 10);
  ASSERT_THAT(*records, SizeIs(3));
  EXPECT_EQ((*records)[2].offset, 2);
  EXPECT_EQ((*records)[2].value, "e2");
}

TEST(RocksDbEventBusTest, SubscriberStartsAtItsPositionAndSeesNewRecords) {
  TempDir dir;
  auto bus = OpenBus(dir.path());
  ASSERT_THAT(bus->Publish({{"t", "k", "0"}, {"t", "k", "1"}, {"t", "k", "2"}}), IsOk());
  auto consumer = bus->Subscribe({"t"}, "g", From(1));
  ASSERT_THAT(consumer, IsOk());
  auto first = (*consumer)->Poll(absl::Seconds(1), 100);
  ASSERT_THAT(*first, SizeIs(2));
  EXPECT_EQ((*first)[0].offset, 1);

  // Nothing new: Poll waits out its timeout and returns empty.
  auto none = (*consumer)->Poll(absl::Milliseconds(20), 100);
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());

  // A record published while Poll waits wakes it.
  std::thread publisher([&] {
    absl::SleepFor(absl::Milliseconds(50));
    ASSERT_THAT(bus->Publish({{"t", "k", "3"}}), IsOk());
  });
  auto woken = (*consumer)->Poll(absl::Seconds(10), 100);
  publisher.join();
  ASSERT_THAT(*woken, SizeIs(1));
  EXPECT_EQ((*woken)[0].offset, 3);
  EXPECT_EQ((*woken)[0].value, "3");
}

TEST(RocksDbEventBusTest, ConsumerOfSeveralTopicsSeesEach) {
  TempDir dir;
  auto bus = OpenBus(dir.path());
  auto consumer = bus->Subscribe({"x", "y"}, "g", From(0));
  ASSERT_THAT(consumer, IsOk());
  std::thread publisher([&] {
    absl::SleepFor(absl::Milliseconds(20));
    ASSERT_THAT(bus->Publish({{"y", "k", "only-y"}}), IsOk());
  });
  auto got = (*consumer)->Poll(absl::Seconds(10), 10);
  publisher.join();
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].topic, "y");
}

TEST(RocksDbEventBusTest, RefusesBadTopicAndWritesNothing) {
  TempDir dir;
  auto bus = OpenBus(dir.path());
  EXPECT_THAT(bus->Publish({{"ok", "k", "v"}, {"", "k", "v"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "topic"));
  EXPECT_EQ(bus->EndOffset("ok"), 0);
  EXPECT_FALSE(bus->Subscribe({}, "g", From(0)).ok());
}

// A waiter for offset 2 is woken by the appends of offsets 0 and 1 and by other topics,
// and must keep waiting until its own offset is durable (the outbox relay's background
// test once failed in CI because the first wake-up ended the wait).
TEST(RocksDbEventBusTest, AWaitForAnOffsetOutlastsEarlierAppends) {
  TempDir dir;
  auto bus = OpenBus(dir.path());
  auto waited = std::async(std::launch::async, [&] {
    return bus->WaitForOffset("t", 2, absl::Now() + absl::Seconds(30));
  });
  for (int i = 0; i < 3; ++i) {
    // Each append is its own synced write, so the waiter is woken once per append.
    absl::SleepFor(absl::Milliseconds(20));
    ASSERT_THAT(bus->Publish({{"other", "k", "x"}}), IsOk());
    ASSERT_THAT(bus->Publish({{"t", "k", absl::StrCat(i)}}), IsOk());
    if (i < 2) {
      EXPECT_EQ(waited.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout)
          << "the wait ended at offset " << i;
    }
  }
  EXPECT_TRUE(waited.get());
  // And a deadline that passes before the offset exists ends the wait with false.
  EXPECT_FALSE(bus->WaitForOffset("t", 3, absl::Now() + absl::Milliseconds(30)));
}
// Publishers queue, and the writer syncs once for everything queued while the previous
// write was being synced: concurrent publishes (every read's access record) share durable
// writes instead of each taking its own fsync, and none waits on another's lock.
TEST(RocksDbEventBusTest, ConcurrentPublishesShareSyncedWrites) {
  TempDir dir;
  auto bus = RocksDbEventBus::Open(dir.path());
  ASSERT_THAT(bus, IsOk());
  constexpr int kPublishes = 200;
  std::vector<std::future<absl::Status>> outcomes;
  for (int i = 0; i < kPublishes; ++i) {
    auto done = std::make_shared<std::promise<absl::Status>>();
    outcomes.push_back(done->get_future());
    (*bus)->PublishAsync({{"audit.access", absl::StrCat("k", i), absl::StrCat("record-", i)}},
                         [done](absl::Status st) { done->set_value(st); });
  }
  for (auto& f : outcomes) ASSERT_THAT(f.get(), IsOk());
  const RocksDbEventBus::Stats stats = (*bus)->stats();
  EXPECT_EQ(stats.messages, static_cast<uint64_t>(kPublishes));
  EXPECT_LE(stats.synced_writes, 20u) << "each publish took a synced write of its own";
  auto records = (*bus)->Read("audit.access", 0, 1000);
  ASSERT_THAT(records, IsOk());
  ASSERT_EQ(records->size(), static_cast<size_t>(kPublishes));
  for (int i = 0; i < kPublishes; ++i) EXPECT_EQ((*records)[i].offset, i);
}

}  // namespace
}  // namespace safeguard
