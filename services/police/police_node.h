// police-service's parts, wired: the police event store at <data_dir>/police, its outbox
// relay to the bus, the command handlers and their gRPC service.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/bus/event_bus.h"
#include "common/service_node.h"
#include "common/time_util.h"
#include "safeguard/v1/operations.pb.h"

namespace grpc {
class Service;
}

namespace safeguard::police {

struct PoliceNodeOptions {
  std::string data_dir;
  std::string topic;  // where the relay publishes, e.g. "police.events"
  Clock clock = SystemClock();
};

class PoliceNode : public ServiceNode {
 public:
  // Opens the store and starts the relay. `bus` must outlive the node.
  static absl::StatusOr<std::unique_ptr<PoliceNode>> Start(PoliceNodeOptions options, EventBus* bus);
  ~PoliceNode() override;  // Stop()

  grpc::Service* service() override;
  // Adds the store's and relay's figures to `status`.
  absl::Status ReportStatus(safeguard::v1::ServiceStatus* status) override;
  // Stops the relay; call after the gRPC server has stopped.
  void Stop() override;

  struct Parts;

 private:
  explicit PoliceNode(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace safeguard::police
