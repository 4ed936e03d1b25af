#include "common/grpc/operations_service.h"

#include "common/grpc/status_mapping.h"

namespace safeguard {

grpc::ServerUnaryReactor* OperationsGrpcService::GetStatus(
    grpc::CallbackServerContext* ctx, const safeguard::v1::GetStatusRequest*,
    safeguard::v1::ServiceStatus* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  response->set_bus(bus_);
  absl::Status st;
  for (const Reporter& report : reporters_) {
    st = report(response);
    if (!st.ok()) break;
  }
  reactor->Finish(ToGrpcStatus(st));
  return reactor;
}

}  // namespace safeguard
