// The embedded event bus: a durable log per topic in one RocksDB database, for a single
// machine with zero set-up. Each topic has one partition (0); offsets start at 0.
// Appends are WAL-synced before Publish returns.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/bus/event_bus.h"
#include "common/time_util.h"
#include "rocksdb/db.h"

namespace safeguard {

class RocksDbEventBus : public EventBus {
 public:
  // Opens (or creates) the log at `path`.
  static absl::StatusOr<std::unique_ptr<RocksDbEventBus>> Open(const std::string& path,
                                                               Clock clock = SystemClock());
  // Opens the log at `path` to read only (an auditor's copy, or a live log: nothing is
  // locked and nothing can be written; Publish fails).
  static absl::StatusOr<std::unique_ptr<RocksDbEventBus>> OpenReadOnly(const std::string& path);
  ~RocksDbEventBus() override;

  absl::Status Publish(const std::vector<BusMessage>& messages) override;
  absl::StatusOr<std::unique_ptr<BusConsumer>> Subscribe(const std::vector<std::string>& topics,
                                                         const std::string& group,
                                                         PositionLookup positions) override;

  // Up to `max` records of `topic` from `offset`. Thread-safe.
  absl::StatusOr<std::vector<BusRecord>> Read(const std::string& topic, int64_t offset,
                                              size_t max);

  // The offset the next record of `topic` will get (0 for an empty topic). Thread-safe.
  int64_t EndOffset(const std::string& topic);

  // Blocks until `topic` has a record at `offset` or `deadline` passes; true if it has.
  bool WaitForOffset(const std::string& topic, int64_t offset, absl::Time deadline);

  // Wakes every waiter, e.g. so consumers notice shutdown.
  void WakeAll();

 private:
  RocksDbEventBus(std::unique_ptr<rocksdb::DB> db, std::map<std::string, int64_t> ends,
                  Clock clock);
  // Reads the topics' end offsets from `db`.
  static absl::StatusOr<std::unique_ptr<RocksDbEventBus>> FromDb(std::unique_ptr<rocksdb::DB> db, Clock clock);

  std::unique_ptr<rocksdb::DB> db_;
  const Clock clock_;
  std::mutex mu_;
  std::condition_variable appended_cv_;
  std::map<std::string, int64_t> end_offsets_;  // guarded by mu_
};

}  // namespace safeguard
