// The PoliceService gRPC handlers: translate the call, hand it to PoliceCommands, map the
// status back. Nothing else lives here.
#pragma once

#include "safeguard/v1/police_service.grpc.pb.h"
#include "services/police/police_commands.h"

namespace safeguard::police {

class PoliceGrpcService final : public safeguard::v1::PoliceService::CallbackService {
 public:
  // The service owns the commands it serves.
  PoliceGrpcService(EventStore* store, Clock clock) : commands_(store, std::move(clock)) {}

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

 private:
  template <typename Request>
  grpc::ServerUnaryReactor* Dispatch(grpc::CallbackServerContext* ctx, const Request* request,
                                     safeguard::v1::CommandResult* response);

  PoliceCommands commands_;
};

}  // namespace safeguard::police
