// The main() of a service running as its own process on Kafka (police-service,
// mappa-service): flags, bus, node, gRPC server with health, reflection and
// OperationsService, start-up banner, endpoints file, graceful stop on SIGINT/SIGTERM.
//
// Flags: --data_dir --host --port --config --bus --bootstrap_servers --endpoints_file, the
// TLS and access policy flags, and the operator's (common/operator_port.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/bus/bus_config.h"
#include "common/bus/event_bus.h"
#include "common/crypto/key_vault.h"
#include "common/operator_port.h"
#include "common/security/live_policy.h"
#include "common/service_node.h"

namespace safeguard {

struct ServiceProcessSpec {
  std::string name;      // "police-service"
  int default_port;
  // The topics the service publishes to or reads (checked at start: each must exist).
  std::function<std::vector<std::string>(const Topics& topics)> topics;
  // Builds the node on `bus`, with state under `data_dir`, for servers enforcing `policy`.
  std::function<absl::StatusOr<std::unique_ptr<ServiceNode>>(
      const std::string& data_dir, const BusConfig& config, EventBus* bus, const crypto::KeyVault* vault,
      const std::shared_ptr<security::LivePolicy>& policy, const OperatorOptions& operator_options)>
      start;
};

int RunServiceProcess(int argc, char** argv, const ServiceProcessSpec& spec);

}  // namespace safeguard
