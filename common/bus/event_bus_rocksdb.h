// The embedded event bus: a durable log per topic in one RocksDB database, for a single
// machine with zero set-up. Each topic has one partition (0); offsets start at 0.
//
// Publishing is a group commit, as the event store's appends are: one writer thread takes
// every publish queued while the previous write was being synced and appends them all in
// one WAL-synced WriteBatch, then runs their callbacks. No lock is held across the sync,
// so publishers (the outbox relays, every read's access record) queue, not wait on each
// other. A record is readable only once it is durable.
//
// Compacted topics (IsCompactedTopic: the keys topics) keep only the latest record of each
// key: a record's append deletes the one it replaces, in the same write, so a reader meets
// gaps in the offsets, as on Kafka. A message that asks it (purge_replaced: a destroyed
// data key's record) also has the replaced record's bytes flushed and compacted out of
// every file before its publish is acknowledged.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "common/bus/event_bus.h"
#include "common/time_util.h"
#include "rocksdb/db.h"

namespace safeguard {

class RocksDbEventBus : public EventBus {
 public:
  // Opens (or creates) the log at `path` and starts its writer (in `env`; nullptr: the
  // default environment).
  static absl::StatusOr<std::unique_ptr<RocksDbEventBus>> Open(const std::string& path,
                                                               Clock clock = SystemClock(),
                                                               rocksdb::Env* env = nullptr);
  // Opens the log at `path` to read only (an auditor's copy, or a live log: nothing is
  // locked and nothing can be written; publishing fails with kFailedPrecondition).
  static absl::StatusOr<std::unique_ptr<RocksDbEventBus>> OpenReadOnly(const std::string& path);
  // Stops the writer; publishes still queued fail with kUnavailable.
  ~RocksDbEventBus() override;

  void PublishAsync(std::vector<BusMessage> messages, PublishDone done) override;
  absl::StatusOr<std::unique_ptr<BusConsumer>> Subscribe(const std::vector<std::string>& topics,
                                                         const std::string& group,
                                                         PositionLookup positions) override;

  // Up to `max` records of `topic` from `offset`. Thread-safe.
  absl::Status ReadWholeTopic(const std::string& topic,
                              const std::function<absl::Status(BusRecord)>& visit) override;

  absl::StatusOr<std::vector<BusRecord>> Read(const std::string& topic, int64_t offset,
                                              size_t max);

  // The offset the next record of `topic` will get (0 for an empty topic). Thread-safe.
  int64_t EndOffset(const std::string& topic);

  // Blocks until `topic` has a record at `offset` or `deadline` passes; true if it has.
  // Appends to other offsets or topics in the meantime do not end the wait.
  bool WaitForOffset(const std::string& topic, int64_t offset, absl::Time deadline);

  // The number of durable appends since open, to any topic. A reader takes it before
  // reading and passes it to WaitForAppendAfter, so an append in between is not missed.
  uint64_t AppendCount() const;
  // Blocks until more than `seen` appends are durable or `deadline` passes; true if so.
  bool WaitForAppendAfter(uint64_t seen, absl::Time deadline);

  // Counters since open: messages appended and the synced writes that carried them.
  struct Stats {
    uint64_t messages = 0;
    uint64_t synced_writes = 0;
  };
  Stats stats() const;

 private:
  struct Pending {
    std::vector<BusMessage> messages;
    PublishDone done;
  };

  // The offset of the latest record of each key, per compacted topic.
  using LatestByKey = std::map<std::string, std::unordered_map<std::string, int64_t>>;

  RocksDbEventBus(std::unique_ptr<rocksdb::DB> db, std::map<std::string, int64_t> ends, LatestByKey latest,
                  Clock clock, bool writable);
  // Reads the topics' end offsets from `db`.
  static absl::StatusOr<std::unique_ptr<RocksDbEventBus>> FromDb(std::unique_ptr<rocksdb::DB> db, Clock clock,
                                                                 bool writable);
  void WriterLoop();
  // Appends `group` in one synced write and runs its callbacks. Writer thread only.
  void CommitGroup(std::vector<Pending>& group);
  // Flushes `db`'s memtable and rewrites `topic`'s table files without its deleted records.
  static absl::Status PurgeReplaced(rocksdb::DB* db, const std::string& topic);
  // Makes the appends up to `ends` readable for the topics `which` selects, and wakes readers.
  void MakeReadable(const std::map<std::string, int64_t>& ends, const std::function<bool(const std::string&)>& which);

  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<void> resumed_;  // StorageHealth resumes db_ after a fault; released first
  const Clock clock_;

  mutable std::mutex mu_;
  std::condition_variable appended_cv_;         // a write became durable
  uint64_t append_count_ = 0;                   // guarded by mu_
  std::condition_variable work_cv_;             // a publish was queued
  std::map<std::string, int64_t> end_offsets_;  // guarded by mu_: durable, readable
  std::deque<Pending> queue_;                   // guarded by mu_
  bool stopping_ = false;                       // guarded by mu_
  Stats stats_;                                 // guarded by mu_
  LatestByKey latest_;                          // writer thread only
  std::thread writer_;                          // absent when read-only
};

}  // namespace safeguard
