#include "common/merkle/merkle.h"

#include <openssl/evp.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace safeguard::merkle {
namespace {

std::string Sha256(unsigned char prefix, absl::string_view a, absl::string_view b) {
  std::string out(kHashSize, '\0');
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int len = 0;
  const bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, &prefix, 1) == 1 && EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
                  EVP_DigestUpdate(ctx, b.data(), b.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || len != kHashSize) std::abort();  // OpenSSL's SHA-256 does not fail on valid input
  return out;
}

// The largest power of two strictly below n (n >= 2).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

int Log2(uint64_t n) {
  int l = 0;
  while ((uint64_t{1} << l) < n) ++l;
  return l;
}

// MTH(D[begin:end]).
absl::StatusOr<std::string> SubtreeHash(const NodeSource& nodes, uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  if (IsPowerOfTwo(n) && begin % n == 0) {
    const int level = Log2(n);
    return nodes(level, begin >> level);
  }
  const uint64_t k = SplitPoint(n);
  ASSIGN_OR_RETURN(std::string left, SubtreeHash(nodes, begin, begin + k));
  ASSIGN_OR_RETURN(std::string right, SubtreeHash(nodes, begin + k, end));
  return NodeHash(left, right);
}

// PATH(m, D[begin:end]), appended to `out`.
absl::Status Path(const NodeSource& nodes, uint64_t m, uint64_t begin, uint64_t end, std::vector<std::string>* out) {
  const uint64_t n = end - begin;
  if (n <= 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    RETURN_IF_ERROR(Path(nodes, m, begin, begin + k, out));
    ASSIGN_OR_RETURN(std::string right, SubtreeHash(nodes, begin + k, end));
    out->push_back(std::move(right));
  } else {
    RETURN_IF_ERROR(Path(nodes, m - k, begin + k, end, out));
    ASSIGN_OR_RETURN(std::string left, SubtreeHash(nodes, begin, begin + k));
    out->push_back(std::move(left));
  }
  return absl::OkStatus();
}

// SUBPROOF(m, D[begin:end], complete), appended to `out`.
absl::Status SubProof(const NodeSource& nodes, uint64_t m, uint64_t begin, uint64_t end, bool complete,
                      std::vector<std::string>* out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (complete) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::string whole, SubtreeHash(nodes, begin, end));
    out->push_back(std::move(whole));
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    RETURN_IF_ERROR(SubProof(nodes, m, begin, begin + k, complete, out));
    ASSIGN_OR_RETURN(std::string right, SubtreeHash(nodes, begin + k, end));
    out->push_back(std::move(right));
  } else {
    RETURN_IF_ERROR(SubProof(nodes, m - k, begin + k, end, false, out));
    ASSIGN_OR_RETURN(std::string left, SubtreeHash(nodes, begin, begin + k));
    out->push_back(std::move(left));
  }
  return absl::OkStatus();
}

bool AllHashes(const std::vector<std::string>& proof) {
  for (const auto& h : proof) {
    if (h.size() != kHashSize) return false;
  }
  return true;
}

}  // namespace

std::string LeafHash(absl::string_view data) { return Sha256(0x00, data, ""); }
std::string NodeHash(absl::string_view left, absl::string_view right) { return Sha256(0x01, left, right); }

std::string EmptyRoot() {
  std::string out(kHashSize, '\0');
  unsigned int len = 0;
  if (EVP_Digest("", 0, reinterpret_cast<unsigned char*>(out.data()), &len, EVP_sha256(), nullptr) != 1) std::abort();
  return out;
}

absl::StatusOr<std::string> RootHash(const NodeSource& nodes, uint64_t size) {
  if (size == 0) return EmptyRoot();
  return SubtreeHash(nodes, 0, size);
}

absl::StatusOr<std::vector<std::string>> InclusionProof(const NodeSource& nodes, uint64_t index, uint64_t size) {
  if (index >= size) {
    return absl::InvalidArgumentError(absl::StrCat("leaf ", index, " is not in a tree of ", size, " leaves"));
  }
  std::vector<std::string> proof;
  RETURN_IF_ERROR(Path(nodes, index, 0, size, &proof));
  return proof;
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(const NodeSource& nodes, uint64_t size1, uint64_t size2) {
  if (size1 > size2) {
    return absl::InvalidArgumentError(absl::StrCat("a tree of ", size1, " leaves cannot precede one of ", size2));
  }
  std::vector<std::string> proof;
  if (size1 == 0 || size1 == size2) return proof;
  RETURN_IF_ERROR(SubProof(nodes, size1, 0, size2, true, &proof));
  return proof;
}

bool VerifyInclusion(absl::string_view leaf_hash, uint64_t index, uint64_t size,
                     const std::vector<std::string>& proof, absl::string_view root) {
  if (index >= size || leaf_hash.size() != kHashSize || root.size() != kHashSize || !AllHashes(proof)) return false;
  uint64_t fn = index, sn = size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t size1, uint64_t size2, absl::string_view root1, absl::string_view root2,
                       const std::vector<std::string>& proof) {
  if (size1 > size2 || root1.size() != kHashSize || root2.size() != kHashSize || !AllHashes(proof)) return false;
  if (size1 == size2) return proof.empty() && root1 == root2;
  if (size1 == 0) return proof.empty();
  if (proof.empty()) return false;
  std::vector<std::string> path = proof;
  // If size1 is an exact power of two, its root is the first node of the path.
  if (IsPowerOfTwo(size1)) path.insert(path.begin(), std::string(root1));
  uint64_t fn = size1 - 1, sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const std::string& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == root1 && sr == root2 && sn == 0;
}

absl::StatusOr<TreeBuilder> TreeBuilder::Resume(const NodeSource& nodes, uint64_t size) {
  TreeBuilder b;
  b.size_ = size;
  // The last completed node at each level L covers leaves up to floor(size / 2^L) * 2^L.
  for (int level = 0; level < 64 && (size >> level) > 0; ++level) {
    ASSIGN_OR_RETURN(std::string hash, nodes(level, (size >> level) - 1));
    b.last_.push_back(std::move(hash));
  }
  return b;
}

std::vector<TreeBuilder::Node> TreeBuilder::Append(std::string leaf_hash) {
  std::vector<Node> done;
  uint64_t index = size_++;
  int level = 0;
  std::string hash = std::move(leaf_hash);
  for (;;) {
    if (last_.size() <= static_cast<size_t>(level)) last_.resize(level + 1);
    done.push_back(Node{level, index, hash});
    if ((index & 1) == 0) {
      last_[level] = std::move(hash);
      break;
    }
    std::string parent = NodeHash(last_[level], hash);
    last_[level] = std::move(hash);
    hash = std::move(parent);
    index >>= 1;
    ++level;
  }
  return done;
}

}  // namespace safeguard::merkle
