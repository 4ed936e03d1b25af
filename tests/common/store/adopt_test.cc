// A store restored from a backup taking back from the bus the events it published after
// its copy (EventStore::Adopt, AdoptFromBus): the log continues exactly (same bytes, same
// Merkle roots as the store that wrote them), a gap, a stream out of order or two
// different events of one number are refused with nothing written, the outbox stays
// whole, and a command sent again gets its original result.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/log/event_log.h"
#include "common/store/event_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using safeguard::testing::IsOk;
using safeguard::testing::IsOkAndHolds;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;
using ::testing::HasSubstr;

EventStore::AppendCommand Command(const std::string& stream, const std::string& command_id) {
  EventStore::AppendCommand c;
  c.stream_id = stream;
  c.command_id = command_id;
  c.fingerprint = "fp-" + command_id;
  c.event.set_event_type("test.Happened");
  c.event.set_subject_key(stream);
  return c;
}

std::unique_ptr<EventStore> OpenStore(const std::string& path) {
  auto store = EventStore::Open(EventStore::Options{.path = path, .keys = testing::TestKeys()});
  EXPECT_THAT(store, IsOk());
  return std::move(store).value();
}

// The original store: 12 events on three streams. Returns each event's stored bytes.
std::vector<std::string> WriteOriginal(EventStore* store) {
  for (int i = 0; i < 12; ++i) {
    EXPECT_THAT(store->Append(Command(absl::StrCat("s/", i % 3), absl::StrCat("cmd-", i))), IsOk());
  }
  std::vector<std::string> bytes;
  for (uint64_t seq = 1; seq <= store->LastSequence(); ++seq) bytes.push_back(*store->EventBytes(seq));
  return bytes;
}

// The records of the data keys `store`'s events are sealed under: what a restored copy
// holds (those of its backup) or takes back from the keys topic (those made after it).
std::vector<safeguard::v1::DataKeyRecord> KeysOf(EventStore* store) {
  std::map<std::string, safeguard::v1::DataKeyRecord> keys;
  for (uint64_t seq = 1; seq <= store->LastSequence(); ++seq) {
    safeguard::v1::EventEnvelope e;
    EXPECT_TRUE(e.ParseFromString(*store->EventBytes(seq)));
    auto record = store->DataKey(e.sealed().key_id());
    EXPECT_THAT(record, IsOk());
    if (record.ok() && record->has_value()) keys[e.sealed().key_id()] = **record;
  }
  std::vector<safeguard::v1::DataKeyRecord> out;
  for (auto& [id, record] : keys) out.push_back(record);
  return out;
}

std::vector<std::string> Slice(const std::vector<std::string>& all, size_t from, size_t to) {
  return std::vector<std::string>(all.begin() + from, all.begin() + to);
}

TEST(AdoptTest, TheLogContinuesWithTheSameBytesAndRootsAndCommandsAnswerWithTheirResults) {
  TempDir dir;
  auto original = OpenStore(dir.Sub("original"));
  const std::vector<std::string> bytes = WriteOriginal(original.get());
  auto restored = OpenStore(dir.Sub("restored"));
  ASSERT_THAT(restored->AdoptKeys(KeysOf(original.get())), IsOk());
  // The backup's copy held the first 7; the bus holds all 12.
  ASSERT_THAT(restored->Adopt(Slice(bytes, 0, 7)), IsOkAndHolds(7u));
  ASSERT_THAT(restored->Adopt(Slice(bytes, 7, 12)), IsOkAndHolds(5u));
  EXPECT_EQ(restored->LastSequence(), 12u);
  for (uint64_t size : {1u, 7u, 12u}) {
    EXPECT_EQ(*restored->RootHash(size), *original->RootHash(size)) << size;
  }
  EXPECT_THAT(restored->StreamVersion("s/1"), IsOkAndHolds(4u));
  EXPECT_EQ(restored->OutboxPending(), 0u) << "taken back as published";
  // A client sending command 10 again gets its original result, not a second event.
  auto again = restored->Append(Command("s/1", "cmd-10"));
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->idempotent_replay());
  EXPECT_EQ(again->log_sequence(), 11u);
  // A new command continues the log and the stream.
  auto next = restored->Append(Command("s/1", "cmd-new"));
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->log_sequence(), 13u);
  EXPECT_EQ(next->stream_version(), 5u);
  auto waiting = restored->PendingOutbox(10);
  ASSERT_THAT(waiting, IsOk());
  EXPECT_EQ(waiting->size(), 1u);
}

TEST(AdoptTest, BehindAnOutboxStillWaitingTheEventsTakenBackWaitTooSoTheOutboxStaysWhole) {
  TempDir dir;
  auto original = OpenStore(dir.Sub("original"));
  const std::vector<std::string> bytes = WriteOriginal(original.get());
  auto restored = OpenStore(dir.Sub("restored"));
  ASSERT_THAT(restored->AdoptKeys(KeysOf(original.get())), IsOk());
  // The backup's copy: 5 events, none yet published.
  for (int i = 0; i < 5; ++i) ASSERT_THAT(restored->Append(Command(absl::StrCat("s/", i % 3), absl::StrCat("cmd-", i))), IsOk());
  ASSERT_EQ(restored->OutboxPending(), 5u);
  // Its own first five differ from the original's (new ids, times): take back 6..12 only.
  ASSERT_THAT(restored->Adopt(Slice(bytes, 5, 12)), IsOkAndHolds(7u));
  EXPECT_EQ(restored->OutboxPending(), 12u);
  auto pending = restored->PendingOutbox(100);
  ASSERT_THAT(pending, IsOk());
  ASSERT_EQ(pending->size(), 12u) << "every waiting event, without a gap";
  EXPECT_EQ(pending->back().bytes, bytes[11]);
}

TEST(AdoptTest, AGapAStreamOutOfOrderOrAnUnreadableEventIsRefusedAndNothingIsWritten) {
  TempDir dir;
  auto original = OpenStore(dir.Sub("original"));
  const std::vector<std::string> bytes = WriteOriginal(original.get());
  auto restored = OpenStore(dir.Sub("restored"));
  ASSERT_THAT(restored->AdoptKeys(KeysOf(original.get())), IsOk());
  ASSERT_THAT(restored->Adopt(Slice(bytes, 0, 4)), IsOk());
  // Event 6 without event 5: the log cannot be continued.
  auto gap = restored->Adopt(Slice(bytes, 5, 8));
  EXPECT_THAT(gap, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(gap.status().message()), HasSubstr("not 5"));
  EXPECT_EQ(restored->LastSequence(), 4u);
  // An event whose stream version does not follow the store's.
  safeguard::v1::EventEnvelope e;
  ASSERT_TRUE(e.ParseFromString(bytes[4]));
  e.set_stream_version(e.stream_version() + 3);
  EXPECT_THAT(restored->Adopt({e.SerializeAsString()}), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(restored->Adopt({"not an event"}), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(restored->LastSequence(), 4u);
  EXPECT_EQ(*restored->RootHash(4), *original->RootHash(4));
}

TEST(AdoptTest, FromTheBusEachEventIsTakenOnceAndTwoDifferentEventsOfOneNumberAreRefused) {
  TempDir dir;
  auto original = OpenStore(dir.Sub("original"));
  const std::vector<std::string> bytes = WriteOriginal(original.get());
  auto bus = RocksDbEventBus::Open(dir.Sub("bus"), SystemClock());
  ASSERT_THAT(bus, IsOk());
  // Published, with events 9 and 10 published twice (a relay that did not hear back).
  std::vector<BusMessage> published;
  for (size_t i = 0; i < bytes.size(); ++i) published.push_back({"police.events", "k", bytes[i]});
  published.push_back({"police.events", "k", bytes[8]});
  published.push_back({"police.events", "k", bytes[9]});
  // The keys, on the keys topic as the relay published them.
  const std::vector<safeguard::v1::DataKeyRecord> keys = KeysOf(original.get());
  ASSERT_EQ(keys.size(), 3u);
  for (const auto& k : keys) published.push_back({"police.keys", k.key_id(), k.SerializeAsString()});
  ASSERT_THAT((*bus)->Publish(published), IsOk());
  auto restored = OpenStore(dir.Sub("restored"));
  ASSERT_THAT(restored->Adopt(Slice(bytes, 0, 1)), StatusIs(absl::StatusCode::kFailedPrecondition))
      << "an event whose key the store lacks cannot be checked against the agency's rules";
  EXPECT_THAT(AdoptFromBus(restored.get(), bus->get(), "police.events", "police.keys"), IsOkAndHolds(12u));
  EXPECT_EQ(*restored->RootHash(12), *original->RootHash(12));
  // A topic holding another event under number 13 twice, differently: nothing is taken.
  auto other = OpenStore(dir.Sub("other"));
  ASSERT_THAT(other->Append(Command("s/x", "x-1")), IsOk());
  safeguard::v1::EventEnvelope forged;
  ASSERT_TRUE(forged.ParseFromString(*other->EventBytes(1)));
  forged.set_log_sequence(13);
  forged.set_stream_id("s/1");
  forged.set_stream_version(5);
  safeguard::v1::EventEnvelope forged_too = forged;
  forged_too.set_event_type("test.Other");
  ASSERT_THAT((*bus)->Publish({{"police.events", "k", forged.SerializeAsString()},
                               {"police.events", "k", forged_too.SerializeAsString()}}),
              IsOk());
  EXPECT_THAT(AdoptFromBus(restored.get(), bus->get(), "police.events", "police.keys"),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ(restored->LastSequence(), 12u);
}

}  // namespace
}  // namespace safeguard
