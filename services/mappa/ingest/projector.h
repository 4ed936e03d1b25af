// The projection's write path: applies batches of bus records to mappa-service's state.
// Each batch is one transaction: every event is admitted in stream order
// (StreamSequencer) and routed to the folders that keep what it changes — an agency's
// fact to the identity index, the record's events and its person's picture, and the
// screening index; a MAPPA identity decision to the identity index; a disclosure case's
// step to its case; a meeting's record to its meeting — then the persons whose records
// changed are folded again, their alerts brought up to date, and all of it is committed
// with the consumed positions in one write. After a crash the consumer resumes exactly
// where the state ends: nothing applied twice, nothing skipped, no alert left stale.
//
// A rebuild (an empty state and a log of more than one batch) goes faster another way:
// while FILING, each event is filed (its record's events and timeline, the identity
// index, the stream positions) but no picture is folded and no alert judged, which would
// otherwise read, parse and rewrite a person's whole picture per event; once the log is
// applied, FOLDING folds each person's picture once from their events, and judges their
// alerts, a chunk at a time. Until that is over the views are incomplete, and Serving()
// refuses every read and command. Its progress is stored with each write, so a restart
// resumes it.
// Not thread-safe: one consumer thread applies; readers take snapshots. Serving() and
// rebuild() may be called from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/sealing.h"
#include "common/bus/event_bus.h"
#include "common/time_util.h"
#include "services/mappa/alerts/alert_feed.h"
#include "services/mappa/ingest/stream_sequencer.h"
#include "services/mappa/state/mappa_state.h"
#include "services/mappa/state/serving_gate.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "safeguard/v1/keys.pb.h"
#include "safeguard/v1/operations.pb.h"

namespace safeguard::mappa {

// What the projector reads besides events: the keys events are sealed under.
struct ProjectorKeys {
  // The deployment's key vault (common/crypto/key_vault.h); nullptr: every event must
  // come unsealed. Must outlive the projector.
  const crypto::KeyVault* vault = nullptr;
  // The topics whose records are data keys (DataKeyRecord), not events.
  std::vector<std::string> topics;
  // Once a batch that erased is committed: called with mappa-service's own data key for
  // each record nothing is left of, and the destruction that erased it. mappa-service
  // destroys the key there, sealing for good its reads of the record and its panels'
  // reviews of it (OK when it holds no such key). Empty: nothing more is done.
  std::function<absl::Status(const std::string& key_id, const safeguard::v1::KeyDestruction& destruction)>
      destroy_own_key;
};

class Projector final : public ServingGate {
 public:
  using Keys = ProjectorKeys;

  // Over `state`, which must outlive the projector.
  static absl::StatusOr<std::unique_ptr<Projector>> Create(MappaState* state, Clock clock = SystemClock(),
                                                           Keys keys = {});

  // Applies `records` in order, in one atomic write with their positions.
  absl::StatusOr<ApplyStats> Apply(const std::vector<BusRecord>& records);

  // Takes today's re-evaluation of every person's alerts (time alone raises and clears
  // some) forward by up to `limit` persons, in one write with how far it has got, so that
  // a restart resumes it instead of judging everyone again. Progress stored for an earlier
  // day, or by other rules (kAlertRulesVersion), is begun again for today. True while persons remain to be judged today; false
  // once today is done, and on every call after that until the day changes.
  absl::StatusOr<bool> ReevaluateAlerts(size_t limit);

  // Starts a rebuild (FILING). For a state that holds nothing yet.
  absl::Status BeginRebuild();
  // The log is applied: the pictures are folded next (FOLDING).
  absl::Status EndFiling();
  // Folds the pictures of up to `limit` persons from their events and judges their
  // alerts, in one write with how far it has got. True while persons remain; once the
  // last is folded, the rebuild is over (and today's re-evaluation of alerts is done).
  absl::StatusOr<bool> FoldSome(size_t limit);

  // The rebuild under way; stage STAGE_UNSPECIFIED when there is none. Thread-safe.
  safeguard::v1::MappaRebuild rebuild() const;
  // OK when the views are whole; kUnavailable, saying how far it has got, while a
  // rebuild is under way. Thread-safe.
  absl::Status Serving() const override;

  // Where watchers of the alerts learn of new changes.
  AlertFeed& feed() { return *feed_; }

  // Totals since this process created the projector. Thread-safe.
  ApplyStats totals() const;

  // Data keys held only under a KEK the vault no longer holds (found at creation, and as
  // their records come): what they seal waits. Thread-safe.
  uint64_t keys_under_retired_keks() const;
  // Events waiting for their data keys' records, now (counted once at creation, then kept
  // with each batch: a status call does not scan them). Thread-safe.
  uint64_t events_awaiting_keys() const;

 private:
  Projector(MappaState* state, Clock clock, Keys keys, uint64_t alert_sequence,
            std::optional<safeguard::v1::RebuildProgress> rebuild);
  // Copies rebuild_ to what other threads see.
  void ShowRebuild();
  // The key vault (nullptr: none, and events come unsealed).
  const crypto::KeyVault* vault() const { return ring_ != nullptr ? &ring_->vault() : nullptr; }
  // What committed erasures left to do: the state purged, mappa-service's own keys for
  // the records nothing is left of destroyed (ingest/erasure.h).
  absl::Status FinishErasures();

  MappaState* const state_;
  const Clock clock_;
  bool aftermath_checked_ = false;  // whether FinishErasures has looked since the start
  std::unique_ptr<crypto::KeyRing> ring_;  // null without a vault
  const std::function<absl::Status(const std::string&, const safeguard::v1::KeyDestruction&)> destroy_own_key_;
  const absl::flat_hash_set<std::string> keys_topics_;
  uint64_t alert_sequence_;  // the change log's last, committed
  std::optional<absl::CivilDay> evaluated_day_;  // the day last re-evaluated in full, once known
  std::unique_ptr<AlertFeed> feed_;
  std::optional<safeguard::v1::RebuildProgress> rebuild_;  // as committed
  // What other threads see: whether a rebuild is under way (read on every call, so
  // without a lock), and its progress (read only while one is).
  std::atomic<bool> rebuilding_{false};
  std::atomic<int64_t> awaiting_keys_{0};
  mutable absl::Mutex stranded_mu_;
  absl::flat_hash_set<std::string> stranded_keys_ ABSL_GUARDED_BY(stranded_mu_);
  mutable absl::Mutex shown_mu_;
  safeguard::v1::MappaRebuild shown_ ABSL_GUARDED_BY(shown_mu_);
  struct {
    std::atomic<uint64_t> applied{0}, duplicates{0}, parked{0}, released{0}, unreadable{0}, awaiting_key{0};
  } totals_;
};

}  // namespace safeguard::mappa
