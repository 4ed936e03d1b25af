// The DisclosureService gRPC handlers: translate the call, hand it to DisclosureCommands,
// map the status back. A delivery is also recorded as a disclosure (DeliveryRecorder)
// before its answer. Nothing else lives here.
#pragma once

#include <future>

#include "common/agency/command_dispatch.h"
#include "common/status_macros.h"
#include "safeguard/v1/disclosure_service.grpc.pb.h"
#include "services/police/disclosure_commands.h"
#include "services/police/disclosure_delivery.h"

namespace safeguard::police {

class DisclosureGrpcService final : public safeguard::v1::DisclosureService::CallbackService {
 public:
  // `recorder` records the disclosures deliveries make.
  DisclosureGrpcService(EventStore* store, disclosure::SchemeConfig scheme, AccessRecorder* recorder, Clock clock)
      : commands_(store, std::move(scheme), std::move(clock)), deliveries_(store, recorder) {}

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
  SAFEGUARD_DISCLOSURE_RPC(RecordNonDisclosureLetter, RecordNonDisclosureLetterRequest)
  SAFEGUARD_DISCLOSURE_RPC(RecordProtectiveAction, RecordProtectiveActionRequest)
  SAFEGUARD_DISCLOSURE_RPC(MakeSafeguardingReferral, MakeSafeguardingReferralRequest)
  SAFEGUARD_DISCLOSURE_RPC(CloseCase, CloseCaseRequest)
#undef SAFEGUARD_DISCLOSURE_RPC

  // The delivery's event, then the record of the disclosure, then the answer. The wait
  // for the append happens on this handler's thread, never on the store's writer.
  grpc::ServerUnaryReactor* RecordDelivery(grpc::CallbackServerContext* ctx,
                                           const safeguard::v1::RecordDeliveryRequest* request,
                                           safeguard::v1::CommandResult* response) override {
    return agency::DispatchRead(
        ctx, request, response,
        [this](const safeguard::v1::RecordDeliveryRequest& r,
               const CallContext& call) -> absl::StatusOr<safeguard::v1::CommandResult> {
          std::promise<absl::StatusOr<safeguard::v1::CommandResult>> appended;
          commands_.Handle(r, call, [&appended](auto result) { appended.set_value(std::move(result)); });
          absl::StatusOr<safeguard::v1::CommandResult> result = appended.get_future().get();
          if (!result.ok()) return result;
          RETURN_IF_ERROR(deliveries_.RecordDisclosure(r, *result, call));
          return result;
        });
  }

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
  DeliveryRecorder deliveries_;
};

}  // namespace safeguard::police
