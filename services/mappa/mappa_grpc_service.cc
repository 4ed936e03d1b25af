#include "services/mappa/mappa_grpc_service.h"

#include "common/grpc/status_mapping.h"

namespace safeguard::mappa {
namespace {

// Runs `read` for the authenticated caller and finishes the call with its outcome.
template <typename Response, typename Read>
grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx, Response* response, Read read) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<CallContext> call = CallerFromMetadata(*ctx, safeguard::v1::AGENCY_MAPPA);
  if (!call.ok()) {
    reactor->Finish(ToGrpcStatus(call.status()));
    return reactor;
  }
  absl::StatusOr<Response> result = read(*call);
  if (result.ok()) *response = std::move(*result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* MappaGrpcService::GetRiskView(
    grpc::CallbackServerContext* ctx, const safeguard::v1::GetRiskViewRequest* request,
    safeguard::v1::RiskView* response) {
  return Serve(ctx, response, [&](const CallContext& call) { return reads_->GetRiskView(*request, call); });
}

grpc::ServerUnaryReactor* MappaGrpcService::GetTimeline(
    grpc::CallbackServerContext* ctx, const safeguard::v1::GetTimelineRequest* request,
    safeguard::v1::GetTimelineResponse* response) {
  return Serve(ctx, response, [&](const CallContext& call) { return reads_->GetTimeline(*request, call); });
}

}  // namespace safeguard::mappa
