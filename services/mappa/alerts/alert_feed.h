// Tells alert watchers that changes have been committed, and runs their work, without a
// thread per watcher: a watcher asks to be woken once the change log is past a sequence,
// and its next step runs on one of the feed's few threads (the fan-out), which every
// watch shares. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace safeguard::mappa {

class AlertFeed {
 public:
  // The fan-out's threads, and the change log's last sequence to start from.
  AlertFeed(size_t threads, uint64_t sequence);
  // Stops the threads; wakes and tasks not yet run are dropped.
  ~AlertFeed();

  // The last committed change's sequence.
  uint64_t sequence() const;

  // The consumer committed changes up to `sequence`: runs the wakes now due.
  void Advance(uint64_t sequence);

  // Runs `wake` on a fan-out thread once the sequence is beyond `after` (soon, if it
  // already is). Returns an id to Cancel it with.
  uint64_t WakeAfter(uint64_t after, std::function<void()> wake);

  // Drops the wake `id` if it has not been handed to a thread yet; true if it was dropped.
  bool Cancel(uint64_t id);

  // Runs every waiting wake now, whatever the sequence (the access policy changed: each
  // watch checks that its caller may still watch).
  void WakeAll();

  // Runs `task` on a fan-out thread.
  void Post(std::function<void()> task);

  // How many wakes wait now (for status and tests).
  size_t waiting() const;

 private:
  void Work();

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  uint64_t sequence_;                                                      // guarded by mu_
  uint64_t next_id_ = 1;                                                   // guarded by mu_
  std::map<uint64_t, std::pair<uint64_t, std::function<void()>>> wakes_;  // id -> (after, wake)
  std::deque<std::function<void()>> tasks_;                                // guarded by mu_
  bool stopping_ = false;                                                  // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace safeguard::mappa
