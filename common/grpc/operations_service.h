// OperationsService: reports a process's status, gathered from its parts.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "safeguard/v1/operations.grpc.pb.h"

namespace safeguard {

class OperationsGrpcService final : public safeguard::v1::OperationsService::CallbackService {
 public:
  // Each reporter adds its part to the status; the first error fails the call.
  using Reporter = std::function<absl::Status(safeguard::v1::ServiceStatus*)>;
  OperationsGrpcService(std::string bus_description, std::vector<Reporter> reporters)
      : bus_(std::move(bus_description)), reporters_(std::move(reporters)) {}

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* ctx,
                                      const safeguard::v1::GetStatusRequest* request,
                                      safeguard::v1::ServiceStatus* response) override;

 private:
  const std::string bus_;
  const std::vector<Reporter> reporters_;
};

}  // namespace safeguard
