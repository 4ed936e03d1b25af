// The Merkle tree's hashing and proofs against the RFC 6962 test vectors published by the
// Certificate Transparency project (transparency-dev/merkle), then every proof of every
// tree up to 70 leaves verified, and tampered ones refused.
#include "common/merkle/merkle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::merkle {
namespace {

using safeguard::testing::IsOk;

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }
std::string Bytes(const std::string& hex) { return absl::HexStringToBytes(hex); }

// A tree in memory: the nodes TreeBuilder completes, as the event store keeps them.
class MemoryTree {
 public:
  void Append(const std::string& data) {
    for (auto& n : builder_.Append(LeafHash(data))) nodes_[{n.level, n.index}] = n.hash;
  }
  NodeSource Source() const {
    return [this](int level, uint64_t index) -> absl::StatusOr<std::string> {
      auto it = nodes_.find({level, index});
      if (it == nodes_.end()) return absl::NotFoundError(absl::StrCat("node ", level, "/", index));
      return it->second;
    };
  }
  std::string Root(uint64_t size) const { return *RootHash(Source(), size); }
  const std::map<std::pair<int, uint64_t>, std::string>& nodes() const { return nodes_; }

 private:
  TreeBuilder builder_;
  std::map<std::pair<int, uint64_t>, std::string> nodes_;
};

// RFC 6962 test data: leaves, and the root of each tree size 0..8.
const std::vector<std::string> kLeaves = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                          "606162636465666768696a6b6c6d6e6f"};
const std::vector<std::string> kRoots = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

MemoryTree ReferenceTree() {
  MemoryTree t;
  for (const auto& leaf : kLeaves) t.Append(Bytes(leaf));
  return t;
}

TEST(MerkleTest, RootsMatchTheRfc6962Vectors) {
  const MemoryTree t = ReferenceTree();
  for (uint64_t size = 0; size <= kLeaves.size(); ++size) {
    EXPECT_EQ(Hex(t.Root(size)), kRoots[size]) << "size " << size;
  }
  EXPECT_EQ(Hex(LeafHash("")), kRoots[1]) << "a leaf hash is SHA-256(0x00 || data)";
  EXPECT_EQ(Hex(NodeHash(LeafHash(""), LeafHash(Bytes("00")))), kRoots[2]) << "a node is SHA-256(0x01 || l || r)";
}

struct ProofVector {
  uint64_t a, b;  // inclusion: leaf index, size; consistency: size1, size2
  std::vector<std::string> proof;
};

TEST(MerkleTest, InclusionProofsMatchTheRfc6962Vectors) {
  const std::vector<ProofVector> vectors = {
      {0, 1, {}},
      {0, 8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5, 8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1, 5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  const MemoryTree t = ReferenceTree();
  for (const ProofVector& v : vectors) {
    SCOPED_TRACE(absl::StrCat("leaf ", v.a, " of ", v.b));
    auto proof = InclusionProof(t.Source(), v.a, v.b);
    ASSERT_THAT(proof, IsOk());
    std::vector<std::string> hex;
    for (const auto& h : *proof) hex.push_back(Hex(h));
    EXPECT_EQ(hex, v.proof);
    EXPECT_TRUE(VerifyInclusion(LeafHash(Bytes(kLeaves[v.a])), v.a, v.b, *proof, Bytes(kRoots[v.b])));
  }
}

TEST(MerkleTest, ConsistencyProofsMatchTheRfc6962Vectors) {
  const std::vector<ProofVector> vectors = {
      {1, 1, {}},
      {1, 8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6, 8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6, 7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  const MemoryTree t = ReferenceTree();
  for (const ProofVector& v : vectors) {
    SCOPED_TRACE(absl::StrCat(v.a, " -> ", v.b));
    auto proof = ConsistencyProof(t.Source(), v.a, v.b);
    ASSERT_THAT(proof, IsOk());
    std::vector<std::string> hex;
    for (const auto& h : *proof) hex.push_back(Hex(h));
    EXPECT_EQ(hex, v.proof);
    EXPECT_TRUE(VerifyConsistency(v.a, v.b, Bytes(kRoots[v.a]), Bytes(kRoots[v.b]), *proof));
  }
}

// Every proof of every tree up to 70 leaves verifies, and no altered one does.
TEST(MerkleTest, EveryProofVerifiesAndEveryAlteredProofFails) {
  MemoryTree t;
  constexpr uint64_t kMax = 70;
  for (uint64_t i = 0; i < kMax; ++i) t.Append(absl::StrCat("event ", i));
  std::vector<std::string> roots;
  for (uint64_t n = 0; n <= kMax; ++n) roots.push_back(t.Root(n));
  const std::string other(kHashSize, 'x');
  for (uint64_t n = 1; n <= kMax; ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(t.Source(), i, n);
      ASSERT_THAT(proof, IsOk());
      const std::string leaf = LeafHash(absl::StrCat("event ", i));
      ASSERT_TRUE(VerifyInclusion(leaf, i, n, *proof, roots[n])) << i << " of " << n;
      EXPECT_FALSE(VerifyInclusion(LeafHash("forged"), i, n, *proof, roots[n]));
      EXPECT_FALSE(VerifyInclusion(leaf, i, n, *proof, other));
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion(leaf, (i + 1) % n, n, *proof, roots[n])) << i << " of " << n;
      }
      auto longer = *proof;
      longer.push_back(other);
      EXPECT_FALSE(VerifyInclusion(leaf, i, n, longer, roots[n]));
      for (size_t k = 0; k < proof->size(); ++k) {
        auto altered = *proof;
        altered[k][0] ^= 1;
        EXPECT_FALSE(VerifyInclusion(leaf, i, n, altered, roots[n]));
      }
      if (!proof->empty()) {
        auto shorter = *proof;
        shorter.pop_back();
        EXPECT_FALSE(VerifyInclusion(leaf, i, n, shorter, roots[n]));
      }
    }
    for (uint64_t m = 0; m <= n; ++m) {
      auto proof = ConsistencyProof(t.Source(), m, n);
      ASSERT_THAT(proof, IsOk());
      ASSERT_TRUE(VerifyConsistency(m, n, roots[m], roots[n], *proof)) << m << " -> " << n;
      if (m == 0 || m == n) continue;
      EXPECT_FALSE(VerifyConsistency(m, n, other, roots[n], *proof));
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], other, *proof));
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], {}));
      for (size_t k = 0; k < proof->size(); ++k) {
        auto altered = *proof;
        altered[k][0] ^= 1;
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], altered)) << m << " -> " << n << " at " << k;
      }
    }
  }
  EXPECT_THAT(InclusionProof(t.Source(), 5, 5), testing::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ConsistencyProof(t.Source(), 6, 5), testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MerkleTest, ABuilderResumedFromStoredNodesContinuesTheSameTree) {
  MemoryTree whole;
  for (int i = 0; i < 45; ++i) whole.Append(absl::StrCat("e", i));
  for (uint64_t cut = 0; cut <= 45; ++cut) {
    MemoryTree first;
    for (uint64_t i = 0; i < cut; ++i) first.Append(absl::StrCat("e", i));
    auto resumed = TreeBuilder::Resume(first.Source(), cut);
    ASSERT_THAT(resumed, IsOk());
    std::map<std::pair<int, uint64_t>, std::string> nodes = first.nodes();
    for (uint64_t i = cut; i < 45; ++i) {
      for (auto& n : resumed->Append(LeafHash(absl::StrCat("e", i)))) nodes[{n.level, n.index}] = n.hash;
    }
    EXPECT_EQ(nodes, whole.nodes()) << "resumed at " << cut;
  }
}

}  // namespace
}  // namespace safeguard::merkle
