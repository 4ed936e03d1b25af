// mappa-service's parts, wired (docs/architecture.md draws them):
//  - the state at <data_dir>/mappa (state/), derived from the bus: the projector applies
//    each batch the consumer polls from the agency topics and mappa.events (ingest/);
//  - the reads, each answered from a snapshot and recorded on the audit topic (reads/,
//    cases/, meetings/, screening/), and the alert watches' fan-out (alerts/);
//  - the MAPPA users' own decisions — identity links and meetings — on mappa-service's own
//    event log at <data_dir>/mappa-events, published on mappa.events (common/log/);
//  - their gRPC services (grpc/).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/bus/bus_config.h"
#include "common/bus/event_bus.h"
#include "common/disclosure/scheme_config.h"
#include "common/security/live_policy.h"
#include "common/service_node.h"
#include "common/time_util.h"
#include "rocksdb/statistics.h"
#include "safeguard/v1/operations.pb.h"
#include "services/mappa/state/state_reader.h"

namespace grpc {
class Service;
}

namespace safeguard::crypto {
class KeyVault;
}

namespace safeguard::mappa {

struct MappaNodeOptions {
  std::string data_dir;
  Topics topics;
  disclosure::Deadlines deadlines;  // the disclosure scheme's, for the deadline lists
  absl::Duration checkpoint_interval = absl::Seconds(10);  // signed checkpoints of mappa-events
  Clock clock = SystemClock();
  // Alert watches (WatchAlerts) open at once: per caller (client certificate), and in all.
  size_t watches_per_caller = 8;
  size_t watches_in_all = 256;
  // The state's RocksDB counters, when a caller wants them (tests, metrics).
  std::shared_ptr<rocksdb::Statistics> statistics;
  // The access policy the servers enforce (required): each reload of it wakes every open
  // alert watch to check that its caller may still watch.
  std::shared_ptr<security::LivePolicy> policy;
  // Ready for calls (Ready) only while no rebuild is under way and at most this many
  // records of the topics it reads are not yet applied.
  int64_t ready_max_lag = 10000;
  // The deployment's key vault (required; common/crypto/key_vault.h): opens the agencies'
  // events and seals mappa-service's own. Must outlive the node.
  const crypto::KeyVault* vault = nullptr;
};

class MappaNode : public ServiceNode {
 public:
  // Opens the state and the log and starts consuming. `bus` must outlive the node.
  static absl::StatusOr<std::unique_ptr<MappaNode>> Start(MappaNodeOptions options, EventBus* bus);
  ~MappaNode() override;

  std::vector<ServedService> services() override;
  absl::Status Ready() override;
  absl::Status Alive() override;
  absl::Status ReportStatus(safeguard::v1::ServiceStatus* status) override;
  // Stops the consumer and the log; call after the gRPC server has stopped.
  void Stop() override;

  struct Parts;

 private:
  explicit MappaNode(std::unique_ptr<Parts> parts);
  // The stored positions, with each partition's end and lag as the consumer last learnt.
  absl::StatusOr<std::vector<safeguard::v1::ConsumerPosition>> PositionsAndLag(const StateReader& state);
  std::unique_ptr<Parts> parts_;
};

}  // namespace safeguard::mappa
