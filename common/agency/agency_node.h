// An agency service's parts, wired: its event log (common/log/event_log.h: the store at
// <data_dir>/<store_name>, the relay to its topic, the signed checkpoints and the
// AuditService), the log of reads of its records on the audit topic, and its gRPC
// services (built by the agency over the store). police-service, probation-service and
// childrens-service are each one of these.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/access/access_log.h"
#include "common/agency/command_validation.h"
#include "common/agency/data_protection.h"
#include "common/bus/event_bus.h"
#include "common/log/event_log.h"
#include "common/service_node.h"
#include "common/time_util.h"

namespace safeguard::crypto {
class KeyVault;
}

namespace safeguard::agency {

struct AgencyNodeOptions {
  std::string data_dir;
  std::string store_name;    // "police": the store lives at <data_dir>/police
  std::string service_name;  // "police-service", for status
  safeguard::v1::Agency agency = safeguard::v1::AGENCY_UNSPECIFIED;  // whose records it keeps
  SubjectKeying keying = SubjectKeying::kPolice;  // which references it files people under
  std::string record_view;   // its record's name in access records, e.g. "police.Record"
  privacy::RetentionRules retention = privacy::RetentionRules::Defaults();  // its review rules
  std::string topic;         // where the relay publishes
  std::string keys_topic;    // where the records of its data keys are published
  const crypto::KeyVault* vault = nullptr;  // the deployment's key vault; must outlive the node
  std::string audit_topic;   // where reads of the agency's own records are recorded
  const StreamFolder* folder = nullptr;  // what the agency's rules check (static)
  absl::Duration checkpoint_interval = absl::Seconds(10);  // signed checkpoints of the log
  Clock clock = SystemClock();
};

// A gRPC service the node owns, and its full name (ServedService).
struct OwnedService {
  std::string name;
  std::unique_ptr<grpc::Service> service;
};

// What an agency's gRPC services are built over.
struct AgencyParts {
  EventStore* store;
  AccessLog* access;                // records reads
  const DataProtection* protection;  // what is restricted or erased
  Clock clock;
};

// Builds the agency's gRPC services (its DataProtectionService aside, which the node
// serves itself).
using MakeAgencyServices = std::function<std::vector<OwnedService>(const AgencyParts& parts)>;

class AgencyNode : public ServiceNode {
 public:
  // Opens the log and starts its relay. `bus` must outlive the node.
  static absl::StatusOr<std::unique_ptr<AgencyNode>> Start(AgencyNodeOptions options, EventBus* bus,
                                                           const MakeAgencyServices& make_services);
  ~AgencyNode() override;

  std::vector<ServedService> services() override;
  absl::Status ReportStatus(safeguard::v1::ServiceStatus* status) override;
  void Stop() override;

 private:
  AgencyNode() = default;
  std::string service_name_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<AccessLog> access_;
  std::unique_ptr<DataProtection> protection_;
  std::vector<OwnedService> services_;
};

}  // namespace safeguard::agency
