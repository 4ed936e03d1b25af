// The RocksDB options every Safeguard database opens with. The databases of one process
// (safeguardd holds six) share one block cache and one memtable budget, so that memory is
// bounded per process, not per database; point look-ups, which most reads are, use bloom
// filters; and the WAL's files are recycled, so that a synced write does not also update
// the file's size on disk.
//
// Every database also logs through DatabaseLogger(), reports storage faults to
// StorageHealth, and reserves no disk space ahead of its writes (no fallocate), so that a
// full disk is a state the process reports and recovers from, not an abort or a lock-up.
#pragma once

#include <memory>
#include <string>

#include "rocksdb/options.h"

namespace safeguard {

// Options for the database at `path`, created if missing.
rocksdb::Options DatabaseOptions(const std::string& path);

// The fault handling every database of the process needs, for one opened with options of
// its own (the embedded bus, read-only opens): DatabaseLogger() and StorageHealth's
// listener for `path`.
void AddFaultHandling(const std::string& path, rocksdb::Options* options);

// RocksDB's log for every database of the process: its warnings and errors to standard
// error, a few dozen lines a minute at most, then a count of the rest. RocksDB's default
// log file writer asserts when it is written again after a failed write, which a full disk
// causes, and Debian's RocksDB is built with assertions on: the process aborted in
// RocksDB's recovery thread, and again in DB::Open on restart. This logger writes with
// stdio and drops what it cannot write.
std::shared_ptr<rocksdb::Logger> DatabaseLogger();

// The process's figures, for tests and the load tool: bytes the shared block cache and
// the memtables hold now.
struct DatabaseMemory {
  size_t block_cache_bytes = 0;
  size_t memtable_bytes = 0;
};
DatabaseMemory SharedDatabaseMemory();

}  // namespace safeguard
