// mappa-service's gRPC handlers: MappaService, IdentityService, DisclosureCaseService,
// MeetingService and ScreeningService. Each hands the call to its domain object through
// Serve (common/grpc/serve.h); WatchAlerts is a stream (grpc/alert_watch.h). Nothing else
// lives here.
#pragma once

#include "common/security/live_policy.h"
#include "services/mappa/grpc/serve_whole.h"
#include "safeguard/v1/disclosure_reads.grpc.pb.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/meeting_service.grpc.pb.h"
#include "safeguard/v1/screening_service.grpc.pb.h"
#include "services/mappa/alerts/alert_feed.h"
#include "services/mappa/cases/disclosure_reads.h"
#include "services/mappa/identity/identity_commands.h"
#include "services/mappa/meetings/meeting_commands.h"
#include "services/mappa/meetings/meeting_reads.h"
#include "services/mappa/reads/alert_reads.h"
#include "services/mappa/reads/identity_reads.h"
#include "services/mappa/reads/person_reads.h"
#include "services/mappa/screening/screening.h"

namespace safeguard::mappa {

namespace v1 = safeguard::v1;

class MappaGrpcService final : public v1::MappaService::CallbackService {
 public:
  // All must outlive the service.
  MappaGrpcService(const ServingGate* gate, PersonReads* persons, AlertReads* alerts, AlertFeed* feed,
                   WatchLimits* limits, const security::LivePolicy* policy)
      : gate_(gate), persons_(persons), alerts_(alerts), feed_(feed), limits_(limits), policy_(policy) {}

  grpc::ServerUnaryReactor* GetRiskView(grpc::CallbackServerContext* ctx, const v1::GetRiskViewRequest* r,
                                        v1::RiskView* out) override {
    return ServeWhole(ctx, r, out, gate_, persons_);
  }
  grpc::ServerUnaryReactor* GetRiskViewSection(grpc::CallbackServerContext* ctx,
                                               const v1::GetRiskViewSectionRequest* r,
                                               v1::RiskViewSectionPage* out) override {
    return ServeWhole(ctx, r, out, gate_, persons_);
  }
  grpc::ServerUnaryReactor* GetTimeline(grpc::CallbackServerContext* ctx, const v1::GetTimelineRequest* r,
                                        v1::GetTimelineResponse* out) override {
    return ServeWhole(ctx, r, out, gate_, persons_);
  }
  grpc::ServerUnaryReactor* FindPerson(grpc::CallbackServerContext* ctx, const v1::FindPersonRequest* r,
                                       v1::FindPersonResponse* out) override {
    return ServeWhole(ctx, r, out, gate_, persons_);
  }
  grpc::ServerUnaryReactor* ListAlerts(grpc::CallbackServerContext* ctx, const v1::ListAlertsRequest* r,
                                       v1::ListAlertsResponse* out) override {
    return ServeWhole(ctx, r, out, gate_, alerts_);
  }
  grpc::ServerWriteReactor<v1::AlertChange>* WatchAlerts(grpc::CallbackServerContext* ctx,
                                                         const v1::WatchAlertsRequest* request) override;

 private:
  const ServingGate* const gate_;
  PersonReads* const persons_;
  AlertReads* const alerts_;
  AlertFeed* const feed_;
  WatchLimits* const limits_;
  const security::LivePolicy* const policy_;  // open watches are checked against it
};

class IdentityGrpcService final : public v1::IdentityService::CallbackService {
 public:
  IdentityGrpcService(const ServingGate* gate, IdentityReads* reads, IdentityCommands* commands)
      : gate_(gate),
        reads_(reads),
        commands_(commands),
        confirm_{commands, v1::LINKED},
        reject_{commands, v1::REJECTED},
        unlink_{commands, v1::UNLINKED} {}

  grpc::ServerUnaryReactor* ListIdentityLinks(grpc::CallbackServerContext* ctx, const v1::ListIdentityLinksRequest* r,
                                              v1::ListIdentityLinksResponse* out) override {
    return ServeWhole(ctx, r, out, gate_, reads_);
  }
  grpc::ServerUnaryReactor* ConfirmIdentityLink(grpc::CallbackServerContext* ctx,
                                                const v1::DecideIdentityLinkRequest* r,
                                                v1::CommandResult* out) override {
    return ServeWhole(ctx, r, out, gate_, &confirm_);
  }
  grpc::ServerUnaryReactor* RejectIdentityLink(grpc::CallbackServerContext* ctx, const v1::DecideIdentityLinkRequest* r,
                                               v1::CommandResult* out) override {
    return ServeWhole(ctx, r, out, gate_, &reject_);
  }
  grpc::ServerUnaryReactor* UnlinkIdentity(grpc::CallbackServerContext* ctx, const v1::DecideIdentityLinkRequest* r,
                                           v1::CommandResult* out) override {
    return ServeWhole(ctx, r, out, gate_, &unlink_);
  }
  grpc::ServerUnaryReactor* LinkRecords(grpc::CallbackServerContext* ctx, const v1::LinkRecordsRequest* r,
                                        v1::CommandResult* out) override {
    return ServeWhole(ctx, r, out, gate_, commands_);
  }

 private:
  // One decision's handler: the three decisions share a request type.
  struct Decision {
    IdentityCommands* commands;
    v1::IdentityLinkStatus decision;
    void Handle(const v1::DecideIdentityLinkRequest& r, const CallContext& call, Reply<v1::CommandResult> reply) {
      commands->Decide(r, decision, call, std::move(reply));
    }
  };

  const ServingGate* const gate_;
  IdentityReads* const reads_;
  IdentityCommands* const commands_;
  Decision confirm_, reject_, unlink_;
};

class DisclosureCaseGrpcService final : public v1::DisclosureCaseService::CallbackService {
 public:
  DisclosureCaseGrpcService(const ServingGate* gate, DisclosureReads* reads) : gate_(gate), reads_(reads) {}

  grpc::ServerUnaryReactor* GetDisclosureCase(grpc::CallbackServerContext* ctx, const v1::GetDisclosureCaseRequest* r,
                                              v1::DisclosureCase* out) override {
    return ServeWhole(ctx, r, out, gate_, reads_);
  }
  grpc::ServerUnaryReactor* ListDisclosureCases(grpc::CallbackServerContext* ctx,
                                                const v1::ListDisclosureCasesRequest* r,
                                                v1::ListDisclosureCasesResponse* out) override {
    return ServeWhole(ctx, r, out, gate_, reads_);
  }
  grpc::ServerUnaryReactor* ListDisclosureDeadlines(grpc::CallbackServerContext* ctx,
                                                    const v1::ListDisclosureDeadlinesRequest* r,
                                                    v1::ListDisclosureDeadlinesResponse* out) override {
    return ServeWhole(ctx, r, out, gate_, reads_);
  }
  grpc::ServerUnaryReactor* GetDisclosureStatistics(grpc::CallbackServerContext* ctx,
                                                    const v1::GetDisclosureStatisticsRequest* r,
                                                    v1::GetDisclosureStatisticsResponse* out) override {
    return ServeWhole(ctx, r, out, gate_, reads_);
  }

 private:
  const ServingGate* const gate_;
  DisclosureReads* const reads_;
};

class MeetingGrpcService final : public v1::MeetingService::CallbackService {
 public:
  MeetingGrpcService(const ServingGate* gate, MeetingCommands* commands, MeetingReads* reads)
      : gate_(gate), commands_(commands), reads_(reads) {}

  grpc::ServerUnaryReactor* ScheduleMeeting(grpc::CallbackServerContext* ctx, const v1::ScheduleMeetingRequest* r,
                                            v1::CommandResult* out) override {
    return ServeWhole(ctx, r, out, gate_, commands_);
  }
  grpc::ServerUnaryReactor* RecordAttendance(grpc::CallbackServerContext* ctx, const v1::RecordAttendanceRequest* r,
                                             v1::CommandResult* out) override {
    return ServeWhole(ctx, r, out, gate_, commands_);
  }
  grpc::ServerUnaryReactor* AddAgendaItem(grpc::CallbackServerContext* ctx, const v1::AddAgendaItemRequest* r,
                                          v1::CommandResult* out) override {
    return ServeWhole(ctx, r, out, gate_, commands_);
  }
  grpc::ServerUnaryReactor* RecordSubjectReview(grpc::CallbackServerContext* ctx,
                                                const v1::RecordSubjectReviewRequest* r,
                                                v1::CommandResult* out) override {
    return ServeWhole(ctx, r, out, gate_, commands_);
  }
  grpc::ServerUnaryReactor* RecordCaseDiscussion(grpc::CallbackServerContext* ctx,
                                                 const v1::RecordCaseDiscussionRequest* r,
                                                 v1::CommandResult* out) override {
    return ServeWhole(ctx, r, out, gate_, commands_);
  }
  grpc::ServerUnaryReactor* RecordMinutes(grpc::CallbackServerContext* ctx, const v1::RecordMinutesRequest* r,
                                          v1::CommandResult* out) override {
    return ServeWhole(ctx, r, out, gate_, commands_);
  }
  grpc::ServerUnaryReactor* GetMeeting(grpc::CallbackServerContext* ctx, const v1::GetMeetingRequest* r,
                                       v1::MappaMeeting* out) override {
    return ServeWhole(ctx, r, out, gate_, reads_);
  }
  grpc::ServerUnaryReactor* ListDisclosureNotConsidered(grpc::CallbackServerContext* ctx,
                                                        const v1::ListDisclosureNotConsideredRequest* r,
                                                        v1::ListDisclosureNotConsideredResponse* out) override {
    return ServeWhole(ctx, r, out, gate_, reads_);
  }
  grpc::ServerUnaryReactor* ListMeetings(grpc::CallbackServerContext* ctx, const v1::ListMeetingsRequest* r,
                                         v1::ListMeetingsResponse* out) override {
    return ServeWhole(ctx, r, out, gate_, reads_);
  }

 private:
  const ServingGate* const gate_;
  MeetingCommands* const commands_;
  MeetingReads* const reads_;
};

class ScreeningGrpcService final : public v1::ScreeningService::CallbackService {
 public:
  ScreeningGrpcService(const ServingGate* gate, Screening* screening) : gate_(gate), screening_(screening) {}

  grpc::ServerUnaryReactor* CheckIdentifier(grpc::CallbackServerContext* ctx, const v1::CheckIdentifierRequest* r,
                                            v1::CheckIdentifierResponse* out) override {
    return ServeWhole(ctx, r, out, gate_, screening_);
  }

 private:
  const ServingGate* const gate_;
  Screening* const screening_;
};

}  // namespace safeguard::mappa
