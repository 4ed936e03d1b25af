#include "common/audit/log_audit.h"

#include <filesystem>

#include "common/status_macros.h"

namespace safeguard::audit {

absl::StatusOr<std::unique_ptr<LogAudit>> LogAudit::Start(EventStore* store, const std::string& data_dir,
                                                          const std::string& name, absl::Duration interval,
                                                          Clock clock) {
  std::unique_ptr<LogAudit> a(new LogAudit());
  ASSIGN_OR_RETURN(a->key_, SigningKey::LoadOrCreate(
                                (std::filesystem::path(data_dir) / (name + "-checkpoint-key.pem")).string()));
  a->checkpointer_ = std::make_unique<Checkpointer>(
      store, a->key_.get(), Checkpointer::Options{.origin = "safeguard/" + name, .interval = interval, .clock = clock});
  a->checkpointer_->Start();
  a->service_ = std::make_unique<AuditGrpcService>(store, a->key_.get(), a->checkpointer_.get());
  return a;
}

LogAudit::~LogAudit() {
  if (checkpointer_) checkpointer_->Stop();
}

}  // namespace safeguard::audit
