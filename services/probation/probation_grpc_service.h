// The ProbationService gRPC handlers: identify the caller, hand to ProbationCommands, map back.
#pragma once

#include "safeguard/v1/probation_service.grpc.pb.h"
#include "common/agency/record_reader.h"
#include "services/probation/probation_commands.h"

namespace safeguard::probation {

class ProbationGrpcService final : public safeguard::v1::ProbationService::CallbackService {
 public:
  // The service owns the commands it serves; `recorder` records reads of the agency's
  // own record.
  ProbationGrpcService(EventStore* store, AccessRecorder* recorder, Clock clock)
      : commands_(store, clock),
        records_(store, "probation", agency::SubjectKeying::kProbation, "probation.Record", recorder, clock) {}

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
  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* ctx,
                                      const safeguard::v1::GetAgencyRecordRequest* request,
                                      safeguard::v1::AgencyRecord* response) override;

 private:
  ProbationCommands commands_;
  agency::RecordReader records_;
};

}  // namespace safeguard::probation
