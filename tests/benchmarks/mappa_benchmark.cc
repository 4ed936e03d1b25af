// mappa-service's apply path and reads against the machine's ceiling, measured in the
// same run:
//   BM_RawRocksDbBatch: the same events written as one unsynced WriteBatch of 100 puts,
//                       one key each: the baseline.
//   BM_MappaApply/N:    Projector::Apply on batches of 100 events over N people (1000, and
//                       100,000 each with two events applied before the timing starts, so
//                       that nearly every event is a different person's, as at national
//                       scale) known to police by PNC id and to probation by CRN with the
//                       same name and date of birth: per event its stream's version, the record's event
//                       and timeline entry, the reference and name indexes and the candidate
//                       links they find, the person's picture, positions, and the stored
//                       alerts of every person touched.
//   BM_PersonView/1:    a person's picture (one record of 30 events) from a snapshot.
//   BM_PersonView/3:    the same 30 events over three linked records (a person's picture is
//                       stored whole: the same one look-up).
// Compare items_per_second of Apply with the raw batch, and the two reads, as ratios.
// Apply also counts, per event, the keys it read (gets/event) and wrote (puts/event) and
// the bytes it wrote (bytes/event), from RocksDB's statistics: the work per event, which
// must not grow as the run goes on. Iterations are fixed so that runs compare.
#include <benchmark/benchmark.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"
#include "services/mappa/identity/identity_index.h"
#include "services/mappa/projection/person_views.h"
#include "tests/testing/mappa_test_state.h"
#include "tests/testing/events.h"
#include "tests/testing/temp_dir.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;

constexpr int kBatch = 100;

// `n` written in the letters a-z, so that each person's name is their own.
std::string Letters(int n) {
  std::string out = "Given";
  do {
    out.push_back(static_cast<char>('a' + n % 26));
    n /= 26;
  } while (n > 0);
  return out;
}

// Builds the next `kBatch` events: the people in turn, alternately police and probation.
class Workload {
 public:
  explicit Workload(int people = 1000) : people_(people) {}

  std::vector<BusRecord> Next() {
    std::vector<BusRecord> batch;
    for (int i = 0; i < kBatch; ++i, ++n_) {
      const int person = static_cast<int>(n_ / 2 % static_cast<uint64_t>(people_));
      SubjectRef s;
      s.set_given_name(Letters(person));  // names match without digits: one name each
      s.set_family_name("Family");
      s.set_date_of_birth("1980-05-01");
      EventEnvelope e;
      if (n_ % 2 == 0) {
        const std::string pnc = absl::StrCat("2019/", 1000000 + person, "X");
        s.set_pnc_id(pnc);
        e = f_.About(AGENCY_POLICE, "pnc:" + pnc, s, "2024-01-01", [&](EventEnvelope* x) {
          x->mutable_intelligence_recorded()->set_intelligence_ref(absl::StrCat("INT-", n_));
          x->mutable_intelligence_recorded()->set_received_date("2024-01-01");
        });
      } else {
        const std::string crn = absl::StrCat("X", 100000 + person);
        s.set_probation_case_ref(crn);
        e = f_.About(AGENCY_PROBATION, "probation:" + crn, s, "2024-01-01", [&](EventEnvelope* x) {
          x->mutable_risk_assessment_completed()->set_assessment_ref(absl::StrCat("OASYS-", n_));
          x->mutable_risk_assessment_completed()->set_assessed_on("2024-01-01");
          x->mutable_risk_assessment_completed()->set_rosh_overall(RISK_HIGH);
        });
      }
      batch.push_back(BusRecord{.topic = "bench", .offset = static_cast<int64_t>(n_), .key = e.subject_key(),
                                .value = e.SerializeAsString()});
    }
    return batch;
  }

 private:
  const int people_;
  testing::EventFactory f_;
  uint64_t n_ = 0;
};

testing::TempDir* dir;

void BM_RawRocksDbBatch(benchmark::State& state) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir->Sub("raw"), &raw).ok()) return state.SkipWithError("open failed");
  std::unique_ptr<rocksdb::DB> db(raw);
  Workload w;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<BusRecord> batch = w.Next();
    state.ResumeTiming();
    rocksdb::WriteBatch wb;
    for (const BusRecord& r : batch) wb.Put(absl::StrCat(r.key, "/", r.offset), r.value);
    if (!db->Write(rocksdb::WriteOptions(), &wb).ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

void BM_MappaApply(benchmark::State& state) {
  const int people = static_cast<int>(state.range(0));
  auto statistics = rocksdb::CreateDBStatistics();
  testing::MappaTestState store(dir->Sub(absl::StrCat("apply-", people)), SystemClock(), statistics);
  Workload w(people);
  if (people > 1000) {
    // Everyone's first two events, untimed: the timed events then find a state of
    // `people` people and each is, nearly always, about someone the batch has not seen.
    for (int i = 0; i < people * 2 / kBatch; ++i) {
      if (!store.ApplyRecords(w.Next()).ok()) return state.SkipWithError("apply failed");
    }
  }
  const uint64_t reads = statistics->getTickerCount(rocksdb::NUMBER_KEYS_READ);
  const uint64_t writes = statistics->getTickerCount(rocksdb::NUMBER_KEYS_WRITTEN);
  const uint64_t bytes = statistics->getTickerCount(rocksdb::BYTES_WRITTEN);
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<BusRecord> batch = w.Next();
    state.ResumeTiming();
    if (!store.ApplyRecords(batch).ok()) state.SkipWithError("apply failed");
  }
  const double events = static_cast<double>(state.iterations() * kBatch);
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["gets/event"] = static_cast<double>(statistics->getTickerCount(rocksdb::NUMBER_KEYS_READ) - reads) / events;
  state.counters["puts/event"] = static_cast<double>(statistics->getTickerCount(rocksdb::NUMBER_KEYS_WRITTEN) - writes) / events;
  state.counters["bytes/event"] = static_cast<double>(statistics->getTickerCount(rocksdb::BYTES_WRITTEN) - bytes) / events;
}

void BM_PersonView(benchmark::State& state) {
  const int records = static_cast<int>(state.range(0));
  testing::MappaTestState store(dir->Sub(absl::StrCat("view-", records)));
  testing::EventFactory f;
  std::vector<BusRecord> batch;
  const std::string keys[] = {"pnc:2019/0012345X", "probation:X123456", "childrens:CS-2001"};
  for (int i = 0; i < 30; ++i) {
    const std::string& key = keys[i % records];
    SubjectRef s;
    s.set_given_name("John");
    s.set_family_name("Smith");
    s.set_date_of_birth("1980-05-01");
    EventEnvelope e = f.About(i % records == 1 ? AGENCY_PROBATION : AGENCY_POLICE, key, s, "2024-01-01",
                              [&](EventEnvelope* x) {
                                x->mutable_intelligence_recorded()->set_intelligence_ref(absl::StrCat("INT-", i));
                              });
    batch.push_back(BusRecord{.topic = "bench", .offset = i, .key = key, .value = e.SerializeAsString()});
  }
  for (int r = 1; r < records; ++r) {
    EventEnvelope d = f.Decision(LINKED, keys[0], keys[r]);
    batch.push_back(BusRecord{.topic = "bench", .offset = 100 + r, .key = d.subject_key(), .value = d.SerializeAsString()});
  }
  if (!store.ApplyRecords(batch).ok()) return state.SkipWithError("apply failed");
  for (auto _ : state) {
    const mappa::Snapshot snapshot = store.state()->Read();
    auto person = mappa::PersonOf(snapshot, keys[0]);
    auto view = person.ok() ? mappa::PersonFacts(snapshot, person->key) : person.status();
    if (!view.ok() || !view->has_value() || (*view)->events_applied() != 30) state.SkipWithError("wrong view");
    benchmark::DoNotOptimize(view);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RawRocksDbBatch)->UseRealTime()->Iterations(2000);
BENCHMARK(BM_MappaApply)->Arg(1000)->Arg(100000)->UseRealTime()->Iterations(300);
BENCHMARK(BM_PersonView)->Arg(1)->Arg(3)->UseRealTime()->MinTime(1.0);

}  // namespace
}  // namespace safeguard

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  safeguard::testing::TempDir dir;
  safeguard::dir = &dir;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
