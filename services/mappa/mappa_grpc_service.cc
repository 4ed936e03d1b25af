#include "services/mappa/mappa_grpc_service.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/agency/command_dispatch.h"
#include "common/grpc/status_mapping.h"

namespace safeguard::mappa {
namespace {

using safeguard::v1::AlertChange;

// Runs `read` for the authenticated caller and finishes the call with its outcome.
template <typename Response, typename Read>
grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx, Response* response, Read read) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<CallContext> call = CallerOf(*ctx);
  if (!call.ok()) {
    reactor->Finish(ToGrpcStatus(call.status()));
    return reactor;
  }
  absl::StatusOr<Response> result = read(*call);
  if (result.ok()) *response = std::move(*result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

// One WatchAlerts stream. A thread of its own runs MappaReads::WatchAlerts, handing each
// change to gRPC and waiting for its write to complete; it finishes the call when the
// watch ends. The reactor deletes itself once gRPC is done with it.
class AlertWatch final : public grpc::ServerWriteReactor<AlertChange> {
 public:
  AlertWatch(MappaReads* reads, CallContext call, safeguard::v1::WatchAlertsRequest request) {
    std::thread([this, reads, call = std::move(call), request = std::move(request)] {
      absl::Status end = reads->WatchAlerts(
          request, call, [this](const AlertChange& c) { return Send(c); },
          [this] {
            std::lock_guard<std::mutex> lock(mu_);
            return cancelled_;
          });
      Finish(ToGrpcStatus(end));  // the last touch of `this` by this thread
    }).detach();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) cancelled_ = true;
    cv_.notify_all();
  }
  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }
  void OnDone() override { delete this; }

 private:
  // Writes `change` and waits for the write to complete; false once the stream is gone.
  bool Send(const AlertChange& change) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cancelled_) return false;
      pending_ = change;
      writing_ = true;
    }
    StartWrite(&pending_);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !writing_; });
    return !cancelled_;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool writing_ = false;
  bool cancelled_ = false;
  AlertChange pending_;
};

template <typename Request>
grpc::ServerUnaryReactor* Decide(grpc::CallbackServerContext* ctx, const Request* request,
                                 safeguard::v1::CommandResult* response,
                                 void (IdentityCommands::*handle)(const Request&, const CallContext&,
                                                                  IdentityCommands::Done),
                                 IdentityCommands* commands) {
  return agency::DispatchCommand(ctx, request, response,
                                 [&](const Request& r, const CallContext& call, IdentityCommands::Done done) {
                                   (commands->*handle)(r, call, std::move(done));
                                 });
}

}  // namespace

grpc::ServerUnaryReactor* MappaGrpcService::GetRiskView(
    grpc::CallbackServerContext* ctx, const safeguard::v1::GetRiskViewRequest* request,
    safeguard::v1::RiskView* response) {
  return Serve(ctx, response, [&](const CallContext& call) { return reads_->GetRiskView(*request, call); });
}

grpc::ServerUnaryReactor* MappaGrpcService::GetTimeline(
    grpc::CallbackServerContext* ctx, const safeguard::v1::GetTimelineRequest* request,
    safeguard::v1::GetTimelineResponse* response) {
  return Serve(ctx, response, [&](const CallContext& call) { return reads_->GetTimeline(*request, call); });
}

grpc::ServerUnaryReactor* MappaGrpcService::ListAlerts(grpc::CallbackServerContext* ctx,
                                                       const safeguard::v1::ListAlertsRequest* request,
                                                       safeguard::v1::ListAlertsResponse* response) {
  return Serve(ctx, response, [&](const CallContext& call) { return reads_->ListAlerts(*request, call); });
}

grpc::ServerWriteReactor<AlertChange>* MappaGrpcService::WatchAlerts(
    grpc::CallbackServerContext* ctx, const safeguard::v1::WatchAlertsRequest* request) {
  absl::StatusOr<CallContext> call = CallerOf(*ctx);
  if (!call.ok()) {
    class Refused final : public grpc::ServerWriteReactor<AlertChange> {
     public:
      explicit Refused(grpc::Status s) { Finish(std::move(s)); }
      void OnDone() override { delete this; }
    };
    return new Refused(ToGrpcStatus(call.status()));
  }
  return new AlertWatch(reads_, std::move(*call), *request);
}

grpc::ServerUnaryReactor* IdentityGrpcService::ListIdentityLinks(
    grpc::CallbackServerContext* ctx, const safeguard::v1::ListIdentityLinksRequest* request,
    safeguard::v1::ListIdentityLinksResponse* response) {
  return Serve(ctx, response, [&](const CallContext& call) { return reads_->ListIdentityLinks(*request, call); });
}

grpc::ServerUnaryReactor* IdentityGrpcService::ConfirmIdentityLink(
    grpc::CallbackServerContext* ctx, const safeguard::v1::DecideIdentityLinkRequest* request,
    safeguard::v1::CommandResult* response) {
  return Decide(ctx, request, response, &IdentityCommands::Confirm, commands_);
}

grpc::ServerUnaryReactor* IdentityGrpcService::RejectIdentityLink(
    grpc::CallbackServerContext* ctx, const safeguard::v1::DecideIdentityLinkRequest* request,
    safeguard::v1::CommandResult* response) {
  return Decide(ctx, request, response, &IdentityCommands::Reject, commands_);
}

grpc::ServerUnaryReactor* IdentityGrpcService::UnlinkIdentity(
    grpc::CallbackServerContext* ctx, const safeguard::v1::DecideIdentityLinkRequest* request,
    safeguard::v1::CommandResult* response) {
  return Decide(ctx, request, response, &IdentityCommands::Unlink, commands_);
}

grpc::ServerUnaryReactor* IdentityGrpcService::LinkRecords(grpc::CallbackServerContext* ctx,
                                                           const safeguard::v1::LinkRecordsRequest* request,
                                                           safeguard::v1::CommandResult* response) {
  return Decide(ctx, request, response, &IdentityCommands::LinkRecords, commands_);
}

grpc::ServerUnaryReactor* DisclosureCaseGrpcService::GetDisclosureCase(
    grpc::CallbackServerContext* ctx, const safeguard::v1::GetDisclosureCaseRequest* request,
    safeguard::v1::DisclosureCase* response) {
  return Serve(ctx, response, [&](const CallContext& call) { return reads_->GetCase(*request, call); });
}

grpc::ServerUnaryReactor* DisclosureCaseGrpcService::ListDisclosureCases(
    grpc::CallbackServerContext* ctx, const safeguard::v1::ListDisclosureCasesRequest* request,
    safeguard::v1::ListDisclosureCasesResponse* response) {
  return Serve(ctx, response, [&](const CallContext& call) { return reads_->ListCases(*request, call); });
}

grpc::ServerUnaryReactor* DisclosureCaseGrpcService::ListDisclosureDeadlines(
    grpc::CallbackServerContext* ctx, const safeguard::v1::ListDisclosureDeadlinesRequest* request,
    safeguard::v1::ListDisclosureDeadlinesResponse* response) {
  return Serve(ctx, response, [&](const CallContext& call) { return reads_->ListDeadlines(*request, call); });
}

grpc::ServerUnaryReactor* DisclosureCaseGrpcService::GetDisclosureStatistics(
    grpc::CallbackServerContext* ctx, const safeguard::v1::GetDisclosureStatisticsRequest* request,
    safeguard::v1::GetDisclosureStatisticsResponse* response) {
  // Counts only, no personal data: authenticated, not recorded as a consultation.
  return Serve(ctx, response, [&](const CallContext&) { return reads_->Statistics(*request); });
}

grpc::ServerUnaryReactor* MeetingGrpcService::GetMeeting(grpc::CallbackServerContext* ctx,
                                                         const safeguard::v1::GetMeetingRequest* request,
                                                         safeguard::v1::MappaMeeting* response) {
  return Serve(ctx, response, [&](const CallContext& call) { return reads_->GetMeeting(*request, call); });
}

grpc::ServerUnaryReactor* MeetingGrpcService::ListDisclosureNotConsidered(
    grpc::CallbackServerContext* ctx, const safeguard::v1::ListDisclosureNotConsideredRequest* request,
    safeguard::v1::ListDisclosureNotConsideredResponse* response) {
  return Serve(ctx, response,
               [&](const CallContext& call) { return reads_->ListDisclosureNotConsidered(*request, call); });
}

}  // namespace safeguard::mappa
