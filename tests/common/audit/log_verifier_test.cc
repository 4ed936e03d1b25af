// The auditor's check of a copy of a log against its signed checkpoints: an intact copy
// passes; an altered event, a deleted event, a swapped pair, a repeated event, a truncated
// copy and a forged checkpoint are each detected, and the first bad event named.
#include "common/audit/log_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/audit/checkpointer.h"
#include "common/merkle/merkle.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard::audit {
namespace {

using ::testing::HasSubstr;
using safeguard::testing::IsOk;
using safeguard::testing::TempDir;

constexpr char kOrigin[] = "safeguard/police";

class LogVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *EventStore::Open(EventStore::Options{.path = dir_.path() + "/store", .keys = testing::TestKeys()});
    key_ = *SigningKey::LoadOrCreate(dir_.path() + "/key.pem");
    Checkpointer checkpointer(store_.get(), key_.get(), {.origin = kOrigin, .interval = absl::Hours(1)});
    // 20 events, checkpoints signed at 5, 12 and 20.
    for (int i = 1; i <= 20; ++i) {
      EventStore::AppendCommand cmd;
      cmd.stream_id = absl::StrCat("police/pnc:", i % 3);
      cmd.command_id = absl::StrCat("cmd-", i, "-0000");
      cmd.fingerprint = cmd.command_id;
      cmd.event.set_event_type("police.ConvictionRecorded");
      cmd.event.set_subject_key(absl::StrCat("pnc:", i % 3));
      ASSERT_THAT(store_->Append(std::move(cmd)), IsOk());
      if (i == 5 || i == 12 || i == 20) {
        ASSERT_THAT(checkpointer.CheckpointNow(), IsOk());
      }
    }
    checkpoints_ = *store_->Checkpoints(0, 100);
    ASSERT_EQ(checkpoints_.size(), 3u);
    for (uint64_t s = 1; s <= 20; ++s) copy_.push_back(*store_->EventBytes(s));
  }

  // The log's own leaf hashes, each proven against the signed root, as an auditor gets
  // them from AuditService.GetInclusionProof.
  LeafReference Reference() {
    return [this](uint64_t seq, uint64_t size) -> absl::StatusOr<std::string> {
      auto leaf = store_->LeafHash(seq);
      auto proof = store_->InclusionProof(seq, size);
      if (!leaf.ok() || !proof.ok()) return absl::NotFoundError("no proof");
      for (const auto& c : checkpoints_) {
        if (c.size() == size && merkle::VerifyInclusion(*leaf, seq - 1, size, *proof, c.root_hash())) return *leaf;
      }
      return absl::NotFoundError("proof does not verify");
    };
  }

  LogReport Verify(const std::vector<std::string>& copy, bool with_reference = false) {
    auto report = VerifyLog(kOrigin, key_->public_key(), copy, checkpoints_, with_reference ? Reference() : nullptr);
    EXPECT_THAT(report, IsOk());
    return report.ok() ? *report : LogReport();
  }

  // Event `seq` with one byte of its type changed (it still parses).
  std::string Altered(uint64_t seq) {
    std::string bytes = copy_[seq - 1];
    const size_t at = bytes.find("ConvictionRecorded");
    bytes[at] = 'X';
    return bytes;
  }

  TempDir dir_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<SigningKey> key_;
  std::vector<safeguard::v1::SignedCheckpoint> checkpoints_;
  std::vector<std::string> copy_;
};

TEST_F(LogVerifierTest, AnIntactCopyIsProvenByEveryCheckpoint) {
  const LogReport r = Verify(copy_);
  EXPECT_TRUE(r.ok()) << r.problem;
  EXPECT_EQ(r.events, 20u);
  EXPECT_EQ(r.checkpoints_verified, 3u);
  EXPECT_EQ(r.verified_size, 20u);
}

TEST_F(LogVerifierTest, AnAlteredEventIsDetectedAndNamed) {
  auto copy = copy_;
  copy[8] = Altered(9);
  const LogReport located = Verify(copy, /*with_reference=*/true);
  EXPECT_FALSE(located.ok());
  EXPECT_EQ(located.first_bad_sequence, 9u);
  EXPECT_THAT(located.problem, HasSubstr("event 9 was altered"));
  EXPECT_EQ(located.checkpoints_verified, 1u) << "the checkpoint of 5 still holds";

  const LogReport bounded = Verify(copy);
  EXPECT_FALSE(bounded.ok());
  EXPECT_THAT(bounded.problem, HasSubstr("an event from 6 to 12 was altered"));
  EXPECT_EQ(bounded.first_bad_sequence, 6u);
}

TEST_F(LogVerifierTest, ADeletedEventIsDetectedAndNamed) {
  auto copy = copy_;
  copy.erase(copy.begin() + 6);  // event 7
  const LogReport r = Verify(copy);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_sequence, 7u);
  EXPECT_THAT(r.problem, HasSubstr("event 7 is missing: the copy goes from 6 to 8"));
}

TEST_F(LogVerifierTest, ASwappedPairIsDetectedAndNamed) {
  auto copy = copy_;
  std::swap(copy[9], copy[10]);  // events 10 and 11
  const LogReport r = Verify(copy);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_sequence, 10u);
  EXPECT_THAT(r.problem, HasSubstr("out of order: 11 is at position 10 and 10 at position 11"));
}

TEST_F(LogVerifierTest, ARepeatedEventATruncatedCopyAndAForgedCheckpointAreDetected) {
  auto repeated = copy_;
  repeated.insert(repeated.begin() + 5, copy_[4]);  // event 5 twice
  const LogReport r1 = Verify(repeated);
  EXPECT_EQ(r1.first_bad_sequence, 5u);
  EXPECT_THAT(r1.problem, HasSubstr("event 5"));
  EXPECT_THAT(r1.problem, HasSubstr("repeated or reordered"));

  auto truncated = copy_;
  truncated.resize(18);
  const LogReport r2 = Verify(truncated);
  EXPECT_EQ(r2.first_bad_sequence, 19u);
  EXPECT_THAT(r2.problem, HasSubstr("events 19 to 20 are missing"));
  EXPECT_EQ(r2.checkpoints_verified, 2u);

  checkpoints_[1].set_root_hash(merkle::LeafHash("forged"));
  const LogReport r3 = Verify(copy_);
  EXPECT_FALSE(r3.ok());
  EXPECT_THAT(r3.problem, HasSubstr("checkpoint safeguard/police size 12"));
}

}  // namespace
}  // namespace safeguard::audit
