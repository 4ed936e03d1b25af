#include "services/childrens/childrens_grpc_service.h"

#include "common/agency/command_dispatch.h"

namespace safeguard::childrens {

#define SAFEGUARD_CHILDRENS_RPC(Method, Request)                                                   \
  grpc::ServerUnaryReactor* ChildrensGrpcService::Method(grpc::CallbackServerContext* ctx,         \
                                                         const safeguard::v1::Request* request,    \
                                                         safeguard::v1::CommandResult* response) { \
    return agency::DispatchCommand(                                                                \
        ctx, request, response,                                                                    \
        [this](const safeguard::v1::Request& r, const CallContext& call, auto done) {              \
          commands_.Handle(r, call, std::move(done));                                              \
        });                                                                                        \
  }
#include "services/childrens/childrens_rpcs.inc"
#undef SAFEGUARD_CHILDRENS_RPC

grpc::ServerUnaryReactor* ChildrensGrpcService::GetRecord(grpc::CallbackServerContext* ctx,
                                                 const safeguard::v1::GetAgencyRecordRequest* request,
                                                 safeguard::v1::AgencyRecord* response) {
  return agency::DispatchRead(ctx, request, response,
                              [this](const auto& r, const CallContext& call) { return records_.Read(r, call); });
}

}  // namespace safeguard::childrens
