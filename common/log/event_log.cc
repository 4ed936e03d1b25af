#include "common/log/event_log.h"

#include <filesystem>

#include "common/audit/log_audit.h"
#include "common/outbox/outbox_relay.h"
#include "common/status_macros.h"

namespace safeguard {

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(Options options, EventBus* bus) {
  std::unique_ptr<EventLog> log(new EventLog());
  ASSIGN_OR_RETURN(log->store_, EventStore::Open(EventStore::Options{
                                    .path = (std::filesystem::path(options.data_dir) / options.name).string(),
                                    .clock = options.clock,
                                    .folder = options.folder,
                                    .statistics = options.statistics}));
  log->relay_ = std::make_unique<OutboxRelay>(log->store_.get(), bus, OutboxRelay::Options{.topic = options.topic});
  log->store_->SetCommitListener([relay = log->relay_.get()] { relay->Notify(); });
  log->relay_->Start();
  ASSIGN_OR_RETURN(log->audit_, audit::LogAudit::Start(log->store_.get(), options.data_dir, options.name,
                                                       options.checkpoint_interval, options.clock));
  return log;
}

// The relay and the checkpointer stop before the store they read goes; the store's
// writer (which notifies the relay) stops before the relay object goes.
EventLog::~EventLog() {
  Stop();
  audit_.reset();
  store_.reset();
}

grpc::Service* EventLog::audit_service() const { return audit_->service(); }

void EventLog::ReportStatus(safeguard::v1::ServiceStatus* status) const {
  status->set_last_log_sequence(status->last_log_sequence() + store_->LastSequence());
  status->set_outbox_pending(status->outbox_pending() + store_->OutboxPending());
  status->set_events_published(status->events_published() + relay_->published());
}

void EventLog::Stop() {
  if (relay_) relay_->Stop();
  if (audit_) audit_->Stop();
}

}  // namespace safeguard
