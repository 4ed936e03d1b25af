#include "common/agency/record_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "common/bus/event_bus_rocksdb.h"
#include "rocksdb/statistics.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard::agency {
namespace {

using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;

class RecordReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = EventStore::Open(EventStore::Options{.path = dir_.Sub("store"), .statistics = statistics_, .keys = testing::TestKeys()});
    ASSERT_THAT(store, IsOk());
    store_ = std::move(store).value();
    auto bus = RocksDbEventBus::Open(dir_.Sub("bus"));
    ASSERT_THAT(bus, IsOk());
    bus_ = std::move(bus).value();
    access_ = std::make_unique<AccessLog>(bus_.get(), "audit.access");
    auto protection = DataProtection::Open({.store = store_.get(),
                                            .vault = testing::TestVault().get(),
                                            .agency = safeguard::v1::AGENCY_POLICE,
                                            .stream_prefix = "police",
                                            .keying = SubjectKeying::kPolice});
    ASSERT_THAT(protection, IsOk());
    protection_ = std::move(protection).value();
    reader_ = std::make_unique<RecordReader>(store_.get(), "police", SubjectKeying::kPolice, "police.Record",
                                             access_.get(), protection_.get(), SystemClock());
  }

  // Appends `n` events to the stream the police file `key` under, one at a time.
  void Append(const std::string& key, int n) {
    for (int i = 0; i < n; ++i) {
      EventStore::AppendCommand c;
      c.stream_id = absl::StrCat("police/", key);
      c.command_id = absl::StrCat("cmd-append-", ++appended_);
      c.fingerprint = c.command_id;
      c.event.set_subject_key(key);
      c.event.set_event_type("police.IntelligenceRecorded");
      ASSERT_THAT(store_->Append(std::move(c)), IsOk());
    }
  }

  safeguard::v1::GetAgencyRecordRequest Request(const std::string& token, uint32_t page_size) {
    safeguard::v1::GetAgencyRecordRequest r;
    r.mutable_subject()->set_pnc_id("2019/0012345X");
    r.mutable_subject()->set_visor_ref("VR-0001");
    r.mutable_purpose()->set_code(safeguard::v1::CASE_MANAGEMENT);
    r.mutable_purpose()->set_detail("record review");
    r.set_page_size(page_size);
    r.set_page_token(token);
    return r;
  }

  int appended_ = 0;
  TempDir dir_;
  std::shared_ptr<rocksdb::Statistics> statistics_ = rocksdb::CreateDBStatistics();
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<RocksDbEventBus> bus_;
  std::unique_ptr<AccessLog> access_;
  std::unique_ptr<DataProtection> protection_;
  std::unique_ptr<RecordReader> reader_;
};

// A page reads its own events, not the record: a long record (here 2,000 events under
// the PNC id, interleaved with 30 under the ViSOR reference) is paged through in log order
// with each page's work bounded by the page. (Every page used to read up to 100,000 events
// of each stream first.)
TEST_F(RecordReaderTest, APageReadsOnlyItsOwnEventsAndThePagesAreTheRecordInLogOrder) {
  for (int round = 0; round < 30; ++round) {
    Append("pnc:2019/0012345X", 1);
    Append("visor:VR-0001", 1);
  }
  Append("pnc:2019/0012345X", 1970);
  std::string token;
  std::set<uint64_t> seen;
  uint64_t last = 0;
  int pages = 0;
  uint64_t most_read = 0;
  do {
    const uint64_t before = statistics_->getTickerCount(rocksdb::NUMBER_KEYS_READ) +
                            statistics_->getTickerCount(rocksdb::NUMBER_DB_NEXT);
    auto answer = reader_->Read(Request(token, 100));
    ASSERT_THAT(answer, IsOk());
    ASSERT_THAT(answer->answer, IsOk());
    most_read = std::max(most_read, statistics_->getTickerCount(rocksdb::NUMBER_KEYS_READ) +
                                        statistics_->getTickerCount(rocksdb::NUMBER_DB_NEXT) - before);
    EXPECT_THAT(answer->consulted[0].subjects, ::testing::ElementsAre("pnc:2019/0012345X", "visor:VR-0001"));
    for (const auto& e : answer->answer->events()) {
      EXPECT_GT(e.log_sequence(), last) << "in log order, each once";
      last = e.log_sequence();
      seen.insert(e.log_sequence());
    }
    token = answer->answer->next_page_token();
    ++pages;
  } while (!token.empty() && pages < 100);
  EXPECT_EQ(seen.size(), 2030u);
  EXPECT_EQ(pages, 21);
  EXPECT_LE(most_read, 2u * 2 * 101) << "a page read more than its two streams' next 101 events";
}

TEST_F(RecordReaderTest, AForeignOrBrokenTokenIsRefusedNamingIt) {
  Append("pnc:2019/0012345X", 3);
  EXPECT_THAT(reader_->Read(Request("garbage", 10)), StatusIs(absl::StatusCode::kInvalidArgument, "page_token"));
  EXPECT_THAT(reader_->Read(Request("v:1", 10)), StatusIs(absl::StatusCode::kInvalidArgument, "page_token"))
      << "a token for one stream, asked of two";
}

}  // namespace
}  // namespace safeguard::agency
