// The projection's write path: applies batches of bus records to mappa-service's state.
// Each batch is one transaction: every event is admitted in stream order
// (StreamSequencer) and routed to the folders that keep what it changes — an agency's
// fact to the identity index, the record's events and its person's picture, and the
// screening index; a MAPPA identity decision to the identity index; a disclosure case's
// step to its case; a meeting's record to its meeting — then the persons whose records
// changed are folded again, their alerts brought up to date, and all of it is committed
// with the consumed positions in one write. After a crash the consumer resumes exactly
// where the state ends: nothing applied twice, nothing skipped, no alert left stale.
// Not thread-safe: one consumer thread applies; readers take snapshots.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/bus/event_bus.h"
#include "common/time_util.h"
#include "services/mappa/alerts/alert_feed.h"
#include "services/mappa/ingest/stream_sequencer.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {

class Projector {
 public:
  // Over `state`, which must outlive the projector.
  static absl::StatusOr<std::unique_ptr<Projector>> Create(MappaState* state, Clock clock = SystemClock());

  // Applies `records` in order, in one atomic write with their positions.
  absl::StatusOr<ApplyStats> Apply(const std::vector<BusRecord>& records);

  // Takes today's re-evaluation of every person's alerts (time alone raises and clears
  // some) forward by up to `limit` persons, in one write with how far it has got, so that
  // a restart resumes it instead of judging everyone again. Progress stored for an earlier
  // day, or by other rules (kAlertRulesVersion), is begun again for today. True while persons remain to be judged today; false
  // once today is done, and on every call after that until the day changes.
  absl::StatusOr<bool> ReevaluateAlerts(size_t limit);

  // Where watchers of the alerts learn of new changes.
  AlertFeed& feed() { return *feed_; }

  // Totals since this process created the projector. Thread-safe.
  ApplyStats totals() const;

 private:
  Projector(MappaState* state, Clock clock, uint64_t alert_sequence);

  MappaState* const state_;
  const Clock clock_;
  uint64_t alert_sequence_;  // the change log's last, committed
  std::optional<absl::CivilDay> evaluated_day_;  // the day last re-evaluated in full, once known
  std::unique_ptr<AlertFeed> feed_;
  struct {
    std::atomic<uint64_t> applied{0}, duplicates{0}, parked{0}, released{0}, unreadable{0};
  } totals_;
};

}  // namespace safeguard::mappa
