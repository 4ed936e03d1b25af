#include "services/childrens/childrens_grpc_service.h"

#include "common/agency/command_dispatch.h"

namespace safeguard::childrens {

#define SAFEGUARD_CHILDRENS_RPC(Method, Request)                                                  \
  grpc::ServerUnaryReactor* ChildrensGrpcService::Method(grpc::CallbackServerContext* ctx,        \
                                                         const safeguard::v1::Request* request,   \
                                                         safeguard::v1::CommandResult* response) { \
    return agency::DispatchCommand(                                                               \
        ctx, safeguard::v1::AGENCY_CHILDRENS_SERVICES, request, response,                         \
        [this](const safeguard::v1::Request& r, const CallContext& call, auto done) {             \
          commands_.Handle(r, call, std::move(done));                                             \
        });                                                                                       \
  }
#include "services/childrens/childrens_rpcs.inc"
#undef SAFEGUARD_CHILDRENS_RPC

}  // namespace safeguard::childrens
