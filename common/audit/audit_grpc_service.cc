#include "common/audit/audit_grpc_service.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace safeguard::audit {
namespace {

namespace v1 = safeguard::v1;

constexpr uint32_t kDefaultPage = 100;
constexpr uint32_t kMaxPage = 1000;

}  // namespace

absl::StatusOr<uint64_t> LogProofs::CheckpointedSize(uint64_t size, absl::string_view field) const {
  ASSIGN_OR_RETURN(std::optional<v1::SignedCheckpoint> c, store_->Checkpoint(size));
  if (!c.has_value()) {
    return size == 0 ? absl::NotFoundError("no checkpoint has been published yet")
                     : absl::NotFoundError(absl::StrCat(field, ": no checkpoint of size ", size,
                                                        " (proofs are given against checkpoints; see ListCheckpoints)"));
  }
  return c->size();
}

absl::StatusOr<v1::PublicKeyResponse> LogProofs::Answer(const v1::GetPublicKeyRequest&) const {
  v1::PublicKeyResponse r;
  r.set_origin(checkpointer_->origin());
  r.set_public_key(key_->public_key());
  r.set_public_key_pem(key_->public_key_pem());
  r.set_key_id(key_->key_id());
  return r;
}

absl::StatusOr<v1::SignedCheckpoint> LogProofs::Answer(const v1::GetCheckpointRequest& request) const {
  ASSIGN_OR_RETURN(const uint64_t size, CheckpointedSize(request.size(), "size"));
  ASSIGN_OR_RETURN(std::optional<v1::SignedCheckpoint> c, store_->Checkpoint(size));
  return *c;
}

absl::StatusOr<v1::ListCheckpointsResponse> LogProofs::Answer(const v1::ListCheckpointsRequest& request) const {
  if (request.page_size() > kMaxPage) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be at most ", kMaxPage));
  }
  ASSIGN_OR_RETURN(std::vector<v1::SignedCheckpoint> list,
                   store_->Checkpoints(request.after_size(), request.page_size() == 0 ? kDefaultPage
                                                                                       : request.page_size()));
  v1::ListCheckpointsResponse r;
  for (auto& c : list) *r.add_checkpoints() = std::move(c);
  return r;
}

absl::StatusOr<v1::InclusionProofResponse> LogProofs::Answer(const v1::GetInclusionProofRequest& request) const {
  ASSIGN_OR_RETURN(const uint64_t size, CheckpointedSize(request.tree_size(), "tree_size"));
  if (request.sequence() == 0 || request.sequence() > size) {
    return absl::InvalidArgumentError(
        absl::StrCat("sequence: must be from 1 to the checkpoint's size (", size, ")"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> proof, store_->InclusionProof(request.sequence(), size));
  ASSIGN_OR_RETURN(std::string leaf, store_->LeafHash(request.sequence()));
  v1::InclusionProofResponse r;
  r.set_sequence(request.sequence());
  r.set_tree_size(size);
  r.set_leaf_hash(leaf);
  for (auto& p : proof) r.add_proof(std::move(p));
  return r;
}

absl::StatusOr<v1::ConsistencyProofResponse> LogProofs::Answer(const v1::GetConsistencyProofRequest& request) const {
  ASSIGN_OR_RETURN(const uint64_t to, CheckpointedSize(request.to_size(), "to_size"));
  if (request.from_size() > to) {
    return absl::InvalidArgumentError(absl::StrCat("from_size: is beyond to_size (", to, ")"));
  }
  if (request.from_size() > 0) RETURN_IF_ERROR(CheckpointedSize(request.from_size(), "from_size").status());
  ASSIGN_OR_RETURN(std::vector<std::string> proof, store_->ConsistencyProof(request.from_size(), to));
  v1::ConsistencyProofResponse r;
  r.set_from_size(request.from_size());
  r.set_to_size(to);
  for (auto& p : proof) r.add_proof(std::move(p));
  return r;
}

}  // namespace safeguard::audit
