// What a stranger or a careless caller can do at the transport: bind a port a Safeguard
// server holds, or send fields the API does not define. Both are refused, over mutual TLS
// against a running system, and nothing is stored.
#include <gmock/gmock.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/grpc/server_setup.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
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
using safeguard::testing::StatusIs;
using ::testing::HasSubstr;

int PortOf(const std::string& address) {
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port)) << address;
  return port;
}

// gRPC turns SO_REUSEPORT on by default: a second process binding the same port then took
// half the calls. Now the second is refused, saying why.
TEST(ExclusivePortTest, ASecondServerCannotBindAPortInUse) {
  testing::TestPki& pki = testing::TestPki::Get();
  auto first = StartServer("127.0.0.1", 0, {}, pki.Server());
  ASSERT_THAT(first, IsOk());
  auto second = StartServer("127.0.0.1", PortOf(first->address), {}, pki.Server());
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kUnavailable, "address already in use"));
  first->server->Shutdown();
}

TEST(ExclusivePortTest, ASecondSystemOnTheSamePortsFailsToStart) {
  testing::TestPki& pki = testing::TestPki::Get();
  testing::TempDir a, b;
  auto running = AllInOneSystem::Start(AllInOneOptions{.data_dir = a.path(), .security = pki.Server(), .vault = testing::TestVault()});
  ASSERT_THAT(running, IsOk());
  auto second = AllInOneSystem::Start(AllInOneOptions{.data_dir = b.path(),
                                                      .police_port = PortOf((*running)->police_address()),
                                                      .mappa_port = PortOf((*running)->mappa_address()),
                                                      .security = pki.Server(), .vault = testing::TestVault()});
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kUnavailable, "address already in use"));
}

class UnknownFieldsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto system = AllInOneSystem::Start(AllInOneOptions{.data_dir = dir_.path(), .security = pki_.Server(), .vault = testing::TestVault()});
    ASSERT_THAT(system, IsOk());
    system_ = std::move(system).value();
    police_ = pki_.Stub<PoliceService>(system_->police_address(), "police-officer");
  }

  grpc::Status Record(const RecordConvictionRequest& request, CommandResult* result) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return police_->RecordConviction(&ctx, request, result);
  }

  testing::TestPki& pki_ = testing::TestPki::Get();
  testing::TempDir dir_;
  std::unique_ptr<AllInOneSystem> system_;
  std::unique_ptr<PoliceService::Stub> police_;
};

// 3 KB in an unknown field passed every length, UTF-8 and control-character check and was
// kept in the store, the bus, GetRecord and GetRiskView, for ever.
TEST_F(UnknownFieldsTest, ARequestCarryingAFieldTheApiDoesNotDefineIsRefusedNamingItAndNothingIsStored) {
  RecordConvictionRequest top = testing::ValidConviction("cmd-unknown-1");
  top.GetReflection()->MutableUnknownFields(&top)->AddLengthDelimited(8, std::string(3000, 'x'));
  CommandResult result;
  grpc::Status s = Record(top, &result);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("request: unknown field number 8"));

  RecordConvictionRequest nested = testing::ValidConviction("cmd-unknown-2");
  ConvictionRecorded* conviction = nested.mutable_conviction();
  conviction->GetReflection()->MutableUnknownFields(conviction)->AddVarint(99, 1);
  s = Record(nested, &result);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("conviction: unknown field number 99"));

  RecordConvictionRequest in_header = testing::ValidConviction("cmd-unknown-3");
  SubjectRef* subject = in_header.mutable_header()->mutable_subject();
  subject->GetReflection()->MutableUnknownFields(subject)->AddFixed32(40, 7);
  s = Record(in_header, &result);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("header.subject: unknown field number 40"));

  // Nothing of the three was stored: the same command ids are new, and the first event
  // police-service stores is the first in its log.
  s = Record(testing::ValidConviction("cmd-unknown-1"), &result);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(result.idempotent_replay());
  EXPECT_EQ(result.log_sequence(), 1u);
}

TEST_F(UnknownFieldsTest, AReadCarryingAnUnknownFieldIsRefusedToo) {
  auto mappa = pki_.Stub<MappaService>(system_->mappa_address(), "mappa-coordinator");
  GetRiskViewRequest request;
  request.mutable_subject()->set_pnc_id("2019/0012345X");
  request.mutable_purpose()->set_code(MAPPA_MEETING);
  request.mutable_purpose()->set_detail("MAPPA meeting M-1");
  request.GetReflection()->MutableUnknownFields(&request)->AddLengthDelimited(77, "anything");
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  RiskView view;
  grpc::Status s = mappa->GetRiskView(&ctx, request, &view);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("request: unknown field number 77"));
}

// A body protobuf cannot take as the API defines it (here invalid UTF-8 in a string) made
// protobuf write an ERROR line per call: any caller could grow the server's log at will.
// Now a few such lines a minute are written, then a count of the rest; and the caller is
// told INVALID_ARGUMENT naming the method, not an empty UNIMPLEMENTED.
TEST_F(UnknownFieldsTest, BadBodiesCannotGrowTheServersLog) {
  const std::string bad_utf8_command_id = std::string("\x0a\x04\x0a\x02\xff\xfe", 6);
  auto channel = grpc::CreateChannel(system_->police_address(), pki_.As("police-officer"));
  grpc::GenericStub stub(channel);
  constexpr int kCalls = 40;
  ::testing::internal::CaptureStderr();
  int refused = 0;
  grpc::Status last;
  for (int i = 0; i < kCalls; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Slice bytes(bad_utf8_command_id);
    grpc::ByteBuffer request(&bytes, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/safeguard.v1.PoliceService/RecordConviction", grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status st) { done.set_value(std::move(st)); });
    last = done.get_future().get();
    if (!last.ok()) ++refused;
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(refused, kCalls);
  // Refused as bad input, naming the method: gRPC's own answer was UNIMPLEMENTED with no
  // message, which reads as a method the server lacks.
  EXPECT_EQ(last.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << last.error_message();
  EXPECT_THAT(last.error_message(),
              HasSubstr("request: the body is not a safeguard.v1.PoliceService/RecordConviction request"));
  int protobuf_lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, " protobuf: ")) ++protobuf_lines;
  }
  EXPECT_GE(protobuf_lines, 1) << "protobuf's complaints are no longer routed into the log: " << log;
  EXPECT_LE(protobuf_lines, 6) << log;
}

}  // namespace
}  // namespace safeguard
