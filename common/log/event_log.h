// One event log, wired: an event store at <data_dir>/<name>, the outbox relay that
// publishes it to its topic, the signed checkpoints of its Merkle tree and the
// AuditService that answers for them, and its figures for OperationsService. Every agency
// service's own log is one, and so is mappa-service's log of the MAPPA users' decisions.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/bus/event_bus.h"
#include "common/store/event_store.h"
#include "common/store/stream_state.h"
#include "common/time_util.h"
#include "safeguard/v1/operations.pb.h"

namespace grpc {
class Service;
}

namespace safeguard {

namespace audit {
class LogAudit;
}
class OutboxRelay;

class EventLog {
 public:
  struct Options {
    std::string data_dir;
    std::string name;   // "police": the store at <data_dir>/police, checkpoints "safeguard/police"
    std::string topic;  // where the relay publishes
    const StreamFolder* folder = nullptr;  // the rules' state (common/store/stream_state.h)
    absl::Duration checkpoint_interval = absl::Seconds(10);
    Clock clock = SystemClock();
    std::shared_ptr<rocksdb::Statistics> statistics;  // the store's counters, if wanted
  };

  // Opens the store, starts the relay and the checkpointer. `bus` and options.folder must
  // outlive the log.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(Options options, EventBus* bus);
  ~EventLog();  // Stop(), then closes the store

  EventStore* store() const { return store_.get(); }
  // The AuditService of this log.
  grpc::Service* audit_service() const;
  // Adds the log's figures to `status`: its last sequence, what waits in its outbox, and
  // what the relay has published since start.
  void ReportStatus(safeguard::v1::ServiceStatus* status) const;
  // Stops the relay, and the checkpointer after a last checkpoint. Idempotent.
  void Stop();

 private:
  EventLog() = default;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<OutboxRelay> relay_;
  std::unique_ptr<audit::LogAudit> audit_;
};

}  // namespace safeguard
