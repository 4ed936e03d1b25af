// The ChildrensService gRPC handlers: authenticate, hand to ChildrensCommands, map back.
#pragma once

#include "safeguard/v1/childrens_service.grpc.pb.h"
#include "services/childrens/childrens_commands.h"

namespace safeguard::childrens {

class ChildrensGrpcService final : public safeguard::v1::ChildrensService::CallbackService {
 public:
  // The service owns the commands it serves.
  ChildrensGrpcService(EventStore* store, Clock clock) : commands_(store, std::move(clock)) {}

#define SAFEGUARD_CHILDRENS_RPC(Method, Request)                                         \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx,                     \
                                   const safeguard::v1::Request* request,                \
                                   safeguard::v1::CommandResult* response) override;
#include "services/childrens/childrens_rpcs.inc"
#undef SAFEGUARD_CHILDRENS_RPC

 private:
  ChildrensCommands commands_;
};

}  // namespace safeguard::childrens
