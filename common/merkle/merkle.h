// The agency log as a Merkle tree, hashed as RFC 6962 (and RFC 9162) specify:
//   leaf hash = SHA-256(0x00 || event bytes),  node hash = SHA-256(0x01 || left || right),
//   the root of the empty tree = SHA-256("").
// A tree of n leaves splits at k, the largest power of two below n; so every subtree the
// root, the proofs and the verifiers touch is either a perfect, aligned subtree (stored as
// a node when its last leaf is appended) or splits further. Proof generation reads nodes
// through a NodeSource; verification is pure and needs only hashes, so an auditor can
// check any proof offline with the published root. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace safeguard::merkle {

inline constexpr size_t kHashSize = 32;

// 32-byte hashes, as raw bytes in std::string.
std::string LeafHash(absl::string_view data);
std::string NodeHash(absl::string_view left, absl::string_view right);
std::string EmptyRoot();

// The hash of the perfect subtree of 2^level leaves whose first leaf is index << level.
using NodeSource = std::function<absl::StatusOr<std::string>(int level, uint64_t index)>;

// The root hash of the first `size` leaves.
absl::StatusOr<std::string> RootHash(const NodeSource& nodes, uint64_t size);

// RFC 6962 PATH: the audit path of leaf `index` (0-based) in the tree of `size` leaves,
// leaf side first. kInvalidArgument unless index < size.
absl::StatusOr<std::vector<std::string>> InclusionProof(const NodeSource& nodes, uint64_t index, uint64_t size);

// RFC 6962 PROOF: that the tree of `size2` leaves extends the tree of `size1`.
// kInvalidArgument unless size1 <= size2. Empty when size1 is 0 or equals size2.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(const NodeSource& nodes, uint64_t size1, uint64_t size2);

// RFC 9162 2.1.3.2: whether `proof` shows the leaf with `leaf_hash` at `index` in the tree
// of `size` leaves whose root is `root`.
bool VerifyInclusion(absl::string_view leaf_hash, uint64_t index, uint64_t size,
                     const std::vector<std::string>& proof, absl::string_view root);

// RFC 9162 2.1.4.2: whether `proof` shows the tree (`size2`, `root2`) extends (`size1`,
// `root1`). Equal sizes need equal roots and an empty proof; size1 0 an empty proof.
bool VerifyConsistency(uint64_t size1, uint64_t size2, absl::string_view root1, absl::string_view root2,
                       const std::vector<std::string>& proof);

// Appends leaves and keeps, per level, the last completed node, so that each append
// computes the perfect subtrees it completes (at most log2 n hashes) without reading any.
// Not thread-safe: the event store's writer owns one.
class TreeBuilder {
 public:
  struct Node {
    int level;
    uint64_t index;
    std::string hash;
  };

  // A builder for a tree of `size` leaves whose frontier nodes `nodes` provides.
  static absl::StatusOr<TreeBuilder> Resume(const NodeSource& nodes, uint64_t size);

  // Adds the leaf with `leaf_hash`; returns every node it completes, the leaf first.
  std::vector<Node> Append(std::string leaf_hash);

  uint64_t size() const { return size_; }

 private:
  uint64_t size_ = 0;
  std::vector<std::string> last_;  // per level: the last completed node's hash
};

}  // namespace safeguard::merkle
