#include "common/log/event_log.h"

#include <filesystem>
#include <map>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/audit/checkpoint.h"
#include "common/audit/log_audit.h"
#include "common/crypto/sealing.h"
#include "common/logging.h"
#include "common/outbox/outbox_relay.h"
#include "common/status_macros.h"

namespace safeguard {

absl::StatusOr<uint64_t> AdoptFromBus(EventStore* store, EventBus* bus, const std::string& topic,
                                      const std::string& keys_topic) {
  // The keys first: every event taken back must open. The latest record of each key wins
  // (a compacted topic keeps only that).
  crypto::LatestKeyRecords keys;
  RETURN_IF_ERROR(bus->ReadWholeTopic(keys_topic, [&](BusRecord r) -> absl::Status {
    safeguard::v1::DataKeyRecord record;
    if (!record.ParseFromString(r.value) || record.key_id().empty()) {
      return absl::DataLossError(absl::StrCat("unreadable record at ", r.topic, "/", r.partition, "@", r.offset));
    }
    keys.Add(std::move(record));
    return absl::OkStatus();
  }));
  std::vector<safeguard::v1::DataKeyRecord> records;
  records.reserve(keys.records().size());
  for (const auto& [id, record] : keys.records()) records.push_back(record);
  RETURN_IF_ERROR(store->AdoptKeys(records));
  // This log's events the store lacks, by sequence (only those are kept while the topic is
  // read): a republished event appears more than once on the bus, always with the same bytes.
  std::map<uint64_t, std::string> after;
  const uint64_t last = store->LastSequence();
  RETURN_IF_ERROR(bus->ReadWholeTopic(topic, [&](BusRecord r) -> absl::Status {
    safeguard::v1::EventEnvelope e;
    if (!e.ParseFromString(r.value)) {
      return absl::DataLossError(absl::StrCat("unreadable record at ", r.topic, "/", r.partition, "@", r.offset));
    }
    if (e.log_sequence() <= last) return absl::OkStatus();
    auto [it, added] = after.emplace(e.log_sequence(), r.value);
    if (!added && it->second != r.value) {
      return absl::DataLossError(absl::StrCat("the bus holds two different events numbered ", e.log_sequence(),
                                              " of this log: nothing is taken back"));
    }
    return absl::OkStatus();
  }));
  std::vector<std::string> published;
  published.reserve(after.size());
  for (auto& [seq, bytes] : after) published.push_back(std::move(bytes));
  return store->Adopt(published);
}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(Options options, EventBus* bus) {
  std::unique_ptr<EventLog> log(new EventLog());
  if (options.vault == nullptr) return absl::InvalidArgumentError(absl::StrCat(options.name, ": no key vault"));
  log->keys_ = std::make_unique<crypto::KeyRing>(options.vault);
  ASSIGN_OR_RETURN(log->store_, EventStore::Open(EventStore::Options{
                                    .path = (std::filesystem::path(options.data_dir) / options.name).string(),
                                    .clock = options.clock,
                                    .folder = options.folder,
                                    .statistics = options.statistics,
                                    .keys = log->keys_.get()}));
  // After a restore: the bus may hold events the backup's copy of the store lacks.
  const std::filesystem::path restored = std::filesystem::path(options.data_dir) / (options.name + ".restored");
  if (std::filesystem::exists(restored)) {
    ASSIGN_OR_RETURN(const uint64_t adopted, AdoptFromBus(log->store_.get(), bus, options.topic, options.keys_topic));
    logging::Info(absl::StrCat(options.name, ": restored from a backup; took back ", adopted,
                               " events published after it from ", options.topic),
                  {{"last_sequence", log->store_->LastSequence()}, {"outbox_pending", log->store_->OutboxPending()}});
    std::error_code ignored;
    std::filesystem::remove(restored, ignored);
  }
  log->relay_ = std::make_unique<OutboxRelay>(log->store_.get(), bus, OutboxRelay::Options{.topic = options.topic, .keys_topic = options.keys_topic});
  log->store_->SetCommitListener([relay = log->relay_.get()] { relay->Notify(); });
  log->relay_->Start();
  ASSIGN_OR_RETURN(log->audit_, audit::LogAudit::Start(log->store_.get(), options.data_dir, options.name,
                                                       options.checkpoint_interval, options.clock));
  if (options.scrub_interval > absl::ZeroDuration()) {
    log->scrubber_ = std::thread([log = log.get(), first = options.first_scrub_after, every = options.scrub_interval] {
      log->ScrubLoop(first, every);
    });
  }
  return log;
}

absl::StatusOr<EventStore::ScrubReport> EventLog::ScrubNow() {
  const std::string public_key = audit_->key().public_key();
  ASSIGN_OR_RETURN(EventStore::ScrubReport report,
                   store_->Scrub(
                       [&public_key](const safeguard::v1::SignedCheckpoint& c) {
                         return audit::VerifyCheckpoint(c, public_key);
                       },
                       [this] {
                         absl::MutexLock lock(&mu_);
                         return stopping_;
                       }));
  if (!report.ok()) {
    logging::Error(absl::StrCat("DATA LOSS: the scrub of ", store_->path(), " found: ", report.problem, " (docs/operations.md, \"Runbook: data loss detected\")"));
  }
  safeguard::v1::StoreScrub scrub;
  *scrub.mutable_at() = ToProtoTimestamp(absl::Now());
  scrub.set_events(report.events);
  scrub.set_checkpoints_verified(report.checkpoints_verified);
  scrub.set_first_bad_sequence(report.first_bad_sequence.value_or(0));
  scrub.set_problem(report.problem);
  absl::MutexLock lock(&mu_);
  last_scrub_ = std::move(scrub);
  return report;
}

void EventLog::ScrubLoop(absl::Duration first, absl::Duration interval) {
  absl::Duration wait = first;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), wait)) return;
    }
    if (absl::StatusOr<EventStore::ScrubReport> r = ScrubNow(); !r.ok()) {
      if (absl::IsCancelled(r.status())) return;
      logging::Warning(absl::StrCat("scrub of ", store_->path(), " could not run: ", r.status().ToString()));
    }
    wait = interval;
  }
}

// The relay and the checkpointer stop before the store they read goes; the store's
// writer (which notifies the relay) stops before the relay object goes.
EventLog::~EventLog() {
  Stop();
  audit_.reset();
  store_.reset();
  keys_.reset();
}

grpc::Service* EventLog::audit_service() const { return audit_->service(); }

void EventLog::ReportStatus(safeguard::v1::ServiceStatus* status) const {
  status->set_last_log_sequence(status->last_log_sequence() + store_->LastSequence());
  status->set_outbox_pending(status->outbox_pending() + store_->OutboxPending());
  status->set_events_published(status->events_published() + relay_->published());
  status->set_data_loss_detected(status->data_loss_detected() + store_->data_loss_detected());
  const EventStore::Stats stats = store_->stats();
  status->set_events_written(status->events_written() + stats.events_written);
  status->set_synced_writes(status->synced_writes() + stats.synced_writes);
  if (status->first_data_loss().empty()) status->set_first_data_loss(store_->first_data_loss());
  status->mutable_data_keys()->set_current_kek(keys_->vault().current_kek_id());
  status->mutable_data_keys()->set_under_retired_keks(status->data_keys().under_retired_keks() +
                                                      store_->keys_under_retired_keks());
  if (absl::StatusOr<uint64_t> awaiting = store_->KeysAwaitingPublication(); awaiting.ok()) {
    status->mutable_data_keys()->set_awaiting_publication(status->data_keys().awaiting_publication() + *awaiting);
  }
  absl::MutexLock lock(&mu_);
  if (last_scrub_.has_at()) *status->mutable_last_scrub() = last_scrub_;
}

void EventLog::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (scrubber_.joinable()) scrubber_.join();
  if (relay_) relay_->Stop();
  if (audit_) audit_->Stop();
}

}  // namespace safeguard
