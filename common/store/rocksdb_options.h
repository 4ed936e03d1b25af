// The RocksDB options every Safeguard database opens with. The databases of one process
// (safeguardd holds six) share one block cache and one memtable budget, so that memory is
// bounded per process, not per database; point look-ups, which most reads are, use bloom
// filters; and the WAL's files are recycled, so that a synced write does not also update
// the file's size on disk.
#pragma once

#include "rocksdb/options.h"

namespace safeguard {

// Options for a database that is created if missing.
rocksdb::Options DatabaseOptions();

// The process's figures, for tests and the load tool: bytes the shared block cache and
// the memtables hold now.
struct DatabaseMemory {
  size_t block_cache_bytes = 0;
  size_t memtable_bytes = 0;
};
DatabaseMemory SharedDatabaseMemory();

}  // namespace safeguard
