#include "services/police/police_service_node.h"

#include "services/police/police_grpc_service.h"

namespace safeguard::police {

absl::StatusOr<std::unique_ptr<agency::AgencyNode>> StartPoliceNode(const std::string& data_dir,
                                                                     const std::string& topic,
                                                                     EventBus* bus, Clock clock) {
  return agency::AgencyNode::Start(
      {.data_dir = data_dir, .store_name = "police", .service_name = "police-service",
       .topic = topic, .clock = clock},
      bus, [](EventStore* store, Clock c) -> std::unique_ptr<grpc::Service> {
        return std::make_unique<PoliceGrpcService>(store, std::move(c));
      });
}

}  // namespace safeguard::police
