// AuditService for one event store's log: its public key, its signed checkpoints, and
// inclusion and consistency proofs against them. Proofs are computed from the stored
// Merkle nodes; verifying them needs only the hashes and the public key (docs/audit.md).
#pragma once

#include "common/audit/checkpoint.h"
#include "common/audit/checkpointer.h"
#include "common/store/event_store.h"
#include "safeguard/v1/audit.grpc.pb.h"

namespace safeguard::audit {

class AuditGrpcService final : public safeguard::v1::AuditService::CallbackService {
 public:
  // All must outlive this object.
  AuditGrpcService(EventStore* store, const SigningKey* key, Checkpointer* checkpointer)
      : store_(store), key_(key), checkpointer_(checkpointer) {}

  grpc::ServerUnaryReactor* GetPublicKey(grpc::CallbackServerContext* ctx, const safeguard::v1::GetPublicKeyRequest*,
                                         safeguard::v1::PublicKeyResponse* response) override;
  grpc::ServerUnaryReactor* GetCheckpoint(grpc::CallbackServerContext* ctx,
                                          const safeguard::v1::GetCheckpointRequest* request,
                                          safeguard::v1::SignedCheckpoint* response) override;
  grpc::ServerUnaryReactor* ListCheckpoints(grpc::CallbackServerContext* ctx,
                                            const safeguard::v1::ListCheckpointsRequest* request,
                                            safeguard::v1::ListCheckpointsResponse* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(grpc::CallbackServerContext* ctx,
                                              const safeguard::v1::GetInclusionProofRequest* request,
                                              safeguard::v1::InclusionProofResponse* response) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(grpc::CallbackServerContext* ctx,
                                                const safeguard::v1::GetConsistencyProofRequest* request,
                                                safeguard::v1::ConsistencyProofResponse* response) override;

 private:
  // The size of the latest checkpoint when `size` is 0; else `size`, which must be a
  // checkpoint's (proofs are given against signed roots only).
  absl::StatusOr<uint64_t> CheckpointedSize(uint64_t size, absl::string_view field);

  EventStore* const store_;
  const SigningKey* const key_;
  Checkpointer* const checkpointer_;
};

}  // namespace safeguard::audit
