// The DisclosureService gRPC handlers: translate the call, hand it to DisclosureCommands,
// map the status back. Nothing else lives here.
#pragma once

#include "common/agency/command_dispatch.h"
#include "safeguard/v1/disclosure_service.grpc.pb.h"
#include "services/police/disclosure_commands.h"

namespace safeguard::police {

class DisclosureGrpcService final : public safeguard::v1::DisclosureService::CallbackService {
 public:
  DisclosureGrpcService(EventStore* store, disclosure::SchemeConfig scheme, Clock clock)
      : commands_(store, std::move(scheme), std::move(clock)) {}

#define SAFEGUARD_DISCLOSURE_RPC(Rpc, Request)                                                          \
  grpc::ServerUnaryReactor* Rpc(grpc::CallbackServerContext* ctx, const safeguard::v1::Request* request, \
                                safeguard::v1::CommandResult* response) override {                       \
    return Dispatch(ctx, request, response);                                                             \
  }
  SAFEGUARD_DISCLOSURE_RPC(ReceiveEnquiry, ReceiveEnquiryRequest)
  SAFEGUARD_DISCLOSURE_RPC(CompleteInitialChecks, CompleteInitialChecksRequest)
  SAFEGUARD_DISCLOSURE_RPC(RecordApplication, RecordApplicationRequest)
  SAFEGUARD_DISCLOSURE_RPC(RecordInterview, RecordInterviewRequest)
  SAFEGUARD_DISCLOSURE_RPC(RecordRiskAssessment, RecordCaseRiskAssessmentRequest)
  SAFEGUARD_DISCLOSURE_RPC(RecordDecision, RecordDisclosureDecisionRequest)
  SAFEGUARD_DISCLOSURE_RPC(RecordDelivery, RecordDeliveryRequest)
  SAFEGUARD_DISCLOSURE_RPC(RecordNonDisclosureLetter, RecordNonDisclosureLetterRequest)
  SAFEGUARD_DISCLOSURE_RPC(RecordProtectiveAction, RecordProtectiveActionRequest)
  SAFEGUARD_DISCLOSURE_RPC(MakeSafeguardingReferral, MakeSafeguardingReferralRequest)
  SAFEGUARD_DISCLOSURE_RPC(CloseCase, CloseCaseRequest)
#undef SAFEGUARD_DISCLOSURE_RPC

 private:
  template <typename Request>
  grpc::ServerUnaryReactor* Dispatch(grpc::CallbackServerContext* ctx, const Request* request,
                                     safeguard::v1::CommandResult* response) {
    return agency::DispatchCommand(ctx, request, response,
                                   [this](const Request& r, const CallContext& call, auto done) {
                                     commands_.Handle(r, call, std::move(done));
                                   });
  }

  DisclosureCommands commands_;
};

}  // namespace safeguard::police
