// A police store altered while safeguardd was stopped (RocksDB opened directly, as with
// ldb): after the restart, GetRecord of the subject whose conviction was altered answers
// DATA_LOSS naming the event, and serves none of it; another subject's record is served;
// the operator's status counts the read and names the event; and an auditor's scrub of the
// store finds it. Before, GetRecord served the altered text and every check said OK.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/keys.h"
#include "common/store/event_store.h"
#include "rocksdb/db.h"
#include "safeguard/v1/agency_records.pb.h"
#include "safeguard/v1/operations.grpc.pb.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "services/safeguardd/all_in_one.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_pki.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using ::testing::HasSubstr;

TEST(TamperedStoreTest, AnAlteredConvictionIsDataLossNotServedAndCounted) {
  testing::TestPki& pki = testing::TestPki::Get();
  testing::TempDir dir;
  auto start = [&] {
    auto system = AllInOneSystem::Start(AllInOneOptions{.data_dir = dir.path(), .security = pki.Server(), .vault = testing::TestVault()});
    EXPECT_THAT(system, IsOk());
    return std::move(system).value();
  };
  {
    std::unique_ptr<AllInOneSystem> system = start();
    auto police = pki.Stub<PoliceService>(system->police_address(), "police-officer");
    CommandResult r;
    for (const auto& [command, pnc] : {std::pair{"cmd-conviction-alan", "2019/0012345X"},
                                       std::pair{"cmd-conviction-brian", "2020/0054321Y"}}) {
      grpc::ClientContext ctx;
      ASSERT_TRUE(police->RecordConviction(&ctx, testing::ValidConviction(command, pnc), &r).ok());
    }
  }
  // Alan's conviction (event 1) altered by one byte of its sealed personal part (the store
  // holds it sealed: neither the court nor Alan's PNC id is there to find).
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir.Sub("police"), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string key = "e";
    AppendBigEndian64(&key, 1);
    std::string bytes;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), key, &bytes).ok());
    ASSERT_EQ(bytes.find("Leeds Crown Court"), std::string::npos);
    ASSERT_EQ(bytes.find("2019/0012345X"), std::string::npos);
    EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(bytes));
    const size_t at = bytes.find(e.sealed().ciphertext());
    ASSERT_NE(at, std::string::npos);
    bytes[at + e.sealed().ciphertext().size() / 2] ^= 0x20;
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), key, bytes).ok());
  }
  std::unique_ptr<AllInOneSystem> system = start();
  auto police = pki.Stub<PoliceService>(system->police_address(), "police-disclosure");
  auto read = [&](const std::string& pnc, AgencyRecord* record) {
    GetAgencyRecordRequest request;
    request.mutable_subject()->set_pnc_id(pnc);
    request.mutable_purpose()->set_code(CASE_MANAGEMENT);
    request.mutable_purpose()->set_detail("disclosure enquiry");
    grpc::ClientContext ctx;
    return police->GetRecord(&ctx, request, record);
  };
  AgencyRecord record;
  grpc::Status st = read("2019/0012345X", &record);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::DATA_LOSS) << st.error_message();
  EXPECT_THAT(st.error_message(), HasSubstr("event 1 of this service's store: it does not match its Merkle leaf"));
  EXPECT_EQ(record.events_size(), 0);
  AgencyRecord brian;
  st = read("2020/0054321Y", &brian);
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(brian.events_size(), 1);

  auto ops = pki.Stub<OperationsService>(system->police_address(), "operator");
  ServiceStatus status;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(ops->GetStatus(&ctx, GetStatusRequest(), &status).ok());
  }
  EXPECT_GE(status.data_loss_detected(), 1u);
  EXPECT_THAT(status.first_data_loss(), HasSubstr("event 1"));

  auto scrub = EventStore::ScrubAt(dir.Sub("police"));
  ASSERT_THAT(scrub, IsOk());
  EXPECT_EQ(scrub->first_bad_sequence, 1u);
}

}  // namespace
}  // namespace safeguard
