// The DisclosureService gRPC handlers: each hands the call to DisclosureCommands through
// Serve (common/grpc/serve.h); a delivery goes to the DeliveryRecorder, which records
// the disclosure it made before the answer. Nothing else lives here.
#pragma once

#include "common/grpc/serve.h"
#include "safeguard/v1/disclosure_service.grpc.pb.h"
#include "services/police/disclosure_commands.h"
#include "services/police/disclosure_delivery.h"

namespace safeguard::police {

namespace v1 = safeguard::v1;

class DisclosureGrpcService final : public v1::DisclosureService::CallbackService {
 public:
  // `access` records the disclosures deliveries make.
  DisclosureGrpcService(EventStore* store, disclosure::SchemeConfig scheme, AccessLog* access, Clock clock)
      : commands_(store, std::move(scheme), std::move(clock)), deliveries_(store, &commands_, access) {}

  grpc::ServerUnaryReactor* ReceiveEnquiry(grpc::CallbackServerContext* ctx, const v1::ReceiveEnquiryRequest* r,
                                           v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* CompleteInitialChecks(grpc::CallbackServerContext* ctx,
                                                  const v1::CompleteInitialChecksRequest* r,
                                                  v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordApplication(grpc::CallbackServerContext* ctx, const v1::RecordApplicationRequest* r,
                                              v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordInterview(grpc::CallbackServerContext* ctx, const v1::RecordInterviewRequest* r,
                                            v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordRiskAssessment(grpc::CallbackServerContext* ctx,
                                                 const v1::RecordCaseRiskAssessmentRequest* r,
                                                 v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordDecision(grpc::CallbackServerContext* ctx,
                                           const v1::RecordDisclosureDecisionRequest* r,
                                           v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordDelivery(grpc::CallbackServerContext* ctx, const v1::RecordDeliveryRequest* r,
                                           v1::CommandResult* out) override {
    return Serve(ctx, r, out, &deliveries_);
  }
  grpc::ServerUnaryReactor* RecordNonDisclosureLetter(grpc::CallbackServerContext* ctx,
                                                      const v1::RecordNonDisclosureLetterRequest* r,
                                                      v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordApplicantOutcome(grpc::CallbackServerContext* ctx,
                                                   const v1::RecordApplicantOutcomeRequest* r,
                                                   v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordProtectiveAction(grpc::CallbackServerContext* ctx,
                                                   const v1::RecordProtectiveActionRequest* r,
                                                   v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* MakeSafeguardingReferral(grpc::CallbackServerContext* ctx,
                                                     const v1::MakeSafeguardingReferralRequest* r,
                                                     v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* CloseCase(grpc::CallbackServerContext* ctx, const v1::CloseCaseRequest* r,
                                      v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }

 private:
  DisclosureCommands commands_;
  DeliveryRecorder deliveries_;
};

}  // namespace safeguard::police
