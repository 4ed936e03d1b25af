// The ProbationService gRPC handlers: authenticate, hand to ProbationCommands, map back.
#pragma once

#include "safeguard/v1/probation_service.grpc.pb.h"
#include "services/probation/probation_commands.h"

namespace safeguard::probation {

class ProbationGrpcService final : public safeguard::v1::ProbationService::CallbackService {
 public:
  // The service owns the commands it serves.
  ProbationGrpcService(EventStore* store, Clock clock) : commands_(store, std::move(clock)) {}

#define SAFEGUARD_PROBATION_RPC(Method, Request)                                         \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx,                     \
                                   const safeguard::v1::Request* request,                \
                                   safeguard::v1::CommandResult* response) override;
  SAFEGUARD_PROBATION_RPC(StartSupervision, StartSupervisionRequest)
  SAFEGUARD_PROBATION_RPC(EndSupervision, EndSupervisionRequest)
  SAFEGUARD_PROBATION_RPC(RecordRiskAssessment, RecordRiskAssessmentRequest)
  SAFEGUARD_PROBATION_RPC(SetLicenceConditions, SetLicenceConditionsRequest)
  SAFEGUARD_PROBATION_RPC(RecordLicenceBreach, RecordLicenceBreachRequest)
  SAFEGUARD_PROBATION_RPC(RecordRecall, RecordRecallRequest)
  SAFEGUARD_PROBATION_RPC(ProposeMappaCategoryLevel, ProposeMappaCategoryLevelRequest)
#undef SAFEGUARD_PROBATION_RPC

 private:
  ProbationCommands commands_;
};

}  // namespace safeguard::probation
