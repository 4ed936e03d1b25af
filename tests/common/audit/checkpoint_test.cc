// Ed25519 signing against RFC 8032's test vectors, the signing key's file, and signed
// checkpoints of a real event store: each verifies with the public key alone, any change
// to one is detected, and successive checkpoints are proven consistent.
#include "common/audit/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/audit/checkpointer.h"
#include "common/merkle/merkle.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard::audit {
namespace {

using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;

std::string Bytes(const std::string& hex) { return absl::HexStringToBytes(hex); }

TEST(CheckpointTest, Ed25519VerifiesTheRfc8032Vectors) {
  struct Vector {
    std::string public_key, message, signature;
  };
  const std::vector<Vector> vectors = {
      {"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const Vector& v : vectors) {
    const std::string pub = Bytes(v.public_key), msg = Bytes(v.message), sig = Bytes(v.signature);
    EXPECT_TRUE(VerifySignature(pub, msg, sig));
    std::string bad = sig;
    bad[0] ^= 1;
    EXPECT_FALSE(VerifySignature(pub, msg, bad));
    EXPECT_FALSE(VerifySignature(pub, msg + "x", sig));
    EXPECT_FALSE(VerifySignature(pub.substr(1), msg, sig));
  }
}

TEST(CheckpointTest, TheKeyIsCreatedOnceReadableByItsOwnerOnlyAndReloaded) {
  TempDir dir;
  const std::string path = dir.path() + "/log-checkpoint-key.pem";
  auto key = SigningKey::LoadOrCreate(path);
  ASSERT_THAT(key, IsOk());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = SigningKey::LoadOrCreate(path);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)->public_key(), (*key)->public_key());
  EXPECT_EQ((*key)->public_key().size(), 32u);
  EXPECT_EQ((*key)->key_id().size(), 16u);
  EXPECT_THAT((*key)->public_key_pem(), ::testing::HasSubstr("BEGIN PUBLIC KEY"));
}

TEST(CheckpointTest, ACheckpointVerifiesWithThePublicKeyAndAnyChangeIsDetected) {
  TempDir dir;
  auto key = *SigningKey::LoadOrCreate(dir.path() + "/k.pem");
  const std::string root = merkle::LeafHash("x");
  const absl::Time t = absl::FromUnixMicros(1795000000123456);
  auto c = SignCheckpoint(*key, "safeguard/police", 42, root, t);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->body(), absl::StrCat("safeguard/police\n42\n", absl::Base64Escape(root), "\n2026-11-18T11:06:40.123456Z\n"));
  EXPECT_THAT(VerifyCheckpoint(*c, key->public_key()), IsOk());

  auto changed = [&](std::function<void(safeguard::v1::SignedCheckpoint*)> f) {
    safeguard::v1::SignedCheckpoint x = *c;
    f(&x);
    return VerifyCheckpoint(x, key->public_key());
  };
  EXPECT_THAT(changed([](auto* x) { x->set_size(43); }), StatusIs(absl::StatusCode::kDataLoss, "signed text"));
  EXPECT_THAT(changed([&](auto* x) { x->set_root_hash(merkle::LeafHash("y")); }), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(changed([](auto* x) { x->mutable_time()->set_seconds(x->time().seconds() + 1); }),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(changed([](auto* x) { x->set_origin("safeguard/probation"); }), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(changed([](auto* x) {
                x->set_size(43);
                x->set_body(CheckpointBody(x->origin(), 43, x->root_hash(), FromProtoTimestamp(x->time())));
              }),
              StatusIs(absl::StatusCode::kDataLoss, "signature"));
  auto other = *SigningKey::LoadOrCreate(dir.path() + "/other.pem");
  EXPECT_THAT(VerifyCheckpoint(*c, other->public_key()), StatusIs(absl::StatusCode::kDataLoss, "signature"));
}

TEST(CheckpointTest, SuccessiveCheckpointsOfAStoreAreSignedAndProvenConsistent) {
  TempDir dir;
  auto store = *EventStore::Open(EventStore::Options{.path = dir.path() + "/store", .keys = testing::TestKeys()});
  auto key = *SigningKey::LoadOrCreate(dir.path() + "/k.pem");
  Checkpointer checkpointer(store.get(), key.get(), {.origin = "safeguard/test", .interval = absl::Hours(1)});
  std::vector<safeguard::v1::SignedCheckpoint> published;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < round * 3 + 1; ++i) {
      EventStore::AppendCommand cmd;
      cmd.stream_id = "s/a";
      cmd.command_id = absl::StrCat("cmd-", round, "-", i, "-0000");
      cmd.fingerprint = cmd.command_id;
      ASSERT_THAT(store->Append(std::move(cmd)), IsOk());
    }
    auto c = checkpointer.CheckpointNow();
    ASSERT_THAT(c, IsOk());
    EXPECT_EQ(c->size(), store->LastSequence());
    EXPECT_THAT(VerifyCheckpoint(*c, key->public_key()), IsOk());
    auto same = checkpointer.CheckpointNow();
    EXPECT_EQ(same->SerializeAsString(), c->SerializeAsString()) << "nothing new: no new checkpoint";
    published.push_back(*c);
  }
  auto stored = store->Checkpoints(0, 100);
  ASSERT_THAT(stored, IsOk());
  ASSERT_EQ(stored->size(), published.size());
  for (size_t i = 1; i < published.size(); ++i) {
    const auto& a = published[i - 1];
    const auto& b = published[i];
    auto proof = store->ConsistencyProof(a.size(), b.size());
    ASSERT_THAT(proof, IsOk());
    EXPECT_TRUE(merkle::VerifyConsistency(a.size(), b.size(), a.root_hash(), b.root_hash(), *proof));
  }
  EXPECT_EQ((*store->Checkpoint(0))->size(), published.back().size());
  EXPECT_EQ((*store->Checkpoint(published[1].size()))->root_hash(), published[1].root_hash());
  EXPECT_FALSE(store->Checkpoint(published[1].size() + 1)->has_value());
}

}  // namespace
}  // namespace safeguard::audit
