// One event log, wired: an event store at <data_dir>/<name>, the outbox relay that
// publishes it to its topic, the signed checkpoints of its Merkle tree and the
// AuditService that answers for them, a scrub of the whole store in the background (and on
// demand), and its figures for OperationsService. Every agency
// service's own log is one, and so is mappa-service's log of the MAPPA users' decisions.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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
namespace crypto {
class KeyRing;
class KeyVault;
}
class OutboxRelay;

class EventLog {
 public:
  struct Options {
    std::string data_dir;
    std::string name;   // "police": the store at <data_dir>/police, checkpoints "safeguard/police"
    std::string topic;  // where the relay publishes
    std::string keys_topic;  // where it publishes the records of new data keys
    // The deployment's key vault (common/crypto/key_vault.h); must outlive the log.
    const crypto::KeyVault* vault = nullptr;
    const StreamFolder* folder = nullptr;  // the rules' state (common/store/stream_state.h)
    absl::Duration checkpoint_interval = absl::Seconds(10);
    Clock clock = SystemClock();
    std::shared_ptr<rocksdb::Statistics> statistics;  // the store's counters, if wanted
    // The whole store is checked against its tree and signed checkpoints (EventStore::
    // Scrub) this long after opening, then every scrub_interval; zero: never.
    absl::Duration first_scrub_after = absl::Minutes(1);
    absl::Duration scrub_interval = absl::Hours(24);
  };

  // Opens the store, starts the relay and the checkpointer. `bus` and options.folder must
  // outlive the log. A store restored from a backup (RestoreBackup left
  // <data_dir>/<name>.restored beside it) first takes back from the bus the events it
  // published after the backup (EventStore::Adopt), then the relay publishes what its
  // outbox held; the marker goes once that is done.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(Options options, EventBus* bus);
  ~EventLog();  // Stop(), then closes the store

  EventStore* store() const { return store_.get(); }
  // The AuditService of this log.
  grpc::Service* audit_service() const;
  // Adds the log's figures to `status`: its last sequence, what waits in its outbox, what
  // the relay has published since start, the reads that found data lost, and the last
  // scrub.
  void ReportStatus(safeguard::v1::ServiceStatus* status) const;
  // Scrubs the whole store now (as the background scrub does), keeping the result for
  // status and saying a problem loudly.
  absl::StatusOr<EventStore::ScrubReport> ScrubNow();
  // Stops the relay, and the checkpointer after a last checkpoint. Idempotent.
  void Stop();

 private:
  EventLog() = default;
  // Scrubs after `first`, then every `interval`, until Stop.
  void ScrubLoop(absl::Duration first, absl::Duration interval);

  std::unique_ptr<crypto::KeyRing> keys_;  // before the store, which uses it
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<OutboxRelay> relay_;
  std::unique_ptr<audit::LogAudit> audit_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  safeguard::v1::StoreScrub last_scrub_ ABSL_GUARDED_BY(mu_);
  std::thread scrubber_;
};

// Takes back into `store` this log's events on `topic` (read whole from `bus`) that come
// after the store's last: each once, in sequence order, after the data keys on
// `keys_topic` it lacks (EventStore::AdoptKeys). kDataLoss when a topic holds an
// unreadable record or two different events of one sequence; the bus's and Adopt's errors
// otherwise.
absl::StatusOr<uint64_t> AdoptFromBus(EventStore* store, EventBus* bus, const std::string& topic,
                                      const std::string& keys_topic);

}  // namespace safeguard
