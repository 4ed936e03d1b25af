// Opens the bus a BusConfig names, for a process whose state lives under `data_dir`.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/bus/bus_config.h"
#include "common/bus/event_bus.h"

namespace safeguard {

class KafkaMockCluster;
class RocksDbEventBus;

struct OpenedBus {
  std::unique_ptr<KafkaMockCluster> mock;  // kafka-mock only; declared first, destroyed last
  std::unique_ptr<EventBus> bus;
  RocksDbEventBus* embedded = nullptr;     // set for the embedded bus
  std::string description;                 // for the start-up banner
  ~OpenedBus();
  OpenedBus();
  OpenedBus(OpenedBus&&);
  OpenedBus& operator=(OpenedBus&&);
};

// embedded: the RocksDB log at <data_dir>/bus. kafka: config.kafka's cluster, where each
// of `used` (the topics the process publishes to or reads; every topic in config.topics
// when empty) must exist: a service's Kafka user may see only its own topics.
// kafka-mock: a mock cluster in this process with the topics created (keeps nothing).
absl::StatusOr<OpenedBus> OpenBus(const BusConfig& config, const std::string& data_dir,
                                  const std::vector<std::string>& used = {});

// Every topic name in `topics`.
std::vector<std::string> AllTopics(const Topics& topics);

}  // namespace safeguard
