#include "services/mappa/ingest/projector.h"

#include <algorithm>
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/logging.h"
#include "common/privacy/decisions.h"
#include "common/status_macros.h"
#include "common/time_util.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "services/mappa/alerts/alert_folder.h"
#include "services/mappa/alerts/alert_rules.h"
#include "services/mappa/cases/case_folder.h"
#include "services/mappa/identity/identity_index.h"
#include "services/mappa/ingest/erasure.h"
#include "services/mappa/ingest/sealed_events.h"
#include "services/mappa/meetings/meeting.h"
#include "services/mappa/meetings/meeting_folder.h"
#include "services/mappa/projection/person_views.h"
#include "services/mappa/screening/identifier_index.h"
#include "services/mappa/state/prefixes.h"
#include "services/mappa/state/state_reader.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;

// The fan-out's threads, which every alert watch shares.
constexpr size_t kFanoutThreads = 2;

std::string Counted(uint64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

// Adds a rebuild's progress to `txn` (its end, when there is none).
void WriteRebuild(const std::optional<v1::RebuildProgress>& progress, Transaction* txn) {
  if (progress.has_value()) {
    txn->Put(prefix::kRebuild, progress->SerializeAsString());
  } else {
    txn->Delete(prefix::kRebuild);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Projector>> Projector::Create(MappaState* state, Clock clock, Keys keys) {
  // The agencies' keys held, under the vault's newest KEK (a KEK was added since).
  SealedEvents::Rewrapped rewrapped;
  if (keys.vault != nullptr) {
    ASSIGN_OR_RETURN(rewrapped, SealedEvents::RewrapHeld(state, *keys.vault));
    if (rewrapped.rewrapped > 0) {
      logging::Info(absl::StrCat("mappa: ", rewrapped.rewrapped, " data keys re-wrapped under KEK ",
                                 keys.vault->current_kek_id()));
    }
    if (!rewrapped.under_retired_keks.empty()) {
      logging::Error(absl::StrCat("mappa: ", rewrapped.under_retired_keks.size(),
                                  " data keys are wrapped under a KEK this key vault does not hold; the events they "
                                  "seal wait until each key's record comes re-wrapped, or the KEK is given back "
                                  "(docs/security.md, \"Rotating the key-encryption key\")"));
    }
  }
  const Snapshot snapshot = state->Read();
  ASSIGN_OR_RETURN(const uint64_t sequence, LastAlertSequence(snapshot));
  ASSIGN_OR_RETURN(std::optional<v1::RebuildProgress> rebuild,
                   GetMessage<v1::RebuildProgress>(snapshot, prefix::kRebuild, "rebuild progress"));
  if (rebuild.has_value() && rebuild->shown().stage() == v1::MappaRebuild::FILING) {
    RETURN_IF_ERROR(state->SetBulkLoad(true));
  }
  auto projector = std::unique_ptr<Projector>(
      new Projector(state, std::move(clock), std::move(keys), sequence, std::move(rebuild)));
  projector->stranded_keys_.insert(rewrapped.under_retired_keks.begin(), rewrapped.under_retired_keks.end());
  ASSIGN_OR_RETURN(const uint64_t awaiting, SealedEvents::EventsAwaitingKeys(snapshot));
  projector->awaiting_keys_.store(static_cast<int64_t>(awaiting));
  return projector;
}

uint64_t Projector::events_awaiting_keys() const {
  return static_cast<uint64_t>(std::max<int64_t>(0, awaiting_keys_.load(std::memory_order_relaxed)));
}

uint64_t Projector::keys_under_retired_keks() const {
  absl::MutexLock lock(&stranded_mu_);
  return stranded_keys_.size();
}

Projector::Projector(MappaState* state, Clock clock, Keys keys, uint64_t alert_sequence,
                     std::optional<v1::RebuildProgress> rebuild)
    : state_(state),
      clock_(std::move(clock)),
      ring_(keys.vault != nullptr ? std::make_unique<crypto::KeyRing>(keys.vault) : nullptr),
      destroy_own_key_(std::move(keys.destroy_own_key)),
      keys_topics_(keys.topics.begin(), keys.topics.end()),
      alert_sequence_(alert_sequence),
      feed_(std::make_unique<AlertFeed>(kFanoutThreads, alert_sequence)),
      rebuild_(std::move(rebuild)) {
  ShowRebuild();
}

void Projector::ShowRebuild() {
  absl::MutexLock lock(&shown_mu_);
  shown_ = rebuild_.has_value() ? rebuild_->shown() : v1::MappaRebuild();
  rebuilding_.store(rebuild_.has_value(), std::memory_order_release);
}

v1::MappaRebuild Projector::rebuild() const {
  absl::MutexLock lock(&shown_mu_);
  return shown_;
}

absl::Status Projector::Serving() const {
  if (!rebuilding_.load(std::memory_order_acquire)) return absl::OkStatus();
  const v1::MappaRebuild r = rebuild();
  switch (r.stage()) {
    case v1::MappaRebuild::FILING:
      return absl::UnavailableError(absl::StrCat(
          "mappa-service is rebuilding its views from the log (since ", FormatTimestamp(r.began_at()),
          "): filing its events, ", Counted(r.events_filed()),
          " so far; no picture is whole until every person's is folded next, so nothing is served until then; "
          "try again later"));
    case v1::MappaRebuild::FOLDING:
      return absl::UnavailableError(absl::StrCat(
          "mappa-service is rebuilding its views from the log (since ", FormatTimestamp(r.began_at()), "): ",
          Counted(r.events_filed()), " events filed, folding each person's picture (", Counted(r.persons_folded()),
          " folded so far); nothing is served until every one is; try again later"));
    default:
      return absl::OkStatus();
  }
}

absl::Status Projector::BeginRebuild() {
  if (rebuild_.has_value()) return absl::FailedPreconditionError("a rebuild is already under way");
  v1::RebuildProgress progress;
  progress.mutable_shown()->set_stage(v1::MappaRebuild::FILING);
  *progress.mutable_shown()->mutable_began_at() = ToProtoTimestamp(clock_());
  std::unique_ptr<Transaction> txn = state_->Begin();
  WriteRebuild(progress, txn.get());
  RETURN_IF_ERROR(state_->Commit(*txn));
  rebuild_ = std::move(progress);
  ShowRebuild();
  // Only once the rebuild is recorded (so that a restart turns it on again, and EndFiling
  // off); should it fail, the rebuild goes on with the log and compactions.
  if (absl::Status bulk = state_->SetBulkLoad(true); !bulk.ok()) {
    logging::Warning(absl::StrCat("mappa: rebuilding without the bulk load's settings: ", bulk.ToString()));
  }
  return absl::OkStatus();
}

absl::Status Projector::EndFiling() {
  if (!rebuild_.has_value() || rebuild_->shown().stage() != v1::MappaRebuild::FILING) {
    return absl::FailedPreconditionError("no rebuild is filing events");
  }
  v1::RebuildProgress progress = *rebuild_;
  progress.mutable_shown()->set_stage(v1::MappaRebuild::FOLDING);
  // What was filed is flushed and compactions resume before the folding reads it.
  RETURN_IF_ERROR(state_->SetBulkLoad(false));
  std::unique_ptr<Transaction> txn = state_->Begin();
  WriteRebuild(progress, txn.get());
  RETURN_IF_ERROR(state_->Commit(*txn));
  rebuild_ = std::move(progress);
  ShowRebuild();
  return absl::OkStatus();
}

absl::StatusOr<bool> Projector::FoldSome(size_t limit) {
  if (!rebuild_.has_value() || rebuild_->shown().stage() != v1::MappaRebuild::FOLDING) {
    return absl::FailedPreconditionError("no rebuild is folding pictures");
  }
  std::unique_ptr<Transaction> txn = state_->Begin();
  IdentityFolder identity(txn.get());
  PersonFolder persons(txn.get(), &identity);
  // Each person is folded at the first of their records (in key order) any fact was filed
  // under, as if a link had just reshaped them: the path a link takes in Apply.
  ASSIGN_OR_RETURN(const std::vector<std::string> records,
                   RecordsWithFacts(*txn, rebuild_->folded_up_to(), limit));
  Reshaped whole;
  for (const std::string& record : records) {
    ASSIGN_OR_RETURN(const Person person, identity.PersonOf(record));
    bool first = true;
    for (const std::string& other : person.records) {
      if (other >= record) continue;
      ASSIGN_OR_RETURN(const bool earlier, HasFacts(*txn, other));
      first = first && !earlier;
    }
    if (first) whole.persons.push_back(person);
  }
  ASSIGN_OR_RETURN(const PictureChanges pictures, persons.Flush(whole));
  const absl::Time now = clock_();
  AlertFolder alerts(txn.get(), now, alert_sequence_, vault());
  for (const auto& [person, facts] : pictures.changed) RETURN_IF_ERROR(alerts.Update(person, facts));
  for (const std::string& person : pictures.gone) RETURN_IF_ERROR(alerts.Update(person, nullptr));
  std::optional<v1::RebuildProgress> progress = *rebuild_;
  const bool more = records.size() == limit;
  if (more) {
    progress->set_folded_up_to(records.back());
    progress->mutable_shown()->set_persons_folded(progress->shown().persons_folded() + whole.persons.size());
  } else {
    progress.reset();
    // Everyone's alerts were judged by the folding, so the day's re-evaluation is done
    // for the day the rebuild began (a rebuild over midnight leaves today's to do).
    v1::AlertEvaluation evaluated;
    evaluated.set_day(FormatIsoDate(DayOf(FromProtoTimestamp(rebuild_->shown().began_at()))));
    evaluated.set_rules_version(kAlertRulesVersion);
    evaluated.set_done(true);
    txn->Put(prefix::kAlertEvaluation, evaluated.SerializeAsString());
  }
  WriteRebuild(progress, txn.get());
  RETURN_IF_ERROR(state_->Commit(*txn));
  rebuild_ = std::move(progress);
  ShowRebuild();
  alert_sequence_ = alerts.last_sequence();
  feed_->Advance(alert_sequence_);
  if (!more) evaluated_day_.reset();
  return more;
}

absl::StatusOr<ApplyStats> Projector::Apply(const std::vector<BusRecord>& records) {
  std::unique_ptr<Transaction> txn = state_->Begin();
  ApplyStats stats;
  const bool filing = rebuild_.has_value() && rebuild_->shown().stage() == v1::MappaRebuild::FILING;
  StreamSequencer sequencer(txn.get(), clock_, &stats);
  IdentityFolder identity(txn.get());
  PersonFolder persons(txn.get(), &identity, filing ? PersonFolder::Mode::kFileOnly : PersonFolder::Mode::kFold);
  CaseFolder cases(txn.get());
  MeetingFolder meetings(txn.get());
  DataProtectionFolder protection(txn.get(), vault(), &identity, &persons);

  // An agency's fact (or a meeting's review of a subject): filed under the record of its
  // own subject key.
  auto fact = [&](const v1::EventEnvelope& e, std::string_view bytes) -> absl::Status {
    const std::string& record = e.subject_key();
    RETURN_IF_ERROR(identity.Index(record, e));
    IndexIdentifiers(txn.get(), record, e);
    protection.Filed(record, e);
    return persons.Apply(record, e, bytes);
  };
  auto route = [&](const v1::EventEnvelope& e, std::string_view bytes) -> absl::Status {
    // Erased (its data key destroyed): its place in its stream counts; nothing of it is left to apply.
    if (crypto::IsSealed(e)) return absl::OkStatus();
    if (privacy::DecisionOf(e) != nullptr) return protection.Decide(e);
    if (std::optional<IdentityDecision> d = IdentityDecisionOf(e)) {
      RETURN_IF_ERROR(identity.Decide(e, *d));
      if (!d->record_a.empty() && !d->record_b.empty()) {
        persons.Mention(d->record_a, e, bytes);
        persons.Mention(d->record_b, e, bytes);
      }
      return absl::OkStatus();
    }
    if (disclosure::IsCaseEvent(e)) return cases.Apply(e);
    if (IsMeetingEvent(e)) {
      RETURN_IF_ERROR(meetings.Apply(e));
      if (e.has_mappa_subject_reviewed() && !e.subject_key().empty()) return fact(e, bytes);
      return absl::OkStatus();
    }
    return fact(e, bytes);
  };
  SealedEvents sealed(txn.get(), ring_.get());
  std::map<std::string, bool> stranded;  // keys this batch left held under a retired KEK (true) or not
  for (const BusRecord& record : records) {
    sequencer.Consumed(record);
    if (keys_topics_.contains(record.topic)) {
      ASSIGN_OR_RETURN(SealedEvents::KeyAdmitted admitted, sealed.AdmitKey(record));
      if (admitted.stranded.has_value()) stranded[admitted.key_id] = *admitted.stranded;
      if (admitted.destroyed.has_value()) RETURN_IF_ERROR(protection.Erase(*admitted.destroyed));
      for (const SealedEvents::Ready& r : admitted.released) {
        RETURN_IF_ERROR(sequencer.AdmitEvent(r.event, r.bytes, r.stream, route));
      }
      continue;
    }
    SealedEvents::Ready ready;
    ASSIGN_OR_RETURN(const SealedEvents::Outcome outcome, sealed.Open(record, &ready));
    switch (outcome) {
      case SealedEvents::Outcome::kUnreadable:
        sequencer.Unreadable(record, "not an event, or not one that opens");
        break;
      case SealedEvents::Outcome::kWaiting:
        ++stats.awaiting_key;
        break;
      case SealedEvents::Outcome::kReady:
        RETURN_IF_ERROR(sequencer.AdmitEvent(ready.event, ready.bytes, ready.stream, route));
        break;
    }
  }

  ASSIGN_OR_RETURN(const Reshaped reshaped, identity.Flush());
  std::optional<AlertFolder> alerts;  // none while filing: the folding judges everyone
  if (!filing) {
    alerts.emplace(txn.get(), clock_(), alert_sequence_, vault());
    ASSIGN_OR_RETURN(const PictureChanges pictures, persons.Flush(reshaped));
    for (const auto& [person, facts] : pictures.changed) RETURN_IF_ERROR(alerts->Update(person, facts));
    for (const std::string& person : pictures.gone) RETURN_IF_ERROR(alerts->Update(person, nullptr));
  }
  RETURN_IF_ERROR(protection.Flush(alerts.has_value() ? &*alerts : nullptr, reshaped, state_->Read()));
  cases.Flush();
  meetings.Flush();
  sequencer.Finish();
  std::optional<v1::RebuildProgress> progress = rebuild_;
  if (filing) {
    progress->mutable_shown()->set_events_filed(progress->shown().events_filed() + stats.applied);
    WriteRebuild(progress, txn.get());
  }
  RETURN_IF_ERROR(state_->Commit(*txn));
  awaiting_keys_.fetch_add(sealed.waiting_delta(), std::memory_order_relaxed);
  if (!stranded.empty()) {
    absl::MutexLock lock(&stranded_mu_);
    for (const auto& [key_id, is_stranded] : stranded) {
      if (is_stranded) {
        stranded_keys_.insert(key_id);
      } else {
        stranded_keys_.erase(key_id);
      }
    }
  }
  if (protection.erased() || !aftermath_checked_) {
    // Committed: what was erased is deleted; now out of every file of the state too.
    if (absl::Status finished = FinishErasures(); !finished.ok()) {
      logging::Error(absl::StrCat("mappa: an erasure's deletions are committed but its aftermath is not done (",
                                  finished.ToString(), "); it is tried again with the next batch"));
    }
  }
  if (filing) {
    rebuild_ = std::move(progress);
    ShowRebuild();
  } else {
    alert_sequence_ = alerts->last_sequence();
    feed_->Advance(alert_sequence_);
  }
  totals_.applied += stats.applied;
  totals_.duplicates += stats.duplicates;
  totals_.parked += stats.parked;
  totals_.released += stats.released;
  totals_.unreadable += stats.unreadable;
  totals_.awaiting_key += stats.awaiting_key;
  return stats;
}

absl::Status Projector::FinishErasures() {
  ASSIGN_OR_RETURN(const std::optional<v1::ErasureAftermath> aftermath, ErasureAftermathOf(state_->Read()));
  if (!aftermath.has_value()) {
    aftermath_checked_ = true;
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(state_->Purge());
  for (const v1::OwnKeyToDestroy& own : aftermath->own_keys()) {
    if (!destroy_own_key_) break;
    RETURN_IF_ERROR(destroy_own_key_(own.key_id(), own.destruction()));
  }
  std::unique_ptr<Transaction> txn = state_->Begin();
  EndErasureAftermath(txn.get());
  RETURN_IF_ERROR(state_->Commit(*txn));
  aftermath_checked_ = true;
  return absl::OkStatus();
}

absl::StatusOr<bool> Projector::ReevaluateAlerts(size_t limit) {
  const absl::Time now = clock_();
  const absl::CivilDay today = DayOf(now);
  if (evaluated_day_ == today) return false;
  if (rebuild_.has_value()) return false;  // its folding judges everyone
  std::unique_ptr<Transaction> txn = state_->Begin();
  ASSIGN_OR_RETURN(std::optional<v1::AlertEvaluation> stored,
                   GetMessage<v1::AlertEvaluation>(*txn, prefix::kAlertEvaluation, "alert re-evaluation progress"));
  v1::AlertEvaluation progress;
  if (stored.has_value() && stored->day() == FormatIsoDate(today) && stored->rules_version() == kAlertRulesVersion) {
    progress = *std::move(stored);
  }
  progress.set_day(FormatIsoDate(today));
  progress.set_rules_version(kAlertRulesVersion);
  if (progress.done()) {
    evaluated_day_ = today;
    return false;
  }
  AlertFolder alerts(txn.get(), now, alert_sequence_, vault());
  size_t judged = 0;
  absl::Status updated;
  RETURN_IF_ERROR(VisitPeople(*txn, progress.evaluated_up_to(), [&](const v1::RiskView& facts) {
    updated = alerts.Update(facts.subject_key(), &facts);
    progress.set_evaluated_up_to(facts.subject_key());
    return updated.ok() && ++judged < limit;
  }));
  RETURN_IF_ERROR(updated);
  progress.set_done(judged < limit);
  txn->Put(prefix::kAlertEvaluation, progress.SerializeAsString());
  RETURN_IF_ERROR(state_->Commit(*txn));
  alert_sequence_ = alerts.last_sequence();
  feed_->Advance(alert_sequence_);
  if (progress.done()) evaluated_day_ = today;
  return !progress.done();
}

ApplyStats Projector::totals() const {
  return ApplyStats{totals_.applied.load(), totals_.duplicates.load(), totals_.parked.load(),
                    totals_.released.load(), totals_.unreadable.load(), totals_.awaiting_key.load()};
}

}  // namespace safeguard::mappa
