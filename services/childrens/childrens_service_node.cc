#include "services/childrens/childrens_service_node.h"

#include "services/childrens/childrens_grpc_service.h"
#include "services/childrens/childrens_stream_state.h"

namespace safeguard::childrens {

absl::StatusOr<std::unique_ptr<agency::AgencyNode>> StartChildrensNode(const std::string& data_dir, const BusConfig& config,
                                                                       EventBus* bus, const crypto::KeyVault* vault, Clock clock) {
  static const ChildrensStreamFolder* folder = new ChildrensStreamFolder();
  return agency::AgencyNode::Start(
      {.data_dir = data_dir,
       .store_name = "childrens",
       .service_name = "childrens-service",
       .agency = safeguard::v1::AGENCY_CHILDRENS_SERVICES,
       .topic = config.topics.childrens,
       .keys_topic = config.topics.childrens_keys,
       .vault = vault,
       .audit_topic = config.topics.audit_access,
       .folder = folder,
       .checkpoint_interval = config.checkpoint_interval,
       .clock = clock},
      bus, [](const agency::AgencyParts& parts) -> std::vector<agency::OwnedService> {
        std::vector<agency::OwnedService> services;
        services.push_back({v1::ChildrensService::service_full_name(), std::make_unique<ChildrensGrpcService>(parts)});
        return services;
      });
}

}  // namespace safeguard::childrens
