// OperationsService: reports a process's status, gathered from its parts.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/grpc/serve.h"
#include "safeguard/v1/operations.grpc.pb.h"

namespace safeguard {

// A process's status, from its parts' reporters. Knows nothing of gRPC. Thread-safe.
class ProcessStatus {
 public:
  // Each reporter adds its part to the status; the first error fails the report.
  using Reporter = std::function<absl::Status(safeguard::v1::ServiceStatus*)>;
  ProcessStatus(std::string bus_description, std::vector<Reporter> reporters)
      : bus_(std::move(bus_description)), reporters_(std::move(reporters)) {}

  void Handle(const safeguard::v1::GetStatusRequest& request, const CallContext& call,
              Reply<safeguard::v1::ServiceStatus> reply) const;

  // The status now (what GetStatus answers).
  absl::StatusOr<safeguard::v1::ServiceStatus> Collect() const;

 private:
  const std::string bus_;
  const std::vector<Reporter> reporters_;
};

class OperationsGrpcService final : public safeguard::v1::OperationsService::CallbackService {
 public:
  using Reporter = ProcessStatus::Reporter;
  OperationsGrpcService(std::string bus_description, std::vector<Reporter> reporters)
      : status_(std::move(bus_description), std::move(reporters)) {}

  const ProcessStatus& status() const { return status_; }

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* ctx, const safeguard::v1::GetStatusRequest* r,
                                      safeguard::v1::ServiceStatus* out) override {
    return Serve(ctx, r, out, &status_);
  }

 private:
  ProcessStatus status_;
};

}  // namespace safeguard
