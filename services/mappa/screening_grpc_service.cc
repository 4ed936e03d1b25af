#include "services/mappa/screening_grpc_service.h"

#include "common/grpc/status_mapping.h"

namespace safeguard::mappa {

grpc::ServerUnaryReactor* ScreeningGrpcService::CheckIdentifier(
    grpc::CallbackServerContext* ctx, const safeguard::v1::CheckIdentifierRequest* request,
    safeguard::v1::CheckIdentifierResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<CallContext> call = CallerOf(*ctx);
  if (!call.ok()) {
    reactor->Finish(ToGrpcStatus(call.status()));
    return reactor;
  }
  absl::StatusOr<bool> held = screening_->Check(*request, *call);
  if (held.ok()) response->set_held(*held);
  reactor->Finish(ToGrpcStatus(held.status()));
  return reactor;
}

}  // namespace safeguard::mappa
