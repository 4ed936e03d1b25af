#include "services/police/police_grpc_service.h"

#include "common/agency/command_dispatch.h"

namespace safeguard::police {

template <typename Request>
grpc::ServerUnaryReactor* PoliceGrpcService::Dispatch(grpc::CallbackServerContext* ctx,
                                                      const Request* request,
                                                      safeguard::v1::CommandResult* response) {
  return agency::DispatchCommand(ctx, request, response,
                                 [this](const Request& r, const CallContext& call, auto done) {
                                   commands_.Handle(r, call, std::move(done));
                                 });
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

grpc::ServerUnaryReactor* PoliceGrpcService::RecordRiskAssessment(
    grpc::CallbackServerContext* ctx, const safeguard::v1::RecordPoliceRiskAssessmentRequest* request,
    safeguard::v1::CommandResult* response) {
  return Dispatch(ctx, request, response);
}

grpc::ServerUnaryReactor* PoliceGrpcService::GetRecord(grpc::CallbackServerContext* ctx,
                                                       const safeguard::v1::GetAgencyRecordRequest* request,
                                                       safeguard::v1::AgencyRecord* response) {
  return agency::DispatchRead(ctx, request, response,
                              [this](const auto& r, const CallContext& call) { return records_.Read(r, call); });
}

}  // namespace safeguard::police
