#include "common/store/rocksdb_options.h"

#include <memory>

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

}  // namespace

rocksdb::Options DatabaseOptions() {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  options.write_buffer_manager = Process().memtables;
  options.write_buffer_size = 32 << 20;
  options.max_write_buffer_number = 3;
  options.recycle_log_file_num = 4;
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
