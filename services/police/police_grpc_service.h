// The PoliceService gRPC handlers: translate the call, hand it to PoliceCommands (or, for
// the police's own record, the RecordReader), map the status back. Nothing else lives here.
#pragma once

#include "safeguard/v1/police_service.grpc.pb.h"
#include "common/agency/record_reader.h"
#include "services/police/police_commands.h"

namespace safeguard::police {

class PoliceGrpcService final : public safeguard::v1::PoliceService::CallbackService {
 public:
  // The service owns the commands it serves. `recorder` records reads of the record.
  PoliceGrpcService(EventStore* store, AccessRecorder* recorder, Clock clock)
      : commands_(store, clock),
        records_(store, "police", agency::SubjectKeying::kPolice, "police.Record", recorder, clock) {}

  grpc::ServerUnaryReactor* RecordConviction(grpc::CallbackServerContext* ctx,
                                             const safeguard::v1::RecordConvictionRequest* request,
                                             safeguard::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RecordRegisterNotification(
      grpc::CallbackServerContext* ctx,
      const safeguard::v1::RecordRegisterNotificationRequest* request,
      safeguard::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RecordOrder(grpc::CallbackServerContext* ctx,
                                        const safeguard::v1::RecordOrderRequest* request,
                                        safeguard::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RecordOrderBreach(grpc::CallbackServerContext* ctx,
                                              const safeguard::v1::RecordOrderBreachRequest* request,
                                              safeguard::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RecordIntelligence(
      grpc::CallbackServerContext* ctx, const safeguard::v1::RecordIntelligenceRequest* request,
      safeguard::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RecordRiskAssessment(
      grpc::CallbackServerContext* ctx, const safeguard::v1::RecordPoliceRiskAssessmentRequest* request,
      safeguard::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* ctx,
                                      const safeguard::v1::GetAgencyRecordRequest* request,
                                      safeguard::v1::AgencyRecord* response) override;

 private:
  template <typename Request>
  grpc::ServerUnaryReactor* Dispatch(grpc::CallbackServerContext* ctx, const Request* request,
                                     safeguard::v1::CommandResult* response);

  PoliceCommands commands_;
  agency::RecordReader records_;
};

}  // namespace safeguard::police
