#include "services/mappa/mappa_node.h"

#include <filesystem>

#include "common/access/access_log.h"
#include "common/log/event_log.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "safeguard/v1/audit.grpc.pb.h"
#include "services/mappa/alerts/alert_folder.h"
#include "services/mappa/cases/disclosure_reads.h"
#include "services/mappa/grpc/mappa_grpc_service.h"
#include "services/mappa/identity/identity_commands.h"
#include "services/mappa/ingest/mappa_consumer.h"
#include "services/mappa/ingest/projector.h"
#include "services/mappa/ingest/sealed_events.h"
#include "services/mappa/mappa_stream_state.h"
#include "services/mappa/meetings/meeting_commands.h"
#include "services/mappa/meetings/meeting_reads.h"
#include "services/mappa/reads/alert_reads.h"
#include "services/mappa/reads/identity_reads.h"
#include "services/mappa/reads/person_reads.h"
#include "services/mappa/screening/screening.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {
namespace {

// The open gaps status lists at most: their number is what an operator watches.
constexpr size_t kGapsReported = 100;

}  // namespace

struct MappaNode::Parts {
  std::unique_ptr<MappaState> state;
  std::unique_ptr<Projector> projector;
  std::unique_ptr<MappaConsumer> consumer;
  int64_t ready_max_lag = 0;
  std::unique_ptr<AccessLog> access;
  std::unique_ptr<PersonReads> persons;
  std::unique_ptr<AlertReads> alerts;
  std::unique_ptr<WatchLimits> watch_limits;
  std::unique_ptr<IdentityReads> identity_reads;
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
  // The policy the watches are checked against; and, released first, its reloads waking them.
  std::shared_ptr<security::LivePolicy> policy;
  std::shared_ptr<void> policy_reloads;

  ~Parts() {
    policy_reloads.reset();
    if (consumer) consumer->Stop();
    if (log) log->Stop();
  }
};

absl::StatusOr<std::unique_ptr<MappaNode>> MappaNode::Start(MappaNodeOptions options, EventBus* bus) {
  static const MappaStreamFolder* folder = new MappaStreamFolder();
  if (options.policy == nullptr) return absl::InvalidArgumentError("mappa-service needs the access policy");
  if (options.vault == nullptr) return absl::InvalidArgumentError("mappa-service needs the key vault");
  auto p = std::make_unique<Parts>();
  p->policy = options.policy;
  ASSIGN_OR_RETURN(p->state, MappaState::Open(MappaState::Options{
                                 .path = (std::filesystem::path(options.data_dir) / "mappa").string(),
                                 .statistics = options.statistics}));
  // A record nothing is left of: mappa-service's own key for it goes too (its reads of the
  // record, its panels' reviews). The log is open before the consumer starts.
  auto destroy_own_key = [parts = p.get()](const std::string& key_id, const safeguard::v1::KeyDestruction& destruction) {
    absl::Status destroyed = parts->log->store()->DestroyKey(key_id, destruction);
    return absl::IsNotFound(destroyed) ? absl::OkStatus() : destroyed;
  };
  ASSIGN_OR_RETURN(p->projector,
                   Projector::Create(p->state.get(), options.clock,
                                     {.vault = options.vault, .topics = options.topics.keys(),
                                      .destroy_own_key = std::move(destroy_own_key)}));
  ASSIGN_OR_RETURN(p->log, EventLog::Open(EventLog::Options{.data_dir = options.data_dir,
                                                           .name = "mappa-events",
                                                           .topic = options.topics.mappa,
                                                           .keys_topic = options.topics.mappa_keys,
                                                           .vault = options.vault,
                                                           .folder = folder,
                                                           .checkpoint_interval = options.checkpoint_interval,
                                                           .clock = options.clock},
                                          bus));
  std::vector<std::string> topics = {options.topics.police, options.topics.probation, options.topics.childrens,
                                     options.topics.mappa};
  for (const std::string& keys : options.topics.keys()) topics.push_back(keys);
  p->consumer = std::make_unique<MappaConsumer>(bus, p->state.get(), p->projector.get(), std::move(topics),
                                                options.clock);
  p->ready_max_lag = options.ready_max_lag;
  p->consumer->Start();
  p->access = std::make_unique<AccessLog>(
      bus, options.topics.audit_access, options.clock,
      AccessLog::Sealing{.vault = options.vault, .key_for = [store = p->log->store()](const std::string& basis) {
                           return store->KeyFor(safeguard::v1::AGENCY_MAPPA, basis);
                         },
                         .keys_topic = options.topics.mappa_keys,
                         .keys_published = [store = p->log->store()](const std::vector<std::string>& ids) {
                           store->RepublishIfDestroyed(ids);
                         }});
  p->persons = std::make_unique<PersonReads>(p->state.get(), p->access.get(), options.clock, options.vault);
  p->alerts = std::make_unique<AlertReads>(p->state.get(), p->access.get(), options.clock, options.vault);
  p->watch_limits = std::make_unique<WatchLimits>(options.watches_per_caller, options.watches_in_all);
  p->identity_reads = std::make_unique<IdentityReads>(p->state.get(), p->access.get());
  p->disclosure_reads =
      std::make_unique<DisclosureReads>(p->state.get(), p->access.get(), options.deadlines, options.clock);
  p->meeting_reads = std::make_unique<MeetingReads>(p->state.get(), p->access.get());
  p->screening = std::make_unique<Screening>(p->state.get(), p->access.get(), options.clock, options.vault);
  p->identity = std::make_unique<IdentityCommands>(p->log->store(), p->state.get(), options.clock);
  p->meetings = std::make_unique<MeetingCommands>(p->log->store(), p->state.get(), options.clock);
  // Every read and command waits while a rebuild leaves the views incomplete.
  const ServingGate* gate = p->projector.get();
  p->service = std::make_unique<MappaGrpcService>(gate, p->persons.get(), p->alerts.get(), &p->projector->feed(),
                                                  p->watch_limits.get(), p->policy.get());
  p->policy_reloads = p->policy->OnChange([feed = &p->projector->feed()] { feed->WakeAll(); });
  p->identity_service = std::make_unique<IdentityGrpcService>(gate, p->identity_reads.get(), p->identity.get());
  p->disclosure_service = std::make_unique<DisclosureCaseGrpcService>(gate, p->disclosure_reads.get());
  p->meeting_service = std::make_unique<MeetingGrpcService>(gate, p->meetings.get(), p->meeting_reads.get());
  p->screening_service = std::make_unique<ScreeningGrpcService>(gate, p->screening.get());
  return std::unique_ptr<MappaNode>(new MappaNode(std::move(p)));
}

MappaNode::MappaNode(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
MappaNode::~MappaNode() = default;

std::vector<ServedService> MappaNode::services() {
  return {{v1::MappaService::service_full_name(), parts_->service.get()},
          {v1::ScreeningService::service_full_name(), parts_->screening_service.get()},
          {v1::IdentityService::service_full_name(), parts_->identity_service.get()},
          {v1::DisclosureCaseService::service_full_name(), parts_->disclosure_service.get()},
          {v1::MeetingService::service_full_name(), parts_->meeting_service.get()},
          {v1::AuditService::service_full_name(), parts_->log->audit_service()}};
}

void MappaNode::Stop() {
  parts_->consumer->Stop();
  parts_->log->Stop();
}

absl::Status MappaNode::ReportStatus(safeguard::v1::ServiceStatus* status) {
  status->add_services("mappa-service");
  parts_->log->ReportStatus(status);
  status->mutable_data_keys()->set_under_retired_keks(status->data_keys().under_retired_keks() +
                                                      parts_->projector->keys_under_retired_keks());
  const ApplyStats totals = parts_->projector->totals();
  status->set_events_applied(totals.applied);
  status->set_duplicates_skipped(totals.duplicates);
  const Snapshot state = parts_->state->Read();
  ASSIGN_OR_RETURN(const uint64_t waiting, StreamSequencer::EventsWaiting(state));
  status->set_events_waiting(waiting + parts_->projector->events_awaiting_keys());
  ASSIGN_OR_RETURN(std::vector<safeguard::v1::GapReport> gaps, StreamSequencer::Gaps(state, kGapsReported));
  for (auto& g : gaps) *status->add_open_gaps() = std::move(g);
  ASSIGN_OR_RETURN(std::vector<safeguard::v1::ConsumerPosition> positions, PositionsAndLag(state));
  for (auto& p : positions) *status->add_positions() = std::move(p);
  if (safeguard::v1::MappaRebuild rebuild = parts_->projector->rebuild();
      rebuild.stage() != safeguard::v1::MappaRebuild::STAGE_UNSPECIFIED) {
    *status->mutable_rebuild() = std::move(rebuild);
  }
  ASSIGN_OR_RETURN(const auto open_alerts, CountOpenAlerts(state));
  for (const auto& [rule, count] : open_alerts) {
    safeguard::v1::OpenAlerts* a = status->add_open_alerts();
    a->set_rule(safeguard::v1::AlertRule_Name(rule));
    a->set_count(count);
  }
  if (absl::Status ready = Ready(); !ready.ok()) {
    status->set_not_ready(absl::StrCat(status->not_ready(), status->not_ready().empty() ? "" : "; ", ready.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<safeguard::v1::ConsumerPosition>> MappaNode::PositionsAndLag(const StateReader& state) {
  ASSIGN_OR_RETURN(std::vector<safeguard::v1::ConsumerPosition> positions, StreamSequencer::Positions(state));
  for (const PartitionEnd& end : parts_->consumer->ends()) {
    auto it = std::find_if(positions.begin(), positions.end(), [&](const safeguard::v1::ConsumerPosition& p) {
      return p.topic() == end.topic && p.partition() == end.partition;
    });
    if (it == positions.end()) {
      // A partition nothing of which is applied yet.
      safeguard::v1::ConsumerPosition p;
      p.set_topic(end.topic);
      p.set_partition(end.partition);
      it = positions.insert(positions.end(), std::move(p));
    }
    it->set_end_offset(end.end);
    it->set_lag(std::max<int64_t>(0, end.end - it->next_offset()));
  }
  return positions;
}

absl::Status MappaNode::Alive() {
  // A batch or a chunk of folding takes seconds; minutes without a turn is a stuck loop.
  constexpr absl::Duration kStuck = absl::Minutes(5);
  const absl::Time last = parts_->consumer->last_turn();
  if (last != absl::InfinitePast() && absl::Now() - last > kStuck) {
    return absl::UnavailableError(
        absl::StrCat("mappa-service's consumer has not gone round its loop for ", absl::FormatDuration(absl::Now() - last)));
  }
  return absl::OkStatus();
}

absl::Status MappaNode::Ready() {
  const safeguard::v1::MappaRebuild rebuild = parts_->projector->rebuild();
  if (rebuild.stage() == safeguard::v1::MappaRebuild::FILING) {
    return absl::UnavailableError(absl::StrCat("mappa-service is rebuilding its views from the log: ",
                                               rebuild.events_filed(), " events filed so far"));
  }
  if (rebuild.stage() == safeguard::v1::MappaRebuild::FOLDING) {
    return absl::UnavailableError(absl::StrCat("mappa-service is rebuilding its views from the log: ",
                                               rebuild.persons_folded(), " pictures folded so far"));
  }
  const std::vector<PartitionEnd> ends = parts_->consumer->ends();
  if (ends.empty()) return absl::UnavailableError("mappa-service has not yet learnt where the log ends");
  absl::StatusOr<std::vector<safeguard::v1::ConsumerPosition>> positions = PositionsAndLag(parts_->state->Read());
  if (!positions.ok()) return absl::UnavailableError(positions.status().message());
  int64_t lag = 0;
  for (const auto& p : *positions) lag += p.lag();
  if (lag > parts_->ready_max_lag) {
    return absl::UnavailableError(absl::StrCat("mappa-service is ", lag, " events behind the log (ready within ",
                                               parts_->ready_max_lag, ")"));
  }
  return absl::OkStatus();
}

}  // namespace safeguard::mappa
