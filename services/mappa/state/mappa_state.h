// mappa-service's state: one RocksDB database holding every read model the projection
// keeps (state/prefixes.h says which component owns which keys). It is derived from the
// bus and can be deleted at any time: it is rebuilt from the topics. Written only through
// a Transaction, by the one consumer thread; read through Snapshots, by any thread.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"
#include "services/mappa/state/snapshot.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

class MappaState {
 public:
  struct Options {
    std::string path;
    // RocksDB's counters for the database, when a caller wants them (tests, metrics).
    std::shared_ptr<rocksdb::Statistics> statistics;
    // The environment (file system) RocksDB uses; nullptr: the default. Tests inject
    // faults through it.
    rocksdb::Env* env = nullptr;
  };

  // Opens (or creates) the state at options.path. State in another layout is discarded,
  // to be rebuilt from the log (the consumer then reads every topic from its start).
  static absl::StatusOr<std::unique_ptr<MappaState>> Open(Options options);
  // Opens the state at `path` to read only, as it stands at this moment (an auditor
  // comparing it with a rebuild; mappa-service may keep running). kFailedPrecondition
  // when it is in another layout.
  static absl::StatusOr<std::unique_ptr<MappaState>> OpenReadOnly(const std::string& path);

  // A consistent view of the state now. Thread-safe.
  Snapshot Read() const { return Snapshot(db_.get()); }

  // A transaction over the state now. One writer at a time (the consumer).
  std::unique_ptr<Transaction> Begin() { return std::make_unique<Transaction>(db_.get()); }

  // Writes `txn` atomically. Not synced: the bus holds every event durably, so after a
  // power loss RocksDB recovers a prefix of the commits, state and positions together,
  // and the consumer reads again from there. kUnavailable when the write fails (nothing
  // of it is written).
  absl::Status Commit(Transaction& txn);

  // For a rebuild's filing of the whole log: no compactions (the files written are merged
  // once it ends, not again and again as they arrive) and no write-ahead log (a crash
  // loses only what the memtables held, a consistent prefix of the commits whose stored
  // positions the consumer reads on from). Turning it off flushes the memtables first, so
  // that nothing written without the log can be lost behind what is written with it.
  absl::Status SetBulkLoad(bool on);

  // After an erasure's commit: the memtables flushed (so the write-ahead logs holding
  // what was erased are done with and deleted) and every table file rewritten without
  // what was deleted, so that no file of the state holds it any more. Takes as long as a
  // full compaction of the state; erasure is rare.
  absl::Status Purge();

  const std::string& path() const { return path_; }

 private:
  MappaState(std::unique_ptr<rocksdb::DB> db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

  std::unique_ptr<rocksdb::DB> db_;
  bool bulk_load_ = false;  // by the writer only
  std::shared_ptr<void> resumed_;  // StorageHealth resumes db_ after a fault; released first
  const std::string path_;
};

}  // namespace safeguard::mappa
