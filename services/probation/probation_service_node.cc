#include "services/probation/probation_service_node.h"

#include "services/probation/probation_grpc_service.h"
#include "services/probation/probation_stream_state.h"

namespace safeguard::probation {

absl::StatusOr<std::unique_ptr<agency::AgencyNode>> StartProbationNode(const std::string& data_dir, const BusConfig& config,
                                                                       EventBus* bus, const crypto::KeyVault* vault, Clock clock) {
  static const ProbationStreamFolder* folder = new ProbationStreamFolder();
  return agency::AgencyNode::Start(
      {.data_dir = data_dir,
       .store_name = "probation",
       .service_name = "probation-service",
       .agency = safeguard::v1::AGENCY_PROBATION,
       .keying = agency::SubjectKeying::kProbation,
       .record_view = "probation.Record",
       .retention = config.retention,
       .topic = config.topics.probation,
       .keys_topic = config.topics.probation_keys,
       .vault = vault,
       .audit_topic = config.topics.audit_access,
       .folder = folder,
       .checkpoint_interval = config.checkpoint_interval,
       .clock = clock},
      bus, [](const agency::AgencyParts& parts) -> std::vector<agency::OwnedService> {
        std::vector<agency::OwnedService> services;
        services.push_back({v1::ProbationService::service_full_name(), std::make_unique<ProbationGrpcService>(parts)});
        return services;
      });
}

}  // namespace safeguard::probation
