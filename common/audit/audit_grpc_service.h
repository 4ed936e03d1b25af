// AuditService for one event store's log: its public key, its signed checkpoints, and
// inclusion and consistency proofs against them. Proofs are computed from the stored
// Merkle nodes; verifying them needs only the hashes and the public key (docs/audit.md).
#pragma once

#include "common/audit/checkpoint.h"
#include "common/audit/checkpointer.h"
#include "common/grpc/serve.h"
#include "common/store/event_store.h"
#include "safeguard/v1/audit.grpc.pb.h"

namespace safeguard::audit {

namespace v1 = safeguard::v1;

// The answers AuditService gives for one log. Knows nothing of gRPC. Thread-safe.
class LogProofs {
 public:
  // All must outlive this object.
  LogProofs(EventStore* store, const SigningKey* key, Checkpointer* checkpointer)
      : store_(store), key_(key), checkpointer_(checkpointer) {}

  // Answers any AuditService request at once; nothing in them is personal data.
  template <typename Request, typename Response>
  void Handle(const Request& request, const CallContext&, Reply<Response> reply) const {
    reply(Answer(request));
  }

  absl::StatusOr<v1::PublicKeyResponse> Answer(const v1::GetPublicKeyRequest& request) const;
  absl::StatusOr<v1::SignedCheckpoint> Answer(const v1::GetCheckpointRequest& request) const;
  absl::StatusOr<v1::ListCheckpointsResponse> Answer(const v1::ListCheckpointsRequest& request) const;
  absl::StatusOr<v1::InclusionProofResponse> Answer(const v1::GetInclusionProofRequest& request) const;
  absl::StatusOr<v1::ConsistencyProofResponse> Answer(const v1::GetConsistencyProofRequest& request) const;

 private:
  // The size of the latest checkpoint when `size` is 0; else `size`, which must be a
  // checkpoint's (proofs are given against signed roots only).
  absl::StatusOr<uint64_t> CheckpointedSize(uint64_t size, absl::string_view field) const;

  EventStore* const store_;
  const SigningKey* const key_;
  Checkpointer* const checkpointer_;
};

class AuditGrpcService final : public v1::AuditService::CallbackService {
 public:
  AuditGrpcService(EventStore* store, const SigningKey* key, Checkpointer* checkpointer)
      : proofs_(store, key, checkpointer) {}

  grpc::ServerUnaryReactor* GetPublicKey(grpc::CallbackServerContext* ctx, const v1::GetPublicKeyRequest* r,
                                         v1::PublicKeyResponse* out) override {
    return Serve(ctx, r, out, &proofs_);
  }
  grpc::ServerUnaryReactor* GetCheckpoint(grpc::CallbackServerContext* ctx, const v1::GetCheckpointRequest* r,
                                          v1::SignedCheckpoint* out) override {
    return Serve(ctx, r, out, &proofs_);
  }
  grpc::ServerUnaryReactor* ListCheckpoints(grpc::CallbackServerContext* ctx, const v1::ListCheckpointsRequest* r,
                                            v1::ListCheckpointsResponse* out) override {
    return Serve(ctx, r, out, &proofs_);
  }
  grpc::ServerUnaryReactor* GetInclusionProof(grpc::CallbackServerContext* ctx, const v1::GetInclusionProofRequest* r,
                                              v1::InclusionProofResponse* out) override {
    return Serve(ctx, r, out, &proofs_);
  }
  grpc::ServerUnaryReactor* GetConsistencyProof(grpc::CallbackServerContext* ctx,
                                                const v1::GetConsistencyProofRequest* r,
                                                v1::ConsistencyProofResponse* out) override {
    return Serve(ctx, r, out, &proofs_);
  }

 private:
  LogProofs proofs_;
};

}  // namespace safeguard::audit
