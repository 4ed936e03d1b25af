#include "services/police/police_grpc_service.h"

#include "common/grpc/status_mapping.h"

namespace safeguard::police {

template <typename Request>
grpc::ServerUnaryReactor* PoliceGrpcService::Dispatch(grpc::CallbackServerContext* ctx,
                                                      const Request* request,
                                                      safeguard::v1::CommandResult* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<CallContext> call = CallerFromMetadata(*ctx, safeguard::v1::AGENCY_POLICE);
  if (!call.ok()) {
    reactor->Finish(ToGrpcStatus(call.status()));
    return reactor;
  }
  commands_->Handle(*request, *call,
                    [reactor, response](absl::StatusOr<safeguard::v1::CommandResult> result) {
                      if (result.ok()) *response = std::move(*result);
                      reactor->Finish(ToGrpcStatus(result.status()));
                    });
  return reactor;
}

grpc::ServerUnaryReactor* PoliceGrpcService::RecordConviction(
    grpc::CallbackServerContext* ctx, const safeguard::v1::RecordConvictionRequest* request,
    safeguard::v1::CommandResult* response) {
  return Dispatch(ctx, request, response);
}

grpc::ServerUnaryReactor* PoliceGrpcService::RecordRegisterNotification(
    grpc::CallbackServerContext* ctx,
    const safeguard::v1::RecordRegisterNotificationRequest* request,
    safeguard::v1::CommandResult* response) {
  return Dispatch(ctx, request, response);
}

grpc::ServerUnaryReactor* PoliceGrpcService::RecordOrder(
    grpc::CallbackServerContext* ctx, const safeguard::v1::RecordOrderRequest* request,
    safeguard::v1::CommandResult* response) {
  return Dispatch(ctx, request, response);
}

grpc::ServerUnaryReactor* PoliceGrpcService::RecordOrderBreach(
    grpc::CallbackServerContext* ctx, const safeguard::v1::RecordOrderBreachRequest* request,
    safeguard::v1::CommandResult* response) {
  return Dispatch(ctx, request, response);
}

grpc::ServerUnaryReactor* PoliceGrpcService::RecordIntelligence(
    grpc::CallbackServerContext* ctx, const safeguard::v1::RecordIntelligenceRequest* request,
    safeguard::v1::CommandResult* response) {
  return Dispatch(ctx, request, response);
}

}  // namespace safeguard::police
