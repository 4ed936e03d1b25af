// A store altered behind Safeguard's back, as an attacker or a failing disk would leave it
// (RocksDB opened directly, as with ldb): one event's bytes changed, two events swapped
// (with their Merkle leaves, as a careful attacker would), one event deleted, a Merkle node
// changed. Each read that reaches the damage answers DATA_LOSS naming the event, is
// counted, and serves nothing of it; the relay publishes nothing altered; the scrub, of the
// open store or of a copy opened read-only, names the first bad event. Before, the altered
// text was served, a swap put one subject's conviction in another's record, and a deleted
// event made the whole subject NOT_FOUND.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/audit/checkpoint.h"
#include "common/keys.h"
#include "common/merkle/merkle.h"
#include "common/store/event_store.h"
#include "rocksdb/db.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;
using ::testing::HasSubstr;

// The store's keys for an event and a Merkle node (event_store.cc's layout).
std::string EventKey(uint64_t seq) {
  std::string k = "e";
  AppendBigEndian64(&k, seq);
  return k;
}
std::string LeafKey(uint64_t seq) {
  std::string k = "h";
  k.push_back(0);
  AppendBigEndian64(&k, seq - 1);
  return k;
}

class StoreIntegrityTest : public ::testing::Test {
 protected:
  // Ten events, alternating between two subjects' streams, and a signed checkpoint of all ten.
  void SetUp() override {
    auto key = audit::SigningKey::LoadOrCreate(dir_.Sub("key.pem"));
    ASSERT_THAT(key, IsOk());
    key_ = *std::move(key);
    auto store = Open();
    for (int i = 1; i <= 10; ++i) {
      EventStore::AppendCommand c;
      c.stream_id = i % 2 == 1 ? "record/alan" : "record/brian";
      c.command_id = absl::StrCat("cmd-integrity-", i);
      c.fingerprint = "fp";
      c.event.set_event_type("police.ConvictionRecorded");
      c.event.set_subject_key(c.stream_id);
      c.event.set_correlation_id(absl::StrCat("conviction of ", i % 2 == 1 ? "alan" : "brian", " number ", i));
      ASSERT_THAT(store->Append(std::move(c)), IsOk());
    }
    auto root = store->RootHash(10);
    ASSERT_THAT(root, IsOk());
    auto checkpoint = audit::SignCheckpoint(*key_, "safeguard/test", 10, *root, absl::Now());
    ASSERT_THAT(checkpoint, IsOk());
    ASSERT_THAT(store->StoreCheckpoint(*checkpoint), IsOk());
  }

  std::unique_ptr<EventStore> Open() {
    auto store = EventStore::Open(EventStore::Options{.path = path_, .keys = testing::TestKeys()});
    EXPECT_THAT(store, IsOk());
    return std::move(store).value();
  }

  // Changes the closed store with RocksDB itself.
  void Tamper(const std::function<void(rocksdb::DB*)>& change) {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path_, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    change(db.get());
  }
  static std::string Get(rocksdb::DB* db, const std::string& key) {
    std::string v;
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), key, &v).ok());
    return v;
  }

  EventStore::CheckpointCheck SignedByOurKey() {
    return [this](const v1::SignedCheckpoint& c) { return audit::VerifyCheckpoint(c, key_->public_key()); };
  }

  TempDir dir_;
  const std::string path_ = dir_.Sub("police");
  std::unique_ptr<audit::SigningKey> key_;
};

TEST_F(StoreIntegrityTest, AnUntouchedStoreReadsAndScrubsClean) {
  auto store = Open();
  EXPECT_THAT(store->ReadStream("record/alan", 1, 100), IsOk());
  EXPECT_THAT(store->ReadLog(1, 100), IsOk());
  EXPECT_THAT(store->PendingOutbox(100), IsOk());
  auto report = store->Scrub(SignedByOurKey());
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << report->problem;
  EXPECT_EQ(report->events, 10u);
  EXPECT_EQ(report->checkpoints_verified, 1u);
  EXPECT_EQ(store->data_loss_detected(), 0u);
}

TEST_F(StoreIntegrityTest, AnAlteredEventIsNeverServedAndTheScrubNamesIt) {
  // Event 5 (alan's third) says something else, in the same number of bytes.
  Tamper([](rocksdb::DB* db) {
    std::string bytes = Get(db, EventKey(5));
    const size_t at = bytes.find("number 5");
    ASSERT_NE(at, std::string::npos);
    bytes.replace(at, 8, "number 9");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), EventKey(5), bytes).ok());
  });
  auto store = Open();
  EXPECT_THAT(store->ReadStream("record/alan", 1, 100),
              StatusIs(absl::StatusCode::kDataLoss, "event 5 of this service's store: it does not match its Merkle leaf"));
  EXPECT_THAT(store->ReadStream("record/brian", 1, 100), IsOk()) << "brian's record is untouched";
  EXPECT_THAT(store->ReadLog(1, 100), StatusIs(absl::StatusCode::kDataLoss, "event 5"));
  EXPECT_THAT(store->EventBytes(5), StatusIs(absl::StatusCode::kDataLoss, "event 5"));
  // The relay publishes the four events before it, then stops at it.
  auto before = store->PendingOutbox(100);
  ASSERT_THAT(before, IsOk());
  ASSERT_EQ(before->size(), 4u);
  ASSERT_THAT(store->MarkPublished({1, 2, 3, 4}), IsOk());
  EXPECT_THAT(store->PendingOutbox(100), StatusIs(absl::StatusCode::kDataLoss, "event 5"))
      << "the relay must not publish it";
  EXPECT_EQ(store->data_loss_detected(), 5u);
  EXPECT_THAT(store->first_data_loss(), HasSubstr("event 5"));

  auto report = store->Scrub(SignedByOurKey());
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->first_bad_sequence, 5u);
  EXPECT_THAT(report->problem, HasSubstr("event 5 does not match its Merkle leaf"));
  store.reset();
  auto copy = EventStore::ScrubAt(path_, SignedByOurKey());
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ(copy->first_bad_sequence, 5u);
}

TEST_F(StoreIntegrityTest, SwappedEventsWithTheirLeavesAreCaughtWhereTheyLie) {
  // Events 3 (alan's) and 4 (brian's) change places, leaves and all: each matches the leaf
  // beside it, but not its place. Before, alan's record read brian's conviction.
  Tamper([](rocksdb::DB* db) {
    const std::string e3 = Get(db, EventKey(3)), e4 = Get(db, EventKey(4));
    const std::string l3 = Get(db, LeafKey(3)), l4 = Get(db, LeafKey(4));
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), EventKey(3), e4).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), EventKey(4), e3).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), LeafKey(3), l4).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), LeafKey(4), l3).ok());
  });
  auto store = Open();
  EXPECT_THAT(store->ReadStream("record/alan", 1, 100),
              StatusIs(absl::StatusCode::kDataLoss, "event 3 of this service's store: it holds event 4"));
  EXPECT_THAT(store->ReadStream("record/brian", 1, 100), StatusIs(absl::StatusCode::kDataLoss, "event 4"));
  auto report = store->Scrub(SignedByOurKey());
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->first_bad_sequence, 3u);
  EXPECT_THAT(report->problem, HasSubstr("moved or swapped"));
}

TEST_F(StoreIntegrityTest, ADeletedEventIsDataLossNotNotFound) {
  Tamper([](rocksdb::DB* db) { ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), EventKey(4)).ok()); });
  auto store = Open();
  EXPECT_THAT(store->ReadStream("record/brian", 1, 100),
              StatusIs(absl::StatusCode::kDataLoss, "event 4 of this service's store: it is missing"));
  EXPECT_THAT(store->ReadStream("record/alan", 1, 100), IsOk());
  EXPECT_THAT(store->ReadLog(1, 100), StatusIs(absl::StatusCode::kDataLoss, "event 4"));
  EXPECT_THAT(store->EventBytes(4), StatusIs(absl::StatusCode::kDataLoss, "event 4"));
  store.reset();
  auto report = EventStore::ScrubAt(path_, SignedByOurKey());
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->first_bad_sequence, 4u);
  EXPECT_THAT(report->problem, HasSubstr("event 4 is missing"));
}

TEST_F(StoreIntegrityTest, AVersionHiddenFromTheStreamsIndexIsDataLossNotAShorterRecord) {
  // Alan's second conviction (version 2, event 3) taken out of his stream's index: before,
  // his record read versions 1, 3, 4, 5 as if that were all of it.
  Tamper([](rocksdb::DB* db) {
    std::string key = NamedPrefix("s", crypto::StreamPseudonym(*testing::TestVault(), "record/alan"));
    AppendBigEndian64(&key, 2);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), key).ok());
  });
  auto store = Open();
  EXPECT_THAT(store->ReadStream("record/alan", 1, 100),
              StatusIs(absl::StatusCode::kDataLoss,
                       absl::StrCat("version 2 of stream ", crypto::StreamPseudonym(*testing::TestVault(), "record/alan"),
                                    " of this service's store: it is missing")));
  // And its last version's entry, which no later entry would reveal.
  store.reset();
  Tamper([](rocksdb::DB* db) {
    std::string key = NamedPrefix("s", crypto::StreamPseudonym(*testing::TestVault(), "record/brian"));
    AppendBigEndian64(&key, 5);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), key).ok());
  });
  store = Open();
  EXPECT_THAT(store->ReadStream("record/brian", 1, 100), StatusIs(absl::StatusCode::kDataLoss,
                       absl::StrCat("version 5 of stream ", crypto::StreamPseudonym(*testing::TestVault(), "record/brian"))));
  EXPECT_THAT(store->ReadStream("record/brian", 1, 4), IsOk()) << "the versions before it are whole";
}

TEST_F(StoreIntegrityTest, AnOutboxEntryDeletedIsFoundNotSkipped) {
  // Event 3's outbox entry gone: the relay would have published 1, 2, 4... and event 3 never.
  Tamper([](rocksdb::DB* db) {
    std::string key = "o";
    AppendBigEndian64(&key, 3);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), key).ok());
  });
  auto store = Open();
  auto first = store->PendingOutbox(100);
  ASSERT_THAT(first, IsOk());
  ASSERT_EQ(first->size(), 2u) << "1 and 2, then it stops";
  ASSERT_THAT(store->MarkPublished({1, 2}), IsOk());
  EXPECT_THAT(store->PendingOutbox(100),
              StatusIs(absl::StatusCode::kDataLoss, "event 3 of this service's store: its outbox entry is missing"));
}

TEST_F(StoreIntegrityTest, AlteredEventsWithRecomputedLeavesAreCaughtByTheTreeAndTheSignedRoot) {
  // The careful attacker alters event 6 and writes the leaf that matches it: every read
  // passes the leaf check, but the nodes above it, and the signed root, do not hold.
  Tamper([](rocksdb::DB* db) {
    std::string bytes = Get(db, EventKey(6));
    const size_t at = bytes.find("number 6");
    ASSERT_NE(at, std::string::npos);
    bytes.replace(at, 8, "number 8");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), EventKey(6), bytes).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), LeafKey(6), merkle::LeafHash(bytes)).ok());
  });
  auto report = EventStore::ScrubAt(path_, SignedByOurKey());
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->first_bad_sequence, 6u);
  EXPECT_THAT(report->problem, HasSubstr("the tree was altered"));
}

TEST_F(StoreIntegrityTest, ACheckpointSignedByAnotherKeyIsTheProblem) {
  auto other = audit::SigningKey::LoadOrCreate(dir_.Sub("other.pem"));
  ASSERT_THAT(other, IsOk());
  auto report = EventStore::ScrubAt(path_, [&](const v1::SignedCheckpoint& c) {
    return audit::VerifyCheckpoint(c, (*other)->public_key());
  });
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->first_bad_sequence, 10u);
  EXPECT_THAT(report->problem, HasSubstr("the checkpoint of 10 events"));
  EXPECT_THAT(EventStore::ScrubAt(dir_.Sub("nothing-here")), StatusIs(absl::StatusCode::kNotFound, "no event store"));
}

}  // namespace
}  // namespace safeguard
