// mappa-service's parts, wired: the views at <data_dir>/mappa, the consumer of the agency
// topics and of mappa.events, the reads and the platforms' identifier screening (both of
// which record every access on the audit topic), the MAPPA users' identity decisions (an
// event store at <data_dir>/mappa-events whose outbox publishes on mappa.events), and
// their gRPC services.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/bus/bus_config.h"
#include "common/bus/event_bus.h"
#include "common/disclosure/scheme_config.h"
#include "common/service_node.h"
#include "common/time_util.h"
#include "safeguard/v1/operations.pb.h"

namespace grpc {
class Service;
}

namespace safeguard::mappa {

struct MappaNodeOptions {
  std::string data_dir;
  Topics topics;
  disclosure::Deadlines deadlines;  // the disclosure scheme's, for the deadline lists
  absl::Duration checkpoint_interval = absl::Seconds(10);  // signed checkpoints of mappa-events
  Clock clock = SystemClock();
};

class MappaNode : public ServiceNode {
 public:
  // Opens the views and starts consuming. `bus` must outlive the node.
  static absl::StatusOr<std::unique_ptr<MappaNode>> Start(MappaNodeOptions options, EventBus* bus);
  ~MappaNode() override;

  std::vector<grpc::Service*> services() override;
  absl::Status ReportStatus(safeguard::v1::ServiceStatus* status) override;
  // Stops the consumer; call after the gRPC server has stopped.
  void Stop() override;

  struct Parts;

 private:
  explicit MappaNode(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace safeguard::mappa
