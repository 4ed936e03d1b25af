// The PoliceService gRPC handlers: each hands the call to PoliceCommands (or, for the
// police's own record, the RecordReader) through Serve (common/grpc/serve.h). Nothing
// else lives here.
#pragma once

#include "common/agency/agency_node.h"
#include "common/agency/record_reader.h"
#include "common/grpc/serve.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "services/police/police_commands.h"

namespace safeguard::police {

namespace v1 = safeguard::v1;

class PoliceGrpcService final : public v1::PoliceService::CallbackService {
 public:
  // The service owns the commands it serves. `access` records reads of the record.
  explicit PoliceGrpcService(const agency::AgencyParts& parts)
      : commands_(parts.store, parts.clock),
        records_(parts.store, "police", agency::SubjectKeying::kPolice, "police.Record", parts.access,
                 parts.protection, parts.clock) {}

  grpc::ServerUnaryReactor* RecordConviction(grpc::CallbackServerContext* ctx, const v1::RecordConvictionRequest* r,
                                             v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordRegisterNotification(grpc::CallbackServerContext* ctx,
                                                       const v1::RecordRegisterNotificationRequest* r,
                                                       v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordOrder(grpc::CallbackServerContext* ctx, const v1::RecordOrderRequest* r,
                                        v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordOrderBreach(grpc::CallbackServerContext* ctx, const v1::RecordOrderBreachRequest* r,
                                              v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordIntelligence(grpc::CallbackServerContext* ctx,
                                               const v1::RecordIntelligenceRequest* r,
                                               v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordRiskAssessment(grpc::CallbackServerContext* ctx,
                                                 const v1::RecordPoliceRiskAssessmentRequest* r,
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
  PoliceCommands commands_;
  agency::RecordReader records_;
};

}  // namespace safeguard::police
