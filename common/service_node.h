// One service's parts inside a process: its gRPC services, its status, whether it is
// ready for calls, and how to stop it. Implemented by the agency services' nodes and
// mappa-service's; run alone by RunServiceProcess or together by safeguardd.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "safeguard/v1/operations.pb.h"

namespace grpc {
class Service;
}

namespace safeguard {

// A gRPC service and its full name ("safeguard.v1.PoliceService"), under which the
// health service reports it.
struct ServedService {
  std::string name;
  grpc::Service* service = nullptr;
};

class ServiceNode {
 public:
  virtual ~ServiceNode() = default;
  // The gRPC services this node serves (registered on one server).
  virtual std::vector<ServedService> services() = 0;
  // Adds this service's figures to `status`.
  virtual absl::Status ReportStatus(safeguard::v1::ServiceStatus* status) = 0;
  // OK when the node is ready for calls; otherwise kUnavailable saying why (mappa-service
  // rebuilding its views, or too far behind the log). A storage fault is the process's
  // to report, not the node's. Called every second; must be quick.
  virtual absl::Status Ready() { return absl::OkStatus(); }
  // OK while the node's background loops turn; otherwise kUnavailable saying which is
  // stuck (the process is then better restarted). Called every few seconds; must be quick.
  virtual absl::Status Alive() { return absl::OkStatus(); }
  // Stops background work; called after the gRPC server has stopped.
  virtual void Stop() = 0;
};

}  // namespace safeguard
