// Moves committed events from an agency's event store to the bus.
//
// The store writes each event and its outbox entry in one WriteBatch; the relay publishes
// pending entries in log order and deletes them only after the bus has confirmed them
// durable. A crash between the two republishes the event: consumers dedupe by stream and
// version, so delivery is at-least-once and application exactly-once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/bus/event_bus.h"
#include "common/store/event_store.h"

namespace safeguard {

class OutboxRelay {
 public:
  struct Options {
    std::string topic;                               // e.g. kPoliceTopic
    // Where the records of new data keys go, each before the first event sealed under it
    // (e.g. kPoliceKeysTopic).
    std::string keys_topic;
    size_t batch_size = 512;
    absl::Duration idle_poll = absl::Milliseconds(200);  // safety net besides wake-ups
    absl::Duration max_backoff = absl::Seconds(5);
  };

  // `store` and `bus` must outlive the relay.
  OutboxRelay(EventStore* store, EventBus* bus, Options options);
  ~OutboxRelay();  // stops the thread if running

  // Publishes up to one batch of pending events. Returns how many were published and
  // marked. Thread-compatible: do not call while the background thread runs.
  absl::StatusOr<size_t> RelayOnce();

  // Runs RelayOnce in a background thread, woken by the store's commits, backing off
  // exponentially while the bus is unavailable.
  void Start();
  void Stop();

  // Wakes the background thread (the store's commit listener calls this).
  void Notify();

  // Events published since start, for status reporting.
  uint64_t published() const { return published_.load(); }

 private:
  void Loop();

  EventStore* const store_;
  EventBus* const bus_;
  const Options options_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  bool notified_ = false;  // guarded by mu_
  std::atomic<uint64_t> published_{0};
  std::thread thread_;
};

}  // namespace safeguard
