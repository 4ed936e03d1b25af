// Feeds the bus into the projection: subscribes from the positions the state holds,
// applies each polled batch in one write (Projector), and on any error re-subscribes from
// the stored positions, so a half-seen batch is simply read again. Each day it also
// re-evaluates every person's alerts, a chunk at a time between batches, because time
// alone raises and clears some; how far it has got is stored, so a restart resumes it.
// An empty state facing a log of more than one batch is rebuilt the faster way: filed,
// then folded (Projector::BeginRebuild); the folding too goes a chunk at a time between
// batches.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/bus/event_bus.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "services/mappa/ingest/projector.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {

class MappaConsumer {
 public:
  // Most records one batch applies: bounds a batch's memory, not its latency.
  static constexpr size_t kMaxBatch = 4096;
  // Persons whose alerts one chunk of the daily re-evaluation brings up to date.
  static constexpr size_t kReevaluationChunk = 1000;
  // Records whose persons' pictures one chunk of a rebuild's folding folds.
  static constexpr size_t kFoldChunk = 1000;

  // `bus`, `state` and `projector` must outlive the consumer.
  MappaConsumer(EventBus* bus, MappaState* state, Projector* projector, std::vector<std::string> topics,
                Clock clock = SystemClock());
  ~MappaConsumer();

  void Start();
  void Stop();

  // The end of each partition read, as the bus last said (PartitionEnd): empty before the
  // first poll. Thread-safe.
  std::vector<PartitionEnd> ends() const;
  // When the loop last went round (InfinitePast before it started): a loop that stops
  // turning is stuck. Thread-safe.
  absl::Time last_turn() const;

 private:
  void Loop();
  // Does one chunk of a rebuild's folding (Projector::FoldSome) while there is one, else
  // of the day's re-evaluation. True while either is under way.
  absl::StatusOr<bool> FoldOrReevaluateSome();
  // Does one chunk of the day's re-evaluation (Projector::ReevaluateAlerts). True while
  // a re-evaluation is under way.
  bool ReevaluateSome();

  EventBus* const bus_;
  MappaState* const state_;
  Projector* const projector_;
  const std::vector<std::string> topics_;
  const Clock clock_;
  // Consumer thread only: when a failed re-evaluation may be tried again.
  absl::Time next_reevaluation_ = absl::InfinitePast();
  absl::Duration reevaluation_backoff_ = absl::ZeroDuration();
  // Consumer thread only: the rebuild's progress on a terminal, and when it was last logged.
  void ShowRebuild();
  std::unique_ptr<Progress> progress_;
  absl::Time progress_logged_ = absl::InfinitePast();
  std::atomic<bool> stopping_{false};
  mutable std::mutex seen_mu_;
  std::vector<PartitionEnd> ends_;                     // guarded by seen_mu_
  absl::Time last_turn_ = absl::InfinitePast();        // guarded by seen_mu_
  std::thread thread_;
};

}  // namespace safeguard::mappa
