#include "common/store/rocksdb_options.h"

#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

#include "common/rate_limited_log.h"
#include "common/store/storage_health.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"

namespace safeguard {
namespace {

// One process's budget: 64 MiB of cached blocks, 192 MiB of memtables across every
// database (each flushes early once the total is reached).
constexpr size_t kBlockCacheBytes = 64 << 20;
constexpr size_t kMemtableBudgetBytes = 192 << 20;

struct Shared {
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kBlockCacheBytes);
  std::shared_ptr<rocksdb::WriteBufferManager> memtables =
      std::make_shared<rocksdb::WriteBufferManager>(kMemtableBudgetBytes);
};

Shared& Process() {
  static Shared* shared = new Shared();
  return *shared;
}

class ProcessLogger final : public rocksdb::Logger {
 public:
  ProcessLogger() : Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    absl::string_view text(line);
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    (level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? errors_ : warnings_).Write(text);
  }

 private:
  // 30 lines a minute of each: a full disk makes RocksDB complain at every attempt.
  RateLimitedLog errors_{"rocksdb", logging::Level::kError, 30};
  RateLimitedLog warnings_{"rocksdb", logging::Level::kWarning, 30};
};

}  // namespace

std::shared_ptr<rocksdb::Logger> DatabaseLogger() {
  static std::shared_ptr<rocksdb::Logger>* logger = new std::shared_ptr<rocksdb::Logger>(new ProcessLogger());
  return *logger;
}

void AddFaultHandling(const std::string& path, rocksdb::Options* options) {
  options->info_log = DatabaseLogger();
  // RocksDB logs an error when it creates a database whose directory is missing; made
  // here, a first start logs none. (A failure shows when the database is opened.)
  if (options->create_if_missing) {
    std::error_code ignored;
    std::filesystem::create_directories(path, ignored);
  }
  // RocksDB reserves each new write-ahead log's full size (1.1 memtables, 35 MiB here) on
  // disk with fallocate before writing to it. On a full disk every attempt to resume
  // made a new log that took again whatever space had been freed, so the databases never
  // resumed; and the reservation is space df counts but no file's size shows. Logs grow
  // as they are written instead.
  options->allow_fallocate = false;
  options->listeners.push_back(StorageHealth::Process().ListenerFor(path));
}

rocksdb::Options DatabaseOptions(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  AddFaultHandling(path, &options);
  options.IncreaseParallelism(2);
  options.write_buffer_manager = Process().memtables;
  options.write_buffer_size = 32 << 20;
  options.max_write_buffer_number = 3;
  // Write-ahead logs are not recycled: a recycled log keeps whatever it held before beyond
  // the bytes written over it, so data an erasure deleted (and flushed out of the logs in
  // use) could live on in a reused one (docs/security.md, "What erasure removes").
  options.recycle_log_file_num = 0;
  // A bloom filter over each memtable, so a lookup for a key that is not there (most
  // first sightings) skips the memtables' skip lists.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = Process().cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Partitioned index and filters: a point lookup reads one 4 KiB partition of a table's
  // filter and index, not the whole of it. With whole filters, a mappa-service at 300k
  // events spent 40% of its projector's time reading multi-megabyte filter blocks back
  // into a 64 MiB cache that could not hold them all.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.optimize_filters_for_memory = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

DatabaseMemory SharedDatabaseMemory() {
  return DatabaseMemory{Process().cache->GetUsage(), Process().memtables->memory_usage()};
}

}  // namespace safeguard
