// One service's parts inside a process: its gRPC services, its status, and how to stop it.
// Implemented by police-service's and mappa-service's nodes; run alone by
// RunServiceProcess or together by safeguardd.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "safeguard/v1/operations.pb.h"

namespace grpc {
class Service;
}

namespace safeguard {

class ServiceNode {
 public:
  virtual ~ServiceNode() = default;
  // The gRPC services this node serves (registered on one server).
  virtual std::vector<grpc::Service*> services() = 0;
  // Adds this service's figures to `status`.
  virtual absl::Status ReportStatus(safeguard::v1::ServiceStatus* status) = 0;
  // Stops background work; called after the gRPC server has stopped.
  virtual void Stop() = 0;
};

}  // namespace safeguard
