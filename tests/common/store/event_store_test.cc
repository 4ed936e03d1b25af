#include "common/store/event_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/merkle/merkle.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"
#include "rocksdb/write_batch.h"
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
using ::testing::SizeIs;

EventStore::AppendCommand Command(const std::string& stream, const std::string& command_id,
                                  std::optional<uint64_t> expected = std::nullopt,
                                  const std::string& fingerprint = "fp") {
  EventStore::AppendCommand c;
  c.stream_id = stream;
  c.command_id = command_id;
  c.expected_version = expected;
  c.fingerprint = fingerprint;
  c.event.set_event_type("test.Happened");
  c.event.set_subject_key(stream);
  return c;
}

std::unique_ptr<EventStore> OpenStore(const std::string& path) {
  auto store = EventStore::Open(EventStore::Options{.path = path, .keys = testing::TestKeys()});
  EXPECT_THAT(store, IsOk());
  return std::move(store).value();
}

TEST(EventStoreTest, AssignsStreamVersionsAndGapFreeSequence) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  auto a1 = store->Append(Command("s/a", "cmd-a-0001"));
  auto b1 = store->Append(Command("s/b", "cmd-b-0001"));
  auto a2 = store->Append(Command("s/a", "cmd-a-0002"));
  ASSERT_THAT(a1, IsOk());
  ASSERT_THAT(b1, IsOk());
  ASSERT_THAT(a2, IsOk());
  EXPECT_EQ(a1->stream_version(), 1u);
  EXPECT_EQ(b1->stream_version(), 1u);
  EXPECT_EQ(a2->stream_version(), 2u);
  EXPECT_EQ(a1->log_sequence(), 1u);
  EXPECT_EQ(b1->log_sequence(), 2u);
  EXPECT_EQ(a2->log_sequence(), 3u);
  EXPECT_FALSE(a1->idempotent_replay());

  auto stream = store->ReadStream("s/a", 1, 100);
  ASSERT_THAT(stream, IsOk());
  ASSERT_THAT(*stream, SizeIs(2));
  EXPECT_EQ((*stream)[0].event_id(), a1->event_id());
  EXPECT_EQ((*stream)[1].event_id(), a2->event_id());
  EXPECT_EQ((*stream)[1].stream_id(), "s/a");
  EXPECT_EQ((*stream)[1].command_id(), "cmd-a-0002");
  EXPECT_TRUE((*stream)[1].has_recorded_at());

  auto log = store->ReadLog(2, 100);
  ASSERT_THAT(log, IsOk());
  ASSERT_THAT(*log, SizeIs(2));
  EXPECT_EQ((*log)[0].log_sequence(), 2u);
  EXPECT_EQ(store->LastSequence(), 3u);
}

TEST(EventStoreTest, VersionConflictIsAbortedAndWritesNothing) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(Command("s/a", "cmd-a-0001", 0)), IsOk());

  EXPECT_THAT(store->Append(Command("s/a", "cmd-a-0002", 0)),
              StatusIs(absl::StatusCode::kAborted, "is at version 1"));
  EXPECT_THAT(store->Append(Command("s/a", "cmd-a-0002", 5)), StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(store->LastSequence(), 1u);
  EXPECT_EQ(*store->StreamVersion("s/a"), 1u);
  auto outbox = store->PendingOutbox(100);
  EXPECT_THAT(*outbox, SizeIs(1));

  // The refused command id was not consumed: retried with the right version, it succeeds.
  auto retried = store->Append(Command("s/a", "cmd-a-0002", 1));
  ASSERT_THAT(retried, IsOk());
  EXPECT_EQ(retried->stream_version(), 2u);
  EXPECT_EQ(retried->log_sequence(), 2u);
}

TEST(EventStoreTest, RepeatedCommandIdReturnsOriginalResultAcrossRestart) {
  TempDir dir;
  safeguard::v1::CommandResult original;
  {
    auto store = OpenStore(dir.path());
    auto r = store->Append(Command("s/a", "cmd-once-001"));
    ASSERT_THAT(r, IsOk());
    original = *r;
    auto again = store->Append(Command("s/a", "cmd-once-001"));
    ASSERT_THAT(again, IsOk());
    EXPECT_TRUE(again->idempotent_replay());
    EXPECT_EQ(again->event_id(), original.event_id());
    EXPECT_EQ(store->LastSequence(), 1u);
  }
  auto store = OpenStore(dir.path());
  // Even with a now-stale expected version, the replay wins: the command already happened.
  auto replay = store->Append(Command("s/a", "cmd-once-001", 0));
  ASSERT_THAT(replay, IsOk());
  EXPECT_TRUE(replay->idempotent_replay());
  EXPECT_EQ(replay->event_id(), original.event_id());
  EXPECT_EQ(replay->log_sequence(), original.log_sequence());
  EXPECT_EQ(replay->recorded_at().seconds(), original.recorded_at().seconds());
  EXPECT_EQ(store->LastSequence(), 1u);
  EXPECT_THAT(*store->ReadLog(1, 100), SizeIs(1));
}

TEST(EventStoreTest, CommandIdReusedForDifferentCommandIsRefused) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(Command("s/a", "cmd-reuse-01", std::nullopt, "fingerprint-1")), IsOk());
  EXPECT_THAT(store->Append(Command("s/a", "cmd-reuse-01", std::nullopt, "fingerprint-2")),
              StatusIs(absl::StatusCode::kAlreadyExists, "different command"));
  EXPECT_EQ(store->LastSequence(), 1u);
}

TEST(EventStoreTest, SequenceContinuesWithoutGapAfterRestart) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    for (int i = 0; i < 5; ++i) ASSERT_THAT(store->Append(Command("s/a", absl::StrCat("cmd-first-", i))), IsOk());
  }
  auto store = OpenStore(dir.path());
  EXPECT_EQ(store->LastSequence(), 5u);
  auto r = store->Append(Command("s/a", "cmd-after-restart"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->log_sequence(), 6u);
  EXPECT_EQ(r->stream_version(), 6u);
}

TEST(EventStoreTest, ConcurrentWritersGetGapFreeSequencesAndShareSyncs) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::vector<std::vector<safeguard::v1::CommandResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Two threads share each stream so that versions interleave.
        auto r = store->Append(Command(absl::StrCat("s/", t % 4), absl::StrCat("cmd-", t, "-", i)));
        ASSERT_THAT(r, IsOk());
        results[t].push_back(*r);
      }
    });
  }
  for (auto& th : threads) th.join();

  std::set<uint64_t> sequences;
  std::map<std::string, std::set<uint64_t>> versions;
  for (const auto& per_thread : results) {
    for (const auto& r : per_thread) {
      sequences.insert(r.log_sequence());
      versions[r.stream_id()].insert(r.stream_version());
    }
  }
  constexpr uint64_t kTotal = kThreads * kPerThread;
  ASSERT_EQ(sequences.size(), kTotal);  // no duplicates
  EXPECT_EQ(*sequences.begin(), 1u);
  EXPECT_EQ(*sequences.rbegin(), kTotal);  // and so no gaps
  for (const auto& [stream, vs] : versions) {
    EXPECT_EQ(vs.size(), 2u * kPerThread) << stream;
    EXPECT_EQ(*vs.rbegin(), 2u * kPerThread) << stream;
  }
  // The log read back agrees with what was acknowledged.
  auto log = store->ReadLog(1, kTotal + 10);
  ASSERT_THAT(*log, SizeIs(kTotal));
  for (uint64_t i = 0; i < kTotal; ++i) EXPECT_EQ((*log)[i].log_sequence(), i + 1);
  // Group commit: eight writers blocked on syncs share them.
  const EventStore::Stats stats = store->stats();
  EXPECT_EQ(stats.events_written, kTotal);
  EXPECT_LT(stats.synced_writes, kTotal);
}

TEST(EventStoreTest, SameCommandTwiceInOneGroupWritesOnce) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<safeguard::v1::CommandResult>> results(6, absl::UnknownError(""));
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      open.wait();
      results[t] = store->Append(Command("s/a", "cmd-raced-01"));
    });
  }
  gate.set_value();
  for (auto& th : threads) th.join();
  int fresh = 0;
  for (const auto& r : results) {
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->event_id(), results[0]->event_id());
    if (!r->idempotent_replay()) ++fresh;
  }
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(store->LastSequence(), 1u);
}

TEST(EventStoreTest, AStoreWrittenBeforeEventsWereSealedIsNotOpened) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_THAT(store->Append(Command("s/a", "cmd-format")), IsOk());
  }
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), "mformat").ok());
  }
  auto reopened = EventStore::Open(EventStore::Options{.path = dir.path(), .keys = testing::TestKeys()});
  EXPECT_THAT(reopened, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(reopened.status().message()), HasSubstr("stored before personal data was sealed"));
}

TEST(EventStoreTest, AReadsRecordIsSealedUnderItsSubjectsKeyMadeOnceWhoeverNeedsItFirst) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(Command("s/a", "cmd-a")), IsOk());
  // A key made for a read's record of the same subject is that key; for another, a new one.
  auto same = store->KeyFor(safeguard::v1::AGENCY_UNSPECIFIED, "s/a");
  ASSERT_THAT(same, IsOk());
  EXPECT_EQ(same->key_id, crypto::DataKeyId(*testing::TestVault(), safeguard::v1::AGENCY_UNSPECIFIED, "s/a"));
  auto other = store->KeyFor(safeguard::v1::AGENCY_UNSPECIFIED, "s/b");
  ASSERT_THAT(other, IsOk());
  EXPECT_NE(other->key, same->key);
  EXPECT_FALSE(other->new_record.empty()) << "made by this call: its record, to publish with the read's";
  EXPECT_TRUE(same->new_record.empty());
  EXPECT_THAT(*store->PendingKeys(10), SizeIs(2)) << "s/a's, made with its event, and s/b's";
  ASSERT_THAT(store->Append(Command("s/b", "cmd-out-b")), IsOk());
  auto b = store->ReadStream("s/b", 1, 10);
  ASSERT_THAT(b, IsOk());
  ASSERT_THAT(*b, SizeIs(1));
  safeguard::v1::EventEnvelope stored;
  ASSERT_TRUE(stored.ParseFromString(*store->EventBytes(2)));
  EXPECT_EQ(stored.sealed().key_id(), other->key_id) << "an event is sealed under the key a read made first";
  EXPECT_THAT(*store->PendingKeys(10), SizeIs(2)) << "s/b's event made no second key";
}

TEST(EventStoreTest, OutboxHoldsCommittedEventsUntilMarkedPublished) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  for (int i = 0; i < 3; ++i) ASSERT_THAT(store->Append(Command("s/a", absl::StrCat("cmd-out-", i))), IsOk());
  auto pending = store->PendingOutbox(10);
  ASSERT_THAT(*pending, SizeIs(3));
  EXPECT_EQ((*pending)[0].sequence, 1u);
  EXPECT_EQ((*pending)[2].sequence, 3u);
  EXPECT_EQ((*pending)[2].key, crypto::SubjectPseudonym(*testing::TestVault(), "s/a")) << "the bus names no one";
  // The subject's data key waits to be published too, once, from the write that made it.
  auto keys = store->PendingKeys(10);
  ASSERT_THAT(keys, IsOk());
  ASSERT_THAT(*keys, SizeIs(1));
  EXPECT_EQ((*keys)[0].key_id, crypto::DataKeyId(*testing::TestVault(), safeguard::v1::AGENCY_UNSPECIFIED, "s/a"));
  ASSERT_THAT(store->MarkKeysPublished({(*keys)[0].key_id}), IsOk());
  EXPECT_THAT(*store->PendingKeys(10), SizeIs(0));
  EXPECT_EQ((*pending)[2].bytes, *store->EventBytes(3));
  EXPECT_EQ(store->OutboxPending(), 3u);
  ASSERT_THAT(store->MarkPublished({1, 2}), IsOk());
  pending = store->PendingOutbox(10);
  ASSERT_THAT(*pending, SizeIs(1));
  EXPECT_EQ((*pending)[0].sequence, 3u);
  EXPECT_EQ(store->OutboxPending(), 1u);
  // The log itself is untouched, and the outbox stands the same after a restart.
  EXPECT_THAT(*store->ReadLog(1, 10), SizeIs(3));
  store.reset();
  store = OpenStore(dir.path());
  EXPECT_EQ(store->OutboxPending(), 1u);
  pending = store->PendingOutbox(10);
  ASSERT_THAT(*pending, SizeIs(1));
  EXPECT_EQ((*pending)[0].sequence, 3u);
}

// The outbox is read from its first unpublished entry: published entries, deleted but
// still in RocksDB as tombstones until compaction, are never stepped over again. (It
// used to seek to the start of the outbox's range on every read: 30% of the server's CPU
// at 0.1M events, 58% at 3.3M.)
TEST(EventStoreTest, ReadingTheOutboxNeverStepsOverPublishedEntries) {
  TempDir dir;
  auto statistics = rocksdb::CreateDBStatistics();
  auto opened = EventStore::Open(EventStore::Options{.path = dir.path(), .statistics = statistics, .keys = testing::TestKeys()});
  ASSERT_THAT(opened, IsOk());
  std::unique_ptr<EventStore> store = std::move(opened).value();
  std::vector<std::future<absl::StatusOr<safeguard::v1::CommandResult>>> appended;
  for (int i = 0; i < 2000; ++i) {
    auto done = std::make_shared<std::promise<absl::StatusOr<safeguard::v1::CommandResult>>>();
    appended.push_back(done->get_future());
    store->AppendAsync(Command(absl::StrCat("s/", i), absl::StrCat("cmd-many-", i)),
                       [done](absl::StatusOr<safeguard::v1::CommandResult> r) { done->set_value(std::move(r)); });
  }
  for (auto& f : appended) ASSERT_THAT(f.get(), IsOk());
  for (uint64_t from = 1; from <= 2000; from += 500) {
    std::vector<uint64_t> published;
    for (uint64_t seq = from; seq < from + 500; ++seq) published.push_back(seq);
    ASSERT_THAT(store->MarkPublished(published), IsOk());
  }
  const uint64_t skipped_before = statistics->getTickerCount(rocksdb::NUMBER_ITER_SKIP);
  for (int i = 0; i < 10; ++i) ASSERT_THAT(store->PendingOutbox(512), IsOk());
  EXPECT_LT(statistics->getTickerCount(rocksdb::NUMBER_ITER_SKIP) - skipped_before, 100u)
      << "reading an empty outbox stepped over the 2,000 published entries";
  EXPECT_EQ(store->OutboxPending(), 0u);
}

// A test agency whose events record references, and whose rule refuses a reference
// recorded twice.
class RefFolder : public StreamFolder {
 public:
  std::string Version() const override { return "test/1"; }
  absl::Status Apply(const safeguard::v1::EventEnvelope& e, StreamState& state) const override {
    state.Put(absl::StrCat("ref/", e.event_type()), "");
    return absl::OkStatus();
  }
};

EventStore::AppendCommand RefCommand(const std::string& stream, const std::string& ref, const std::string& command_id) {
  EventStore::AppendCommand c = Command(stream, command_id, std::nullopt, absl::StrCat("fp-", ref, command_id));
  c.event.set_event_type(ref);
  c.rule = [ref](const StreamState& state) -> absl::Status {
    absl::StatusOr<std::optional<std::string>> seen = state.Get(absl::StrCat("ref/", ref));
    if (!seen.ok()) return seen.status();
    if (seen->has_value()) return absl::AlreadyExistsError(absl::StrCat("ref ", ref, " is recorded"));
    return absl::OkStatus();
  };
  return c;
}

TEST(EventStoreTest, ARuleIsCheckedAgainstTheStreamStateIncludingItsOwnGroup) {
  TempDir dir;
  RefFolder folder;
  auto opened = EventStore::Open(EventStore::Options{.path = dir.path(), .folder = &folder, .keys = testing::TestKeys()});
  ASSERT_THAT(opened, IsOk());
  std::unique_ptr<EventStore> store = std::move(opened).value();
  ASSERT_THAT(store->Append(RefCommand("s/a", "R-1", "cmd-r-0001")), IsOk());
  EXPECT_THAT(store->Append(RefCommand("s/a", "R-1", "cmd-r-0002")), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(store->Append(RefCommand("s/b", "R-1", "cmd-r-0003")), IsOk()) << "another stream's state is its own";
  // A repeated command id is its original result, even though the rule would now refuse it.
  auto replay = store->Append(RefCommand("s/a", "R-1", "cmd-r-0001"));
  ASSERT_THAT(replay, IsOk());
  EXPECT_TRUE(replay->idempotent_replay());

  // Many appends of one reference at once, in whatever groups the writer makes: exactly
  // one is accepted, the others refused by the rule, none ABORTED.
  std::vector<std::future<absl::StatusOr<safeguard::v1::CommandResult>>> outcomes;
  for (int i = 0; i < 50; ++i) {
    auto done = std::make_shared<std::promise<absl::StatusOr<safeguard::v1::CommandResult>>>();
    outcomes.push_back(done->get_future());
    store->AppendAsync(RefCommand("s/c", "R-9", absl::StrCat("cmd-race-", i)),
                       [done](absl::StatusOr<safeguard::v1::CommandResult> r) { done->set_value(std::move(r)); });
  }
  int accepted = 0, refused = 0;
  for (auto& f : outcomes) {
    absl::StatusOr<safeguard::v1::CommandResult> r = f.get();
    if (r.ok()) ++accepted;
    if (absl::IsAlreadyExists(r.status())) ++refused;
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(refused, 49);
  EXPECT_EQ(*store->StreamVersion("s/c"), 1u);
}

TEST(EventStoreTest, StreamStateIsBuiltFromTheLogWhenTheFoldIsNewOrChanged) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());  // no folder: no state kept
    ASSERT_THAT(store->Append(RefCommand("s/a", "R-1", "cmd-r-0001")), IsOk());
  }
  RefFolder folder;
  auto opened = EventStore::Open(EventStore::Options{.path = dir.path(), .folder = &folder, .keys = testing::TestKeys()});
  ASSERT_THAT(opened, IsOk());
  std::unique_ptr<EventStore> store = std::move(opened).value();
  EXPECT_THAT(*store->StreamEntry("s/a", "ref/R-1"), ::testing::Optional(std::string()));
  EXPECT_THAT(store->Append(RefCommand("s/a", "R-1", "cmd-r-0002")), StatusIs(absl::StatusCode::kAlreadyExists));
}

// Every file of `dir` whose bytes hold `needle`.
std::vector<std::string> FilesHolding(const std::string& dir, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) out.push_back(f.path().filename().string());
  }
  return out;
}

TEST(EventStoreTest, ADestroyedKeyLeavesItsEventsSealedTheirStateGoneAndNoTableFileHoldingIt) {
  TempDir dir;
  RefFolder folder;
  auto opened = EventStore::Open(EventStore::Options{.path = dir.path(), .folder = &folder, .keys = testing::TestKeys()});
  ASSERT_THAT(opened, IsOk());
  std::unique_ptr<EventStore> store = std::move(opened).value();
  for (int i = 0; i < 3; ++i) ASSERT_THAT(store->Append(RefCommand("s/erased", absl::StrCat("R-", i), absl::StrCat("cmd-e-", i))), IsOk());
  ASSERT_THAT(store->Append(RefCommand("s/kept", "R-0", "cmd-k-0")), IsOk());
  const std::string key_id = crypto::DataKeyId(*testing::TestVault(), safeguard::v1::AGENCY_UNSPECIFIED, "s/erased");
  auto record = store->DataKey(key_id);
  ASSERT_THAT(record, IsOk());
  ASSERT_TRUE(record->has_value());
  const std::string wrapped = (*record)->wrapped().ciphertext();
  std::vector<std::string> keys_published;
  auto made = store->PendingKeys(10);
  ASSERT_THAT(made, IsOk());
  for (const auto& k : *made) keys_published.push_back(k.key_id);
  ASSERT_THAT(store->MarkKeysPublished(keys_published), IsOk());
  auto before = store->Scrub();
  ASSERT_THAT(before, IsOk());
  ASSERT_TRUE(before->ok()) << before->problem;
  const std::string root = *store->RootHash(4);

  safeguard::v1::KeyDestruction destruction;
  destruction.set_basis("DPA 2018 s.47(3): court order C-1");
  destruction.set_decision_id("decision-1");
  ASSERT_THAT(store->DestroyKey(key_id, destruction), IsOk());
  ASSERT_THAT(store->DestroyKey(key_id, destruction), IsOk()) << "once destroyed, destroyed";
  EXPECT_THAT(store->DestroyKey("/~none", destruction), StatusIs(absl::StatusCode::kNotFound));

  // The record says only that it was destroyed, and waits to be published so.
  record = store->DataKey(key_id);
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_FALSE((*record)->has_wrapped());
  EXPECT_EQ((*record)->destroyed().basis(), "DPA 2018 s.47(3): court order C-1");
  auto waiting = store->PendingKeys(10);
  ASSERT_THAT(waiting, IsOk());
  ASSERT_THAT(*waiting, SizeIs(1));
  EXPECT_EQ((*waiting)[0].key_id, key_id);
  // Published; then a read's older record of it reaches the bus after (an erasure racing
  // the read): the destruction, and only it, is queued to be published again.
  ASSERT_THAT(store->MarkKeysPublished({key_id}), IsOk());
  store->RepublishIfDestroyed({key_id, crypto::DataKeyId(*testing::TestVault(), safeguard::v1::AGENCY_UNSPECIFIED, "s/kept")});
  waiting = store->PendingKeys(10);
  ASSERT_THAT(waiting, IsOk());
  ASSERT_THAT(*waiting, SizeIs(1));
  EXPECT_EQ((*waiting)[0].key_id, key_id);
  // The events stay, in their places, sealed: the log and its proofs are as they were.
  auto events = store->ReadStream("s/erased", 1, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_THAT(*events, SizeIs(3));
  for (const auto& e : *events) EXPECT_TRUE(e.has_sealed()) << "no key opens it";
  EXPECT_EQ(*store->RootHash(4), root);
  auto after = store->Scrub();
  ASSERT_THAT(after, IsOk());
  EXPECT_TRUE(after->ok()) << after->problem;
  // Its state is gone; the other stream's is not; nothing more is recorded under it.
  EXPECT_THAT(store->StreamEntry("s/erased", "ref/R-0"), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(store->StreamEntry("s/kept", "ref/R-0"), IsOkAndHolds(std::optional<std::string>("")));
  EXPECT_THAT(store->Append(RefCommand("s/erased", "R-9", "cmd-e-9")), StatusIs(absl::StatusCode::kFailedPrecondition));
  // No table file holds the wrapped key any more.
  for (const std::string& file : FilesHolding(dir.path(), wrapped)) {
    EXPECT_FALSE(absl::EndsWith(file, ".sst")) << file << " still holds the destroyed key";
  }
  // And after a restart, it is still destroyed, and the rest still opens.
  store.reset();
  opened = EventStore::Open(EventStore::Options{.path = dir.path(), .folder = &folder, .keys = testing::TestKeys()});
  ASSERT_THAT(opened, IsOk());
  store = std::move(opened).value();
  EXPECT_TRUE((*store->ReadStream("s/erased", 1, 10))[0].has_sealed());
  EXPECT_FALSE((*store->ReadStream("s/kept", 1, 10))[0].has_sealed());
}

// Rotating the key-encryption key: once the vault has a newer KEK, the next open re-wraps
// every data key (and the state key) under it and queues each to be published again, so the
// older KEK can be retired and everything still opens. A store opened with a vault that
// lost a KEK its state key needs says so and does not open.
TEST(EventStoreTest, AnOpenAfterANewKekRewrapsEveryKeySoTheOldOneCanBeRetired) {
  TempDir dir, vault_dir;
  const std::string vault_path = vault_dir.Sub("vault");
  ASSERT_THAT(crypto::FileKeyVault::Create(vault_path), IsOk());
  auto open_with_vault = [&](std::unique_ptr<crypto::FileKeyVault>* vault, std::unique_ptr<crypto::KeyRing>* ring) {
    auto opened_vault = crypto::FileKeyVault::Open(vault_path);
    EXPECT_THAT(opened_vault, IsOk());
    *vault = std::move(opened_vault).value();
    *ring = std::make_unique<crypto::KeyRing>(vault->get());
    return EventStore::Open(EventStore::Options{.path = dir.Sub("store"), .keys = ring->get()});
  };
  std::unique_ptr<crypto::FileKeyVault> vault;
  std::unique_ptr<crypto::KeyRing> ring;
  std::string root;
  {
    auto store = open_with_vault(&vault, &ring);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append(Command("s/a", "cmd-a-0001")), IsOk());
    ASSERT_THAT((*store)->Append(Command("s/b", "cmd-b-0001")), IsOk());
    auto made = (*store)->PendingKeys(10);
    ASSERT_THAT(made, IsOk());
    ASSERT_THAT(*made, SizeIs(2));
    std::vector<std::string> ids;
    for (const auto& k : *made) ids.push_back(k.key_id);
    ASSERT_THAT((*store)->MarkKeysPublished(ids), IsOk());
    root = *(*store)->RootHash(2);
  }
  ASSERT_THAT(crypto::FileKeyVault::AddKek(vault_path), IsOkAndHolds(std::string("2")));
  {
    auto store = open_with_vault(&vault, &ring);
    ASSERT_THAT(store, IsOk());
    const std::string key_a = crypto::DataKeyId(*vault, safeguard::v1::AGENCY_UNSPECIFIED, "s/a");
    auto record = (*store)->DataKey(key_a);
    ASSERT_THAT(record, IsOk());
    ASSERT_TRUE(record->has_value());
    EXPECT_EQ((*record)->wrapped().kek_id(), "2");
    auto again = (*store)->PendingKeys(10);
    ASSERT_THAT(again, IsOk());
    EXPECT_THAT(*again, SizeIs(2)) << "each re-wrapped key waits to be published again";
    EXPECT_EQ((*store)->keys_under_retired_keks(), 0u);
  }
  ASSERT_THAT(crypto::FileKeyVault::RetireKek(vault_path, "1"), IsOk());
  {
    auto store = open_with_vault(&vault, &ring);
    ASSERT_THAT(store, IsOk()) << "nothing it holds needs KEK 1 any more";
    auto events = (*store)->ReadStream("s/a", 1, 10);
    ASSERT_THAT(events, IsOk());
    ASSERT_THAT(*events, SizeIs(1));
    EXPECT_FALSE((*events)[0].has_sealed()) << "opened under a key KEK 2 wraps";
    EXPECT_EQ(*(*store)->RootHash(2), root) << "the log is as it was";
  }
  // A vault that lost the KEK before the store was opened with the newer one: refused.
  TempDir other;
  {
    auto vault_again = crypto::FileKeyVault::Open(vault_path);
    ASSERT_THAT(vault_again, IsOk());
    crypto::KeyRing keys(vault_again->get());
    auto store = EventStore::Open(EventStore::Options{.path = other.path(), .keys = &keys});
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append(Command("s/a", "cmd-a-0001")), IsOk());
  }
  ASSERT_THAT(crypto::FileKeyVault::AddKek(vault_path), IsOk());
  ASSERT_THAT(crypto::FileKeyVault::RetireKek(vault_path, "2"), IsOk());
  auto vault_without = crypto::FileKeyVault::Open(vault_path);
  ASSERT_THAT(vault_without, IsOk());
  crypto::KeyRing keys(vault_without->get());
  EXPECT_THAT(EventStore::Open(EventStore::Options{.path = other.path(), .keys = &keys}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(EventStoreTest, SecondOpenOfTheSameDirectoryFails) {
  TempDir dir;
  auto first = OpenStore(dir.path());
  EXPECT_FALSE(EventStore::Open(EventStore::Options{.path = dir.path(), .keys = testing::TestKeys()}).ok());
}

}  // namespace
}  // namespace safeguard

namespace safeguard {
namespace {

// The root and proofs the store gives, against the tree computed independently from the
// stored bytes of every event (as an auditor holding a copy of the log would).
std::string RootFromBytes(EventStore& store, uint64_t size) {
  std::vector<std::string> level;
  for (uint64_t seq = 1; seq <= size; ++seq) level.push_back(merkle::LeafHash(*store.EventBytes(seq)));
  if (level.empty()) return merkle::EmptyRoot();
  // MTH by the RFC's recursion.
  std::function<std::string(size_t, size_t)> mth = [&](size_t b, size_t e) -> std::string {
    if (e - b == 1) return level[b];
    size_t k = 1;
    while (k << 1 < e - b) k <<= 1;
    return merkle::NodeHash(mth(b, b + k), mth(b + k, e));
  };
  return mth(0, level.size());
}

TEST(EventStoreMerkleTest, TheLogIsAMerkleTreeOfItsStoredEventsWithProofsForEverySize) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 10; ++i) ASSERT_THAT(store->Append(Command(absl::StrCat("s/", w), absl::StrCat("cmd-", w, "-", i, "-0000"))), IsOk());
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_EQ(store->LastSequence(), 40u);
  std::vector<std::string> roots;
  for (uint64_t n = 0; n <= 40; ++n) {
    auto root = store->RootHash(n);
    ASSERT_THAT(root, IsOk());
    EXPECT_EQ(*root, RootFromBytes(*store, n)) << "size " << n;
    roots.push_back(*root);
  }
  for (uint64_t n = 1; n <= 40; n += 3) {
    for (uint64_t seq = 1; seq <= n; ++seq) {
      auto proof = store->InclusionProof(seq, n);
      ASSERT_THAT(proof, IsOk());
      EXPECT_TRUE(merkle::VerifyInclusion(merkle::LeafHash(*store->EventBytes(seq)), seq - 1, n, *proof, roots[n]));
    }
    for (uint64_t m = 0; m <= n; ++m) {
      auto proof = store->ConsistencyProof(m, n);
      ASSERT_THAT(proof, IsOk());
      EXPECT_TRUE(merkle::VerifyConsistency(m, n, roots[m], roots[n], *proof)) << m << " -> " << n;
    }
  }
  EXPECT_THAT(store->RootHash(41), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(store->InclusionProof(0, 5), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->InclusionProof(6, 5), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->ConsistencyProof(5, 41), StatusIs(absl::StatusCode::kOutOfRange));

  // After a restart the tree continues: the earlier roots are unchanged and new events
  // extend them.
  store.reset();
  store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(Command("s/after", "cmd-after-restart")), IsOk());
  EXPECT_EQ(*store->RootHash(40), roots[40]);
  EXPECT_EQ(*store->RootHash(41), RootFromBytes(*store, 41));
  auto proof = store->ConsistencyProof(40, 41);
  ASSERT_THAT(proof, IsOk());
  EXPECT_TRUE(merkle::VerifyConsistency(40, 41, roots[40], *store->RootHash(41), *proof));
}

TEST(EventStoreMerkleTest, AStoreWithoutItsTreeHasItBuiltFromItsEventsWhenOpened) {
  TempDir dir;
  std::string root;
  {
    auto store = OpenStore(dir.path());
    for (int i = 0; i < 13; ++i) ASSERT_THAT(store->Append(Command("s/a", absl::StrCat("cmd-old-", i, "-000"))), IsOk());
    root = *store->RootHash(13);
  }
  {
    // As a store written before the log was a tree: no nodes.
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek("h"); it->Valid() && it->key().starts_with("h"); it->Next()) batch.Delete(it->key());
    ASSERT_GT(batch.Count(), 13u);
    ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  }
  auto store = OpenStore(dir.path());
  EXPECT_EQ(*store->RootHash(13), root);
  ASSERT_THAT(store->Append(Command("s/a", "cmd-new-0001")), IsOk());
  EXPECT_EQ(*store->RootHash(14), RootFromBytes(*store, 14));
}

}  // namespace
}  // namespace safeguard
