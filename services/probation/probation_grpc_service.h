// The ProbationService gRPC handlers: each hands the call to ProbationCommands (or, for
// probation's own record, the RecordReader) through Serve (common/grpc/serve.h).
#pragma once

#include "common/agency/agency_node.h"
#include "common/agency/record_reader.h"
#include "common/grpc/serve.h"
#include "safeguard/v1/probation_service.grpc.pb.h"
#include "services/probation/probation_commands.h"

namespace safeguard::probation {

namespace v1 = safeguard::v1;

class ProbationGrpcService final : public v1::ProbationService::CallbackService {
 public:
  // The service owns the commands it serves; `access` records reads of the agency's own
  // record.
  explicit ProbationGrpcService(const agency::AgencyParts& parts)
      : commands_(parts.store, parts.clock),
        records_(parts.store, "probation", agency::SubjectKeying::kProbation, "probation.Record", parts.access,
                 parts.protection, parts.clock) {}

  grpc::ServerUnaryReactor* StartSupervision(grpc::CallbackServerContext* ctx, const v1::StartSupervisionRequest* r,
                                             v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* EndSupervision(grpc::CallbackServerContext* ctx, const v1::EndSupervisionRequest* r,
                                           v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordRiskAssessment(grpc::CallbackServerContext* ctx,
                                                 const v1::RecordRiskAssessmentRequest* r,
                                                 v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* SetLicenceConditions(grpc::CallbackServerContext* ctx,
                                                 const v1::SetLicenceConditionsRequest* r,
                                                 v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordLicenceBreach(grpc::CallbackServerContext* ctx,
                                                const v1::RecordLicenceBreachRequest* r,
                                                v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordRecall(grpc::CallbackServerContext* ctx, const v1::RecordRecallRequest* r,
                                         v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* ProposeMappaCategoryLevel(grpc::CallbackServerContext* ctx,
                                                      const v1::ProposeMappaCategoryLevelRequest* r,
                                                      v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordCorrection(grpc::CallbackServerContext* ctx, const v1::RecordCorrectionRequest* r,
                                             v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* ctx, const v1::GetAgencyRecordRequest* r,
                                      v1::AgencyRecord* out) override {
    return Serve(ctx, r, out, &records_);
  }

 private:
  ProbationCommands commands_;
  agency::RecordReader records_;
};

}  // namespace safeguard::probation
