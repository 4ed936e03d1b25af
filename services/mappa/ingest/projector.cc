#include "services/mappa/ingest/projector.h"

#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"
#include "common/time_util.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "services/mappa/alerts/alert_folder.h"
#include "services/mappa/alerts/alert_rules.h"
#include "services/mappa/cases/case_folder.h"
#include "services/mappa/identity/identity_index.h"
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

}  // namespace

absl::StatusOr<std::unique_ptr<Projector>> Projector::Create(MappaState* state, Clock clock) {
  ASSIGN_OR_RETURN(const uint64_t sequence, LastAlertSequence(state->Read()));
  return std::unique_ptr<Projector>(new Projector(state, std::move(clock), sequence));
}

Projector::Projector(MappaState* state, Clock clock, uint64_t alert_sequence)
    : state_(state),
      clock_(std::move(clock)),
      alert_sequence_(alert_sequence),
      feed_(std::make_unique<AlertFeed>(kFanoutThreads, alert_sequence)) {}

absl::StatusOr<ApplyStats> Projector::Apply(const std::vector<BusRecord>& records) {
  std::unique_ptr<Transaction> txn = state_->Begin();
  ApplyStats stats;
  StreamSequencer sequencer(txn.get(), clock_, &stats);
  IdentityFolder identity(txn.get());
  PersonFolder persons(txn.get(), &identity);
  CaseFolder cases(txn.get());
  MeetingFolder meetings(txn.get());

  // An agency's fact (or a meeting's review of a subject): filed under the record of its
  // own subject key.
  auto fact = [&](const v1::EventEnvelope& e, std::string_view bytes) -> absl::Status {
    const std::string& record = e.subject_key();
    RETURN_IF_ERROR(identity.Index(record, e));
    IndexIdentifiers(txn.get(), record, e);
    return persons.Apply(record, e, bytes);
  };
  auto route = [&](const v1::EventEnvelope& e, std::string_view bytes) -> absl::Status {
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
  for (const BusRecord& record : records) RETURN_IF_ERROR(sequencer.Admit(record, route));

  ASSIGN_OR_RETURN(const Reshaped reshaped, identity.Flush());
  ASSIGN_OR_RETURN(const PictureChanges pictures, persons.Flush(reshaped));
  AlertFolder alerts(txn.get(), clock_(), alert_sequence_);
  for (const auto& [person, facts] : pictures.changed) RETURN_IF_ERROR(alerts.Update(person, facts));
  for (const std::string& person : pictures.gone) RETURN_IF_ERROR(alerts.Update(person, nullptr));
  cases.Flush();
  meetings.Flush();
  sequencer.Finish();
  RETURN_IF_ERROR(state_->Commit(*txn));

  alert_sequence_ = alerts.last_sequence();
  feed_->Advance(alert_sequence_);
  totals_.applied += stats.applied;
  totals_.duplicates += stats.duplicates;
  totals_.parked += stats.parked;
  totals_.released += stats.released;
  totals_.unreadable += stats.unreadable;
  return stats;
}

absl::StatusOr<bool> Projector::ReevaluateAlerts(size_t limit) {
  const absl::Time now = clock_();
  const absl::CivilDay today = DayOf(now);
  if (evaluated_day_ == today) return false;
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
  AlertFolder alerts(txn.get(), now, alert_sequence_);
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
                    totals_.released.load(), totals_.unreadable.load()};
}

}  // namespace safeguard::mappa
