#include "services/probation/probation_grpc_service.h"

#include "common/agency/command_dispatch.h"

namespace safeguard::probation {

#define SAFEGUARD_PROBATION_RPC(Method, Request)                                                   \
  grpc::ServerUnaryReactor* ProbationGrpcService::Method(grpc::CallbackServerContext* ctx,         \
                                                         const safeguard::v1::Request* request,    \
                                                         safeguard::v1::CommandResult* response) { \
    return agency::DispatchCommand(                                                                \
        ctx, request, response,                                                                    \
        [this](const safeguard::v1::Request& r, const CallContext& call, auto done) {              \
          commands_.Handle(r, call, std::move(done));                                              \
        });                                                                                        \
  }
SAFEGUARD_PROBATION_RPC(StartSupervision, StartSupervisionRequest)
SAFEGUARD_PROBATION_RPC(EndSupervision, EndSupervisionRequest)
SAFEGUARD_PROBATION_RPC(RecordRiskAssessment, RecordRiskAssessmentRequest)
SAFEGUARD_PROBATION_RPC(SetLicenceConditions, SetLicenceConditionsRequest)
SAFEGUARD_PROBATION_RPC(RecordLicenceBreach, RecordLicenceBreachRequest)
SAFEGUARD_PROBATION_RPC(RecordRecall, RecordRecallRequest)
SAFEGUARD_PROBATION_RPC(ProposeMappaCategoryLevel, ProposeMappaCategoryLevelRequest)
#undef SAFEGUARD_PROBATION_RPC

grpc::ServerUnaryReactor* ProbationGrpcService::GetRecord(grpc::CallbackServerContext* ctx,
                                                 const safeguard::v1::GetAgencyRecordRequest* request,
                                                 safeguard::v1::AgencyRecord* response) {
  return agency::DispatchRead(ctx, request, response,
                              [this](const auto& r, const CallContext& call) { return records_.Read(r, call); });
}

}  // namespace safeguard::probation
