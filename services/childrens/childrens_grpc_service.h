// The ChildrensService gRPC handlers: identify the caller, hand to ChildrensCommands, map back.
#pragma once

#include "safeguard/v1/childrens_service.grpc.pb.h"
#include "common/agency/record_reader.h"
#include "services/childrens/childrens_commands.h"

namespace safeguard::childrens {

class ChildrensGrpcService final : public safeguard::v1::ChildrensService::CallbackService {
 public:
  // The service owns the commands it serves; `recorder` records reads of the agency's
  // own record.
  ChildrensGrpcService(EventStore* store, AccessRecorder* recorder, Clock clock)
      : commands_(store, clock),
        records_(store, "childrens", agency::SubjectKeying::kChildrens, "childrens.Record", recorder, clock) {}

#define SAFEGUARD_CHILDRENS_RPC(Method, Request)                                         \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx,                     \
                                   const safeguard::v1::Request* request,                \
                                   safeguard::v1::CommandResult* response) override;
#include "services/childrens/childrens_rpcs.inc"
#undef SAFEGUARD_CHILDRENS_RPC
  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* ctx,
                                      const safeguard::v1::GetAgencyRecordRequest* request,
                                      safeguard::v1::AgencyRecord* response) override;

 private:
  ChildrensCommands commands_;
  agency::RecordReader records_;
};

}  // namespace safeguard::childrens
