// What an operator watches, against real servers over mutual TLS: the health service
// answers for every service by name (it gave NOT_FOUND) and follows each service's
// readiness, as /readyz does; mappa-service is not ready while it rebuilds its views (it
// was SERVING throughout); and every call is counted, timed and logged with a correlation
// id the caller gets back, and nothing personal in either.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/grpc/operations_service.h"
#include "common/grpc/server_setup.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/metrics/metrics.h"
#include "common/metrics/metrics_server.h"
#include "common/security/live_policy.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "services/mappa/mappa_node.h"
#include "services/safeguardd/all_in_one.h"
#include "tests/testing/access_records.h"
#include "tests/testing/events.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_pki.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using safeguard::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kServing = 1;
constexpr int kNotServing = 2;
constexpr int kNotFound = -5;

// The health service's answer for `service` ("" for the whole server): 1 SERVING,
// 2 NOT_SERVING, kNotFound for a name it does not know, -1 for any other failure.
int HealthOf(const std::string& address, const std::string& service) {
  grpc::GenericStub stub(grpc::CreateChannel(address, testing::TestPki::Get().As("operator")));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  std::string request;
  if (!service.empty()) request = absl::StrCat("\x0a", std::string(1, static_cast<char>(service.size())), service);
  grpc::Slice slice(request);
  grpc::ByteBuffer bytes(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &bytes, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  const grpc::Status st = done.get_future().get();
  if (st.error_code() == grpc::StatusCode::NOT_FOUND) return kNotFound;
  if (!st.ok()) return -1;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return -1;
  std::string answer;
  for (const auto& s : slices) answer.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return answer.size() == 2 && answer[0] == '\x08' ? answer[1] : -1;
}

// Waits (up to `patience`) for `service`'s health to be `want`; returns the last answer.
int AwaitHealth(const std::string& address, const std::string& service, int want,
                absl::Duration patience = absl::Seconds(20)) {
  int got = -1;
  for (const absl::Time deadline = absl::Now() + patience; absl::Now() < deadline;) {
    if ((got = HealthOf(address, service)) == want) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return got;
}

TEST(OperationsTest, TheHealthServiceAnswersForEveryServiceByName) {
  testing::TempDir dir;
  auto system = AllInOneSystem::Start({.data_dir = dir.path(), .security = testing::TestPki::Get().Server(), .vault = testing::TestVault()});
  ASSERT_THAT(system, IsOk());
  const std::map<std::string, std::vector<std::string>> served = {
      {(*system)->police_address(),
       {"safeguard.v1.PoliceService", "safeguard.v1.DisclosureService", "safeguard.v1.AuditService",
        "safeguard.v1.OperationsService"}},
      {(*system)->probation_address(), {"safeguard.v1.ProbationService", "safeguard.v1.AuditService"}},
      {(*system)->childrens_address(), {"safeguard.v1.ChildrensService"}},
      {(*system)->mappa_address(),
       {"safeguard.v1.MappaService", "safeguard.v1.IdentityService", "safeguard.v1.ScreeningService",
        "safeguard.v1.DisclosureCaseService", "safeguard.v1.MeetingService", "safeguard.v1.AuditService",
        "safeguard.v1.OperationsService"}},
  };
  for (const auto& [address, names] : served) {
    EXPECT_EQ(AwaitHealth(address, "", kServing), kServing) << address;
    for (const std::string& name : names) EXPECT_EQ(HealthOf(address, name), kServing) << address << " " << name;
  }
  // A service the server does not serve is still unknown.
  EXPECT_EQ(HealthOf((*system)->police_address(), "safeguard.v1.MappaService"), kNotFound);
}

TEST(OperationsTest, HealthAndReadyzFollowTheServicesReadiness) {
  std::atomic<bool> ready{true};
  const ReadyCheck check = [&ready] {
    return ready ? absl::OkStatus() : absl::UnavailableError("rebuilding its views: 10 events filed so far");
  };
  OperationsGrpcService ops("embedded bus", {});
  auto server = StartServer("127.0.0.1", 0, {{"safeguard.v1.OperationsService", &ops}},
                            testing::TestPki::Get().Server(), check);
  ASSERT_THAT(server, IsOk());
  auto port = metrics::MetricsServer::Start("127.0.0.1", 0, {.ready = check});
  ASSERT_THAT(port, IsOk());
  httplib::Client http("http://" + (*port)->address());

  EXPECT_EQ(AwaitHealth(server->address, "safeguard.v1.OperationsService", kServing), kServing);
  EXPECT_EQ(http.Get("/readyz")->status, 200);

  ready = false;
  EXPECT_EQ(AwaitHealth(server->address, "safeguard.v1.OperationsService", kNotServing), kNotServing);
  EXPECT_EQ(HealthOf(server->address, ""), kNotServing);
  auto answer = http.Get("/readyz");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 503);
  EXPECT_THAT(answer->body, HasSubstr("rebuilding its views"));
  // Liveness is another matter: the process is alive.
  EXPECT_EQ(http.Get("/livez")->status, 200);

  ready = true;
  EXPECT_EQ(AwaitHealth(server->address, "", kServing), kServing);
  EXPECT_EQ(http.Get("/readyz")->status, 200);
}

// The embedded bus, with every consumer's second poll held until the test lets it go:
// mappa-service stays where its first batch left it.
class HeldBus : public EventBus {
 public:
  explicit HeldBus(EventBus* real) : real_(real) {}
  void PublishAsync(std::vector<BusMessage> messages, PublishDone done) override {
    real_->PublishAsync(std::move(messages), std::move(done));
  }
  absl::StatusOr<std::unique_ptr<BusConsumer>> Subscribe(const std::vector<std::string>& topics,
                                                         const std::string& group, PositionLookup positions) override {
    ASSIGN_OR_RETURN(std::unique_ptr<BusConsumer> consumer, real_->Subscribe(topics, group, std::move(positions)));
    return std::unique_ptr<BusConsumer>(new Held(std::move(consumer), this));
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  class Held : public BusConsumer {
   public:
    Held(std::unique_ptr<BusConsumer> real, HeldBus* bus) : real_(std::move(real)), bus_(bus) {}
    std::vector<PartitionEnd> Ends() override { return real_->Ends(); }
    absl::StatusOr<std::vector<BusRecord>> Poll(absl::Duration timeout, size_t max) override {
      if (polls_++ > 0) {
        std::unique_lock<std::mutex> lock(bus_->mu_);
        bus_->cv_.wait(lock, [this] { return bus_->released_; });
      }
      return real_->Poll(timeout, max);
    }

   private:
    std::unique_ptr<BusConsumer> real_;
    HeldBus* bus_;
    int polls_ = 0;
  };

  EventBus* real_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

TEST(OperationsTest, MappaServiceIsNotReadyWhileItRebuildsItsViews) {
  testing::TempDir dir;
  auto embedded = RocksDbEventBus::Open(dir.Sub("bus"), SystemClock());
  ASSERT_THAT(embedded, IsOk());
  // More than one batch of events and no state: mappa-service rebuilds (Projector::BeginRebuild).
  testing::EventFactory events;
  std::vector<BusMessage> log;
  for (int i = 0; i < 5000; ++i) {
    const v1::EventEnvelope e = events.Conviction(absl::StrCat("2019/", 1000000 + i % 500, "X"), v1::ADULT_SEXUAL);
    log.push_back({kPoliceTopic, e.subject_key(), e.SerializeAsString()});
  }
  ASSERT_THAT((*embedded)->Publish(std::move(log)), IsOk());
  HeldBus bus(embedded->get());
  // Let go whatever happens below: a consumer held in its poll would never stop.
  std::shared_ptr<void> release_at_end(nullptr, [&bus](void*) { bus.Release(); });
  auto policy = security::LivePolicy::Load("");
  ASSERT_THAT(policy, IsOk());
  auto node = mappa::MappaNode::Start({.data_dir = dir.path(), .policy = *policy, .vault = testing::TestVault().get()}, &bus);
  ASSERT_THAT(node, IsOk());
  auto server = StartServer("127.0.0.1", 0, (*node)->services(), testing::TestPki::Get().Server(),
                            [n = node->get()] { return (*n).Ready(); });
  ASSERT_THAT(server, IsOk());

  // The first batch is filed and the second poll held: the rebuild is under way.
  absl::Status ready;
  for (const absl::Time deadline = absl::Now() + absl::Seconds(30); absl::Now() < deadline;) {
    ready = (*node)->Ready();
    if (absl::StrContains(ready.message(), "rebuilding")) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_THAT(std::string(ready.message()), HasSubstr("mappa-service is rebuilding its views from the log"));
  EXPECT_EQ(AwaitHealth(server->address, "safeguard.v1.MappaService", kNotServing), kNotServing);
  EXPECT_EQ(HealthOf(server->address, ""), kNotServing);

  bus.Release();
  EXPECT_EQ(AwaitHealth(server->address, "safeguard.v1.MappaService", kServing, absl::Seconds(60)), kServing)
      << (*node)->Ready().message();
  EXPECT_THAT((*node)->Ready(), IsOk());
  server->Reset();
  (*node)->Stop();
}

TEST(OperationsTest, EveryCallIsCountedAndLoggedWithItsCorrelationIdAndNothingPersonal) {
  logging::Init("police-service", logging::Format::kJson);
  testing::TempDir dir;
  auto system = AllInOneSystem::Start({.data_dir = dir.path(), .security = testing::TestPki::Get().Server(), .vault = testing::TestVault()});
  ASSERT_THAT(system, IsOk());
  auto stub = v1::PoliceService::NewStub(
      grpc::CreateChannel((*system)->police_address(), testing::TestPki::Get().As("police-officer", "pc-1234")));
  v1::RecordConvictionRequest request = testing::ValidConviction("cmd-ops-1");
  request.mutable_header()->mutable_subject()->set_given_name("Zebedee");
  request.mutable_header()->mutable_subject()->set_family_name("QUIXOTE");

  ::testing::internal::CaptureStderr();
  grpc::ClientContext with_id;
  with_id.AddMetadata("x-correlation-id", "case-review-77");
  v1::CommandResult response;
  ASSERT_TRUE(stub->RecordConviction(&with_id, request, &response).ok());
  grpc::ClientContext without_id;
  request.mutable_header()->set_command_id("cmd-ops-2");
  request.mutable_conviction()->clear_offence();  // refused: names the field
  EXPECT_EQ(stub->RecordConviction(&without_id, request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A read: its access record carries the call's correlation id.
  grpc::ClientContext read_ctx;
  read_ctx.AddMetadata("x-correlation-id", "read-88");
  v1::GetAgencyRecordRequest read;
  read.mutable_subject()->set_pnc_id(testing::TestSubject().pnc_id());
  read.mutable_purpose()->set_code(v1::CASE_MANAGEMENT);
  read.mutable_purpose()->set_detail("Supervision review");
  v1::AgencyRecord record;
  ASSERT_TRUE(stub->GetRecord(&read_ctx, read, &record).ok());
  const std::string log = ::testing::internal::GetCapturedStderr();
  bool recorded = false;
  for (const v1::AccessRecord& a : testing::AccessRecordsOn(*(*system)->embedded_bus())) {
    if (a.correlation_id() == "read-88") recorded = true;
  }
  EXPECT_TRUE(recorded) << "no access record carries the read's correlation id";

  // The caller gets its correlation id back, or the one the call was given.
  auto sent_back = [](const grpc::ClientContext& ctx) {
    auto it = ctx.GetServerInitialMetadata().find("x-correlation-id");
    return it == ctx.GetServerInitialMetadata().end() ? std::string() : std::string(it->second.data(), it->second.size());
  };
  EXPECT_EQ(sent_back(with_id), "case-review-77");
  const std::string given = sent_back(without_id);
  EXPECT_EQ(given.size(), 36u) << given;

  EXPECT_THAT(log, HasSubstr("\"component\":\"police-service\",\"message\":\"call\","
                             "\"method\":\"safeguard.v1.PoliceService/RecordConviction\",\"status\":\"OK\""));
  EXPECT_THAT(log, HasSubstr("\"caller_role\":\"police-officer\",\"correlation_id\":\"case-review-77\""));
  EXPECT_THAT(log, HasSubstr("\"status\":\"INVALID_ARGUMENT\""));
  EXPECT_THAT(log, HasSubstr(absl::StrCat("\"correlation_id\":\"", given, "\"")));
  const std::string metrics = metrics::Registry::Process().Render();
  EXPECT_THAT(metrics, HasSubstr("safeguard_grpc_server_handled_total{grpc_service=\"safeguard.v1.PoliceService\","
                                 "grpc_method=\"RecordConviction\",grpc_code=\"OK\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("safeguard_grpc_server_handled_total{grpc_service=\"safeguard.v1.PoliceService\","
                                 "grpc_method=\"RecordConviction\",grpc_code=\"INVALID_ARGUMENT\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("safeguard_grpc_server_handling_seconds_count{grpc_service=\"safeguard.v1."
                                 "PoliceService\",grpc_method=\"RecordConviction\"} 2\n"));
  for (const std::string personal : {"Zebedee", "QUIXOTE", "pc-1234", "1970-01-31", "2019/0012345X"}) {
    EXPECT_THAT(log, Not(HasSubstr(personal))) << personal;
    EXPECT_THAT(metrics, Not(HasSubstr(personal))) << personal;
  }
  logging::Init("safeguard", logging::Format::kText);
}

}  // namespace
}  // namespace safeguard
