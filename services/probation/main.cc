// probation-service as its own process on Kafka. See common/service_process.h for flags.
#include "common/service_process.h"
#include "services/probation/probation_service_node.h"

int main(int argc, char** argv) {
  return safeguard::RunServiceProcess(
      argc, argv,
      {.name = "probation-service",
       .default_port = 50053,
       .topics = [](const safeguard::Topics& t) { return std::vector<std::string>{t.probation, t.probation_keys, t.audit_access}; },
       .start = [](const std::string& data_dir, const safeguard::BusConfig& config,
                   safeguard::EventBus* bus, const safeguard::crypto::KeyVault* vault,
                   const std::shared_ptr<safeguard::security::LivePolicy>&,
                   const safeguard::OperatorOptions&)
           -> absl::StatusOr<std::unique_ptr<safeguard::ServiceNode>> {
         auto node = safeguard::probation::StartProbationNode(data_dir, config, bus, vault);
         if (!node.ok()) return node.status();
         return std::unique_ptr<safeguard::ServiceNode>(std::move(*node));
       }});
}
