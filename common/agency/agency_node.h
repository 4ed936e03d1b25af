// An agency service's parts, wired: its event store at <data_dir>/<store_name>, the
// outbox relay to its topic, the recorder of reads of its records on the audit topic, the
// signed checkpoints of its log and the AuditService that answers for them
// (common/audit/log_audit.h), and its gRPC services (built by the agency over the store).
// police-service, probation-service and childrens-service are each one of these.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/access/access_recorder.h"
#include "common/bus/event_bus.h"
#include "common/service_node.h"
#include "common/store/event_store.h"
#include "common/time_util.h"

namespace safeguard::agency {

struct AgencyNodeOptions {
  std::string data_dir;
  std::string store_name;    // "police": the store lives at <data_dir>/police
  std::string service_name;  // "police-service", for status
  std::string topic;         // where the relay publishes
  std::string audit_topic;   // where reads of the agency's own records are recorded
  absl::Duration checkpoint_interval = absl::Seconds(10);  // signed checkpoints of the log
  Clock clock = SystemClock();
};

// Builds the agency's gRPC services over its store; `recorder` records reads of it.
using MakeAgencyServices = std::function<std::vector<std::unique_ptr<grpc::Service>>(
    EventStore* store, AccessRecorder* recorder, Clock clock)>;

class AgencyNode : public ServiceNode {
 public:
  // Opens the store and starts the relay. `bus` must outlive the node.
  static absl::StatusOr<std::unique_ptr<AgencyNode>> Start(AgencyNodeOptions options, EventBus* bus,
                                                           const MakeAgencyServices& make_services);
  ~AgencyNode() override;

  std::vector<grpc::Service*> services() override;
  absl::Status ReportStatus(safeguard::v1::ServiceStatus* status) override;
  void Stop() override;

  struct Parts;

 private:
  explicit AgencyNode(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace safeguard::agency
