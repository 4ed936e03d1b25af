// Publishes signed checkpoints of an event store's log at intervals: whenever the log has
// grown since the last one, its root is signed (common/audit/checkpoint.h) and stored with
// the log. One more is made when it stops. Thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/audit/checkpoint.h"
#include "common/store/event_store.h"
#include "common/time_util.h"

namespace safeguard::audit {

class Checkpointer {
 public:
  struct Options {
    std::string origin;                       // e.g. "safeguard/police"
    absl::Duration interval = absl::Seconds(10);
    Clock clock = SystemClock();
  };

  // `store` and `key` must outlive this object.
  Checkpointer(EventStore* store, const SigningKey* key, Options options);
  ~Checkpointer();  // Stop()

  void Start();
  // Stops the thread after a last checkpoint. Idempotent.
  void Stop();

  // Signs and stores a checkpoint of the log as it is now, unless the latest already
  // covers it; returns the latest either way.
  absl::StatusOr<safeguard::v1::SignedCheckpoint> CheckpointNow();

  const std::string& origin() const { return options_.origin; }

 private:
  void Loop();

  EventStore* const store_;
  const SigningKey* const key_;
  const Options options_;
  std::mutex sign_mu_;  // one checkpoint at a time
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace safeguard::audit
