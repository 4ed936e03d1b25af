// The MappaService and IdentityService gRPC handlers: translate, call MappaReads or
// IdentityCommands, map the status back.
#pragma once

#include "safeguard/v1/disclosure_reads.grpc.pb.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/meeting_service.grpc.pb.h"
#include "common/agency/command_dispatch.h"
#include "services/mappa/meeting_commands.h"
#include "services/mappa/meeting_reads.h"
#include "services/mappa/disclosure_reads.h"
#include "services/mappa/identity_commands.h"
#include "services/mappa/mappa_reads.h"

namespace safeguard::mappa {

class MappaGrpcService final : public safeguard::v1::MappaService::CallbackService {
 public:
  explicit MappaGrpcService(MappaReads* reads) : reads_(reads) {}

  grpc::ServerUnaryReactor* GetRiskView(grpc::CallbackServerContext* ctx,
                                        const safeguard::v1::GetRiskViewRequest* request,
                                        safeguard::v1::RiskView* response) override;
  grpc::ServerUnaryReactor* GetTimeline(grpc::CallbackServerContext* ctx,
                                        const safeguard::v1::GetTimelineRequest* request,
                                        safeguard::v1::GetTimelineResponse* response) override;
  grpc::ServerUnaryReactor* ListAlerts(grpc::CallbackServerContext* ctx,
                                       const safeguard::v1::ListAlertsRequest* request,
                                       safeguard::v1::ListAlertsResponse* response) override;
  // Each watch runs on its own thread (watchers are few: panel coordinators' consoles)
  // until the client cancels or the server shuts down.
  grpc::ServerWriteReactor<safeguard::v1::AlertChange>* WatchAlerts(
      grpc::CallbackServerContext* ctx, const safeguard::v1::WatchAlertsRequest* request) override;

 private:
  MappaReads* const reads_;
};

class IdentityGrpcService final : public safeguard::v1::IdentityService::CallbackService {
 public:
  IdentityGrpcService(MappaReads* reads, IdentityCommands* commands) : reads_(reads), commands_(commands) {}

  grpc::ServerUnaryReactor* ListIdentityLinks(grpc::CallbackServerContext* ctx,
                                              const safeguard::v1::ListIdentityLinksRequest* request,
                                              safeguard::v1::ListIdentityLinksResponse* response) override;
  grpc::ServerUnaryReactor* ConfirmIdentityLink(grpc::CallbackServerContext* ctx,
                                                const safeguard::v1::DecideIdentityLinkRequest* request,
                                                safeguard::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RejectIdentityLink(grpc::CallbackServerContext* ctx,
                                               const safeguard::v1::DecideIdentityLinkRequest* request,
                                               safeguard::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* UnlinkIdentity(grpc::CallbackServerContext* ctx,
                                           const safeguard::v1::DecideIdentityLinkRequest* request,
                                           safeguard::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* LinkRecords(grpc::CallbackServerContext* ctx,
                                        const safeguard::v1::LinkRecordsRequest* request,
                                        safeguard::v1::CommandResult* response) override;

 private:
  MappaReads* const reads_;
  IdentityCommands* const commands_;
};

class DisclosureCaseGrpcService final : public safeguard::v1::DisclosureCaseService::CallbackService {
 public:
  explicit DisclosureCaseGrpcService(DisclosureReads* reads) : reads_(reads) {}

  grpc::ServerUnaryReactor* GetDisclosureCase(grpc::CallbackServerContext* ctx,
                                              const safeguard::v1::GetDisclosureCaseRequest* request,
                                              safeguard::v1::DisclosureCase* response) override;
  grpc::ServerUnaryReactor* ListDisclosureCases(grpc::CallbackServerContext* ctx,
                                                const safeguard::v1::ListDisclosureCasesRequest* request,
                                                safeguard::v1::ListDisclosureCasesResponse* response) override;
  grpc::ServerUnaryReactor* ListDisclosureDeadlines(
      grpc::CallbackServerContext* ctx, const safeguard::v1::ListDisclosureDeadlinesRequest* request,
      safeguard::v1::ListDisclosureDeadlinesResponse* response) override;
  grpc::ServerUnaryReactor* GetDisclosureStatistics(
      grpc::CallbackServerContext* ctx, const safeguard::v1::GetDisclosureStatisticsRequest* request,
      safeguard::v1::GetDisclosureStatisticsResponse* response) override;

 private:
  DisclosureReads* const reads_;
};

class MeetingGrpcService final : public safeguard::v1::MeetingService::CallbackService {
 public:
  MeetingGrpcService(MeetingCommands* commands, MeetingReads* reads) : commands_(commands), reads_(reads) {}

#define SAFEGUARD_MEETING_RPC(Rpc, Request)                                                              \
  grpc::ServerUnaryReactor* Rpc(grpc::CallbackServerContext* ctx, const safeguard::v1::Request* request, \
                                safeguard::v1::CommandResult* response) override {                       \
    return agency::DispatchCommand(ctx, request, response,                                               \
                                   [this](const auto& r, const CallContext& call, auto done) {           \
                                     commands_->Handle(r, call, std::move(done));                        \
                                   });                                                                   \
  }
  SAFEGUARD_MEETING_RPC(ScheduleMeeting, ScheduleMeetingRequest)
  SAFEGUARD_MEETING_RPC(RecordAttendance, RecordAttendanceRequest)
  SAFEGUARD_MEETING_RPC(AddAgendaItem, AddAgendaItemRequest)
  SAFEGUARD_MEETING_RPC(RecordSubjectReview, RecordSubjectReviewRequest)
  SAFEGUARD_MEETING_RPC(RecordCaseDiscussion, RecordCaseDiscussionRequest)
  SAFEGUARD_MEETING_RPC(RecordMinutes, RecordMinutesRequest)
#undef SAFEGUARD_MEETING_RPC

  grpc::ServerUnaryReactor* GetMeeting(grpc::CallbackServerContext* ctx, const safeguard::v1::GetMeetingRequest* request,
                                       safeguard::v1::MappaMeeting* response) override;
  grpc::ServerUnaryReactor* ListDisclosureNotConsidered(
      grpc::CallbackServerContext* ctx, const safeguard::v1::ListDisclosureNotConsideredRequest* request,
      safeguard::v1::ListDisclosureNotConsideredResponse* response) override;

 private:
  MeetingCommands* const commands_;
  MeetingReads* const reads_;
};

}  // namespace safeguard::mappa
