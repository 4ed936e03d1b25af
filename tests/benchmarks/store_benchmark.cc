// Event store appends against the machine's ceiling, measured in the same run:
//   BM_RawRocksDbSyncedPut: independent synced puts to RocksDB from N threads (RocksDB's own
//                           write-group commit), the baseline.
//   BM_EventStoreAppend:    EventStore::Append from N threads: validation-free appends with
//                           idempotency record, stream index, outbox entry, version check and
//                           gap-free sequence, group-committed by the store's writer.
// Compare items_per_second between the two at the same thread count. And reads:
//   BM_RawRocksDbScan:      one subject's 100 events scanned from RocksDB and parsed, the
//                           baseline.
//   BM_EventStoreReadStream: EventStore::ReadStream of the same 100 events: the stream index,
//                           each event, and each checked against its Merkle leaf (one more
//                           look-up and one SHA-256) and its place.
// Compare items_per_second (events read) between the two.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/store/event_store.h"
#include "rocksdb/db.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

testing::TempDir* dir;
rocksdb::DB* raw_db;
EventStore* store;
std::atomic<uint64_t> counter{0};
std::string payload;

void BM_RawRocksDbSyncedPut(benchmark::State& state) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  for (auto _ : state) {
    const std::string key = absl::StrCat("k", counter.fetch_add(1));
    if (!raw_db->Put(wo, key, payload).ok()) state.SkipWithError("put failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EventStoreAppend(benchmark::State& state) {
  const auto conviction = testing::ValidConviction().conviction();
  static EventStore::Stats before;
  if (state.thread_index() == 0) before = store->stats();
  for (auto _ : state) {
    const uint64_t n = counter.fetch_add(1);
    EventStore::AppendCommand c;
    c.stream_id = absl::StrCat("police/pnc:subject-", n % 1000);
    c.command_id = absl::StrCat("bench-", n);
    c.fingerprint = c.command_id;
    c.event.set_subject_key(absl::StrCat("pnc:subject-", n % 1000));
    *c.event.mutable_conviction_recorded() = conviction;
    if (!store->Append(std::move(c)).ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    // Approximate at the edges (other threads may start or end a moment apart).
    const EventStore::Stats s = store->stats();
    const uint64_t syncs = s.synced_writes - before.synced_writes;
    state.counters["events_per_sync"] =
        syncs == 0 ? 0 : static_cast<double>(s.events_written - before.events_written) / syncs;
  }
}

constexpr int kStreamEvents = 100;

void BM_RawRocksDbScan(benchmark::State& state) {
  for (auto _ : state) {
    std::unique_ptr<rocksdb::Iterator> it(raw_db->NewIterator(rocksdb::ReadOptions()));
    int n = 0;
    for (it->Seek("r/"); it->Valid() && it->key().starts_with("r/"); it->Next(), ++n) {
      v1::EventEnvelope e;
      if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) state.SkipWithError("parse");
      benchmark::DoNotOptimize(e);
    }
    if (n != kStreamEvents) state.SkipWithError("wrong count");
  }
  state.SetItemsProcessed(state.iterations() * kStreamEvents);
}

void BM_EventStoreReadStream(benchmark::State& state) {
  for (auto _ : state) {
    auto events = store->ReadStream("police/pnc:reader", 1, kStreamEvents);
    if (!events.ok() || events->size() != kStreamEvents) state.SkipWithError("read failed");
    benchmark::DoNotOptimize(events);
  }
  state.SetItemsProcessed(state.iterations() * kStreamEvents);
}

BENCHMARK(BM_RawRocksDbScan)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_EventStoreReadStream)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_RawRocksDbSyncedPut)->ThreadRange(1, 16)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_EventStoreAppend)->ThreadRange(1, 16)->UseRealTime()->MinTime(1.0);

}  // namespace
}  // namespace safeguard

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  safeguard::testing::TempDir dir;
  safeguard::dir = &dir;
  rocksdb::Options options;
  options.create_if_missing = true;
  if (!rocksdb::DB::Open(options, dir.Sub("raw"), &safeguard::raw_db).ok()) return 1;
  auto store = safeguard::EventStore::Open(safeguard::EventStore::Options{.path = dir.Sub("store"), .keys = safeguard::testing::TestKeys()});
  if (!store.ok()) return 1;
  safeguard::store = store->get();
  // The same serialized size as an event, so both sides write comparable bytes.
  safeguard::v1::EventEnvelope e;
  *e.mutable_conviction_recorded() = safeguard::testing::ValidConviction().conviction();
  safeguard::payload = e.SerializeAsString();
  // One subject's record of 100 events, in the store and (as bytes of the same size) raw.
  for (int i = 0; i < safeguard::kStreamEvents; ++i) {
    safeguard::EventStore::AppendCommand c;
    c.stream_id = "police/pnc:reader";
    c.command_id = absl::StrCat("bench-read-", i);
    c.fingerprint = c.command_id;
    c.event.set_subject_key("pnc:reader");
    *c.event.mutable_conviction_recorded() = safeguard::testing::ValidConviction().conviction();
    if (!safeguard::store->Append(std::move(c)).ok()) return 1;
    char key[16];
    std::snprintf(key, sizeof key, "r/%04d", i);
    if (!safeguard::raw_db->Put(rocksdb::WriteOptions(), key, safeguard::payload).ok()) return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  store->reset();
  delete safeguard::raw_db;
  return 0;
}
