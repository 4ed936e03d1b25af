#include "services/police/police_service_node.h"

#include "services/police/disclosure_grpc_service.h"
#include "services/police/police_grpc_service.h"
#include "services/police/police_stream_state.h"

namespace safeguard::police {

absl::StatusOr<std::unique_ptr<agency::AgencyNode>> StartPoliceNode(const std::string& data_dir,
                                                                     const BusConfig& config, EventBus* bus,
                                                                    const crypto::KeyVault* vault,
                                                                     Clock clock) {
  static const PoliceStreamFolder* folder = new PoliceStreamFolder();
  return agency::AgencyNode::Start(
      {.data_dir = data_dir,
       .store_name = "police",
       .service_name = "police-service",
       .agency = safeguard::v1::AGENCY_POLICE,
       .keying = agency::SubjectKeying::kPolice,
       .record_view = "police.Record",
       .retention = config.retention,
       .topic = config.topics.police,
       .keys_topic = config.topics.police_keys,
       .vault = vault,
       .audit_topic = config.topics.audit_access,
       .folder = folder,
       .checkpoint_interval = config.checkpoint_interval,
       .clock = clock},
      bus, [scheme = config.scheme](const agency::AgencyParts& parts) {
        std::vector<agency::OwnedService> services;
        services.push_back({v1::PoliceService::service_full_name(), std::make_unique<PoliceGrpcService>(parts)});
        services.push_back({v1::DisclosureService::service_full_name(),
                            std::make_unique<DisclosureGrpcService>(parts.store, scheme, parts.access, parts.clock)});
        return services;
      });
}

}  // namespace safeguard::police
