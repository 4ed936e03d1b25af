// Tamper evidence for one event store, wired: its Ed25519 signing key at
// <data_dir>/<name>-checkpoint-key.pem (created on first start), the checkpointer that signs
// the log's root at intervals (origin "safeguard/<name>"), and the AuditService over them.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/audit/audit_grpc_service.h"
#include "common/audit/checkpoint.h"
#include "common/audit/checkpointer.h"
#include "common/store/event_store.h"

namespace safeguard::audit {

class LogAudit {
 public:
  // `store` must outlive the result. Starts the checkpointer.
  static absl::StatusOr<std::unique_ptr<LogAudit>> Start(EventStore* store, const std::string& data_dir,
                                                         const std::string& name, absl::Duration interval,
                                                         Clock clock);
  ~LogAudit();  // Stop()

  // Stops signing, after a last checkpoint. Idempotent.
  void Stop() { checkpointer_->Stop(); }

  grpc::Service* service() { return service_.get(); }
  Checkpointer* checkpointer() { return checkpointer_.get(); }
  const SigningKey& key() const { return *key_; }

 private:
  LogAudit() = default;
  std::unique_ptr<SigningKey> key_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<AuditGrpcService> service_;
};

}  // namespace safeguard::audit
