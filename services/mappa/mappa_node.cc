#include "services/mappa/mappa_node.h"

#include <filesystem>

#include "common/log/event_log.h"
#include "common/status_macros.h"
#include "services/mappa/identity_commands.h"
#include "services/mappa/mappa_consumer.h"
#include "services/mappa/mappa_grpc_service.h"
#include "services/mappa/mappa_reads.h"
#include "services/mappa/mappa_stream_state.h"
#include "services/mappa/risk_view_store.h"
#include "services/mappa/screening.h"
#include "services/mappa/screening_grpc_service.h"

namespace safeguard::mappa {

struct MappaNode::Parts {
  std::unique_ptr<RiskViewStore> store;
  std::unique_ptr<MappaConsumer> consumer;
  std::unique_ptr<AccessLog> access;
  std::unique_ptr<MappaReads> reads;
  std::unique_ptr<DisclosureReads> disclosure_reads;
  std::unique_ptr<MeetingReads> meeting_reads;
  std::unique_ptr<Screening> screening;
  // mappa-service's own decisions: their event log, published on mappa.events.
  std::unique_ptr<EventLog> log;
  std::unique_ptr<IdentityCommands> identity;
  std::unique_ptr<MeetingCommands> meetings;
  std::unique_ptr<MappaGrpcService> service;
  std::unique_ptr<IdentityGrpcService> identity_service;
  std::unique_ptr<DisclosureCaseGrpcService> disclosure_service;
  std::unique_ptr<MeetingGrpcService> meeting_service;
  std::unique_ptr<ScreeningGrpcService> screening_service;

  ~Parts() {
    if (consumer) consumer->Stop();
    if (log) log->Stop();
  }
};

absl::StatusOr<std::unique_ptr<MappaNode>> MappaNode::Start(MappaNodeOptions options, EventBus* bus) {
  static const MappaStreamFolder* folder = new MappaStreamFolder();
  auto p = std::make_unique<Parts>();
  ASSIGN_OR_RETURN(p->store, RiskViewStore::Open(
                                 (std::filesystem::path(options.data_dir) / "mappa").string(),
                                 options.clock));
  ASSIGN_OR_RETURN(p->log, EventLog::Open(EventLog::Options{.data_dir = options.data_dir,
                                                           .name = "mappa-events",
                                                           .topic = options.topics.mappa,
                                                           .folder = folder,
                                                           .checkpoint_interval = options.checkpoint_interval,
                                                           .clock = options.clock},
                                          bus));
  p->consumer = std::make_unique<MappaConsumer>(
      bus, p->store.get(),
      std::vector<std::string>{options.topics.police, options.topics.probation, options.topics.childrens,
                               options.topics.mappa},
      options.clock);
  p->consumer->Start();
  p->access = std::make_unique<AccessLog>(bus, options.topics.audit_access, options.clock);
  p->reads = std::make_unique<MappaReads>(p->store.get(), p->access.get(), options.clock);
  p->disclosure_reads =
      std::make_unique<DisclosureReads>(p->store.get(), p->access.get(), options.deadlines, options.clock);
  p->meeting_reads = std::make_unique<MeetingReads>(p->store.get(), p->access.get(), options.clock);
  p->screening = std::make_unique<Screening>(p->store.get(), p->access.get(), options.clock);
  p->identity = std::make_unique<IdentityCommands>(p->log->store(), p->store.get(), options.clock);
  p->meetings = std::make_unique<MeetingCommands>(p->log->store(), p->store.get(), options.clock);
  p->service = std::make_unique<MappaGrpcService>(p->reads.get());
  p->identity_service = std::make_unique<IdentityGrpcService>(p->reads.get(), p->identity.get());
  p->disclosure_service = std::make_unique<DisclosureCaseGrpcService>(p->disclosure_reads.get());
  p->meeting_service = std::make_unique<MeetingGrpcService>(p->meetings.get(), p->meeting_reads.get());
  p->screening_service = std::make_unique<ScreeningGrpcService>(p->screening.get());
  return std::unique_ptr<MappaNode>(new MappaNode(std::move(p)));
}

MappaNode::MappaNode(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
MappaNode::~MappaNode() = default;

std::vector<grpc::Service*> MappaNode::services() {
  return {parts_->service.get(), parts_->screening_service.get(), parts_->identity_service.get(),
          parts_->disclosure_service.get(), parts_->meeting_service.get(), parts_->log->audit_service()};
}

void MappaNode::Stop() {
  parts_->consumer->Stop();
  parts_->log->Stop();
}

absl::Status MappaNode::ReportStatus(safeguard::v1::ServiceStatus* status) {
  status->add_services("mappa-service");
  parts_->log->ReportStatus(status);
  const ApplyStats totals = parts_->store->totals();
  status->set_events_applied(totals.applied);
  status->set_duplicates_skipped(totals.duplicates);
  ASSIGN_OR_RETURN(uint64_t waiting, parts_->store->EventsWaiting());
  status->set_events_waiting(waiting);
  ASSIGN_OR_RETURN(std::vector<safeguard::v1::GapReport> gaps, parts_->store->Gaps());
  for (auto& g : gaps) *status->add_open_gaps() = std::move(g);
  ASSIGN_OR_RETURN(std::vector<safeguard::v1::ConsumerPosition> positions, parts_->store->Positions());
  for (auto& p : positions) *status->add_positions() = std::move(p);
  return absl::OkStatus();
}

}  // namespace safeguard::mappa
