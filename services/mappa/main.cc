// mappa-service as its own process on Kafka. See common/service_process.h for flags.
#include "common/service_process.h"
#include "services/mappa/mappa_node.h"

int main(int argc, char** argv) {
  return safeguard::RunServiceProcess(
      argc, argv,
      {.name = "mappa-service",
       .default_port = 50052,
       .topics =
           [](const safeguard::Topics& t) {
             std::vector<std::string> topics = {t.police, t.probation, t.childrens, t.mappa, t.audit_access};
             for (const std::string& keys : t.keys()) topics.push_back(keys);
             return topics;
           },
       .start = [](const std::string& data_dir, const safeguard::BusConfig& config,
                   safeguard::EventBus* bus, const safeguard::crypto::KeyVault* vault,
                   const std::shared_ptr<safeguard::security::LivePolicy>& policy,
                   const safeguard::OperatorOptions& operator_options)
           -> absl::StatusOr<std::unique_ptr<safeguard::ServiceNode>> {
         auto node = safeguard::mappa::MappaNode::Start(
             {.data_dir = data_dir,
              .topics = config.topics,
              .deadlines = config.scheme.deadlines,
              .checkpoint_interval = config.checkpoint_interval,
              .policy = policy,
              .ready_max_lag = operator_options.ready_max_lag,
              .vault = vault},
             bus);
         if (!node.ok()) return node.status();
         return std::unique_ptr<safeguard::ServiceNode>(std::move(*node));
       }});
}
