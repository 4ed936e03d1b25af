// One service's parts inside a process: its gRPC service, its status, and how to stop it.
// Implemented by police-service's and mappa-service's nodes; run alone by
// RunServiceProcess or together by safeguardd.
#pragma once

#include "absl/status/status.h"
#include "safeguard/v1/operations.pb.h"

namespace grpc {
class Service;
}

namespace safeguard {

class ServiceNode {
 public:
  virtual ~ServiceNode() = default;
  virtual grpc::Service* service() = 0;
  // Adds this service's figures to `status`.
  virtual absl::Status ReportStatus(safeguard::v1::ServiceStatus* status) = 0;
  // Stops background work; called after the gRPC server has stopped.
  virtual void Stop() = 0;
};

}  // namespace safeguard
