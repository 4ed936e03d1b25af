// WatchAlerts at scale, through the public gRPC API of a running system: every watch is
// served by one shared fan-out, not a thread of its own; each caller (client certificate)
// may hold only so many open at once; and every watch gets each change. And a certificate
// revoked while its watch is open: the watch ends at once, without a restart.
#include <dirent.h>
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/security/live_policy.h"
#include "common/security/pki.h"
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
using safeguard::testing::TempDir;

// The threads this process runs now.
int Threads() {
  int n = 0;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return -1;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n;
}

WatchAlertsRequest Watch() {
  WatchAlertsRequest r;
  r.mutable_purpose()->set_code(MAPPA_MEETING);
  r.mutable_purpose()->set_detail("coordinator console");
  return r;
}

// Many watches read on one completion queue, so that the test itself adds no thread per
// watch to the count.
class Watches {
 public:
  ~Watches() {
    for (auto& w : watches_) w->ctx.TryCancel();
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  void Open(MappaService::Stub* stub) {
    auto w = std::make_unique<Watch_>();
    w->reader = stub->AsyncWatchAlerts(&w->ctx, Watch(), &cq_, Tag(watches_.size(), kStarted));
    watches_.push_back(std::move(w));
  }

  // Serves the queue until `done()` or 10 s pass.
  void Serve(const std::function<bool()>& done) {
    for (const absl::Time deadline = absl::Now() + absl::Seconds(10); !done() && absl::Now() < deadline;) {
      void* tag;
      bool ok;
      if (cq_.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + std::chrono::milliseconds(50)) !=
          grpc::CompletionQueue::GOT_EVENT) {
        continue;
      }
      const size_t i = reinterpret_cast<uintptr_t>(tag) >> 2;
      const int what = static_cast<int>(reinterpret_cast<uintptr_t>(tag) & 3);
      Watch_& w = *watches_[i];
      if (what == kRead && ok) w.changes.push_back(w.incoming);
      if ((what == kStarted || what == kRead) && ok) {
        w.started = true;
        w.reader->Read(&w.incoming, Tag(i, kRead));
      } else if (what != kFinished) {
        w.reader->Finish(&w.status, Tag(i, kFinished));
      } else {
        w.finished = true;
      }
    }
  }

  size_t size() const { return watches_.size(); }
  bool started(size_t i) const { return watches_[i]->started; }
  bool finished(size_t i) const { return watches_[i]->finished; }
  const grpc::Status& status(size_t i) const { return watches_[i]->status; }
  const std::vector<AlertChange>& changes(size_t i) const { return watches_[i]->changes; }

 private:
  enum { kStarted = 0, kRead = 1, kFinished = 2 };
  static void* Tag(size_t i, int what) { return reinterpret_cast<void*>((i << 2) | what); }
  struct Watch_ {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientAsyncReader<AlertChange>> reader;
    AlertChange incoming;
    std::vector<AlertChange> changes;
    grpc::Status status;
    bool started = false;
    bool finished = false;
  };
  grpc::CompletionQueue cq_;
  std::vector<std::unique_ptr<Watch_>> watches_;
};

class AlertWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto system = AllInOneSystem::Start(AllInOneOptions{.data_dir = dir_.path(), .security = pki_.Server(), .vault = testing::TestVault()});
    ASSERT_THAT(system, IsOk());
    system_ = std::move(system).value();
  }

  testing::TestPki& pki_ = testing::TestPki::Get();
  TempDir dir_;
  std::unique_ptr<AllInOneSystem> system_;
};

// 48 watches (six coordinators' consoles, eight each) add no thread per watch to the
// server (there was one each: 2,000 watches from one certificate ran 2,036 threads); a
// ninth watch from one certificate is refused; every watch gets the alert raised while
// they are open.
TEST_F(AlertWatchTest, WatchesShareOneFanOutAreCappedPerCallerAndEachGetsEveryChange) {
  std::vector<std::unique_ptr<MappaService::Stub>> consoles;
  for (int c = 0; c < 6; ++c) {
    consoles.push_back(pki_.Stub<MappaService>(system_->mappa_address(), "mappa-coordinator", absl::StrCat("coordinator-", c)));
  }
  Watches watches;
  for (int i = 0; i < 8; ++i) watches.Open(consoles[0].get());
  watches.Serve([&] {
    for (size_t i = 0; i < watches.size(); ++i) {
      if (!watches.started(i)) return false;
    }
    return true;
  });
  const int threads_at_8 = Threads();
  for (int c = 1; c < 6; ++c) {
    for (int i = 0; i < 8; ++i) watches.Open(consoles[c].get());
  }
  watches.Open(consoles[0].get());  // the ninth of coordinator-0
  watches.Serve([&] { return watches.finished(48); });
  ASSERT_TRUE(watches.finished(48));
  EXPECT_EQ(watches.status(48).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << watches.status(48).error_message();

  // A child sex offender registered as living with a child: an alert, to every watch.
  auto police = pki_.Stub<PoliceService>(system_->police_address(), "police-officer");
  CommandResult result;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(police->RecordConviction(&ctx, testing::ValidConviction(), &result).ok());
  }
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(police->RecordRegisterNotification(&ctx, testing::ValidNotification(), &result).ok());
  }
  auto everyone_raised = [&] {
    for (size_t i = 0; i < 48; ++i) {
      bool raised = false;
      for (const AlertChange& c : watches.changes(i)) raised = raised || c.kind() == ALERT_RAISED;
      if (!raised) return false;
    }
    return true;
  };
  watches.Serve(everyone_raised);
  EXPECT_TRUE(everyone_raised()) << "a watch missed the alert";
  // Every watch has been served by now.
  const int threads_at_48 = Threads();
  EXPECT_LE(threads_at_48 - threads_at_8, 8) << threads_at_8 << " threads with 8 watches, " << threads_at_48
                                               << " with 48";
}

// One WatchAlerts read on a thread of its own, as a console would hold it open.
class OpenWatch {
 public:
  explicit OpenWatch(std::unique_ptr<MappaService::Stub> stub) : stub_(std::move(stub)) {
    reader_ = stub_->WatchAlerts(&ctx_, Watch());
    thread_ = std::thread([this] {
      AlertChange change;
      while (reader_->Read(&change)) {
        std::lock_guard<std::mutex> lock(mu_);
        changes_.push_back(change);
      }
      grpc::Status status = reader_->Finish();
      std::lock_guard<std::mutex> lock(mu_);
      status_ = std::move(status);
    });
  }
  ~OpenWatch() {
    ctx_.TryCancel();
    thread_.join();
  }
  size_t changes() {
    std::lock_guard<std::mutex> lock(mu_);
    return changes_.size();
  }
  std::optional<grpc::Status> ended() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  std::unique_ptr<MappaService::Stub> stub_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<AlertChange>> reader_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<AlertChange> changes_;
  std::optional<grpc::Status> status_;
};

// Waits up to 10 s for `done`.
bool Within10s(const std::function<bool()>& done) {
  for (const absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end; absl::SleepFor(absl::Milliseconds(20))) {
    if (done()) return true;
  }
  return done();
}

// A panel member leaves while their console watches alerts: the policy file gains a
// revoke line for their certificate, and the server, watching the file, reloads it. Their
// open watch ends with PERMISSION_DENIED within seconds and their next call is refused,
// with no restart; a colleague's watch, open all along, goes on getting changes; the
// reload is in the status. Before this, the file was read once at start-up, and the
// revoked certificate went on receiving personal data until a restart.
TEST(AlertWatchRevocationTest, ARevokedCertificatesOpenWatchEndsWithoutARestart) {
  testing::TestPki& pki = testing::TestPki::Get();
  TempDir dir;
  const std::string policy_file = dir.Sub("access-policy.conf");
  auto write_policy = [&](const std::string& extra) {
    const std::string tmp = policy_file + ".tmp";
    std::ofstream(tmp) << security::AccessPolicy::BuiltInText() << extra;
    std::filesystem::rename(tmp, policy_file);  // as an editor or a deploy tool saves it
  };
  write_policy("");
  auto policy = security::LivePolicy::Load(policy_file);
  ASSERT_THAT(policy, IsOk());
  security::ServerSecurity security = pki.Server();
  security.policy = *policy;
  auto started = AllInOneSystem::Start(AllInOneOptions{.data_dir = dir.Sub("data"), .security = security, .vault = testing::TestVault()});
  ASSERT_THAT(started, IsOk());
  std::unique_ptr<AllInOneSystem> system = std::move(started).value();
  (*policy)->Watch(absl::Milliseconds(50), /*on_sighup=*/false);

  const security::ClientCredentialsSource leaver = pki.Issue("mappa-panel-member", "pm-leaver");
  OpenWatch leavers(MappaService::NewStub(grpc::CreateChannel(system->mappa_address(), security::MutualTlsCredentials(leaver))));
  OpenWatch stayers(pki.Stub<MappaService>(system->mappa_address(), "mappa-panel-member", "pm-stays"));

  // An alert, which both watches get: both are open and being served.
  auto police = pki.Stub<PoliceService>(system->police_address(), "police-officer");
  auto raise = [&](const std::string& pnc, const std::string& n) {
    CommandResult result;
    grpc::ClientContext c1, c2;
    ASSERT_TRUE(police->RecordConviction(&c1, testing::ValidConviction("cmd-conviction-" + n, pnc), &result).ok());
    ASSERT_TRUE(police->RecordRegisterNotification(&c2, testing::ValidNotification("cmd-notification-" + n, pnc), &result).ok());
  };
  raise("2019/0012345X", "1");
  ASSERT_TRUE(Within10s([&] { return leavers.changes() > 0 && stayers.changes() > 0; }));
  const size_t stayers_before = stayers.changes();

  auto fingerprint = security::ReadCertificateSubject(leaver.client.certificate_pem);
  ASSERT_THAT(fingerprint, IsOk());
  write_policy(absl::StrCat("\nrevoke ", fingerprint->sha256, "  # left the panel\n"));

  ASSERT_TRUE(Within10s([&] { return leavers.ended().has_value(); })) << "the revoked watch is still open";
  EXPECT_EQ(leavers.ended()->error_code(), grpc::StatusCode::PERMISSION_DENIED) << leavers.ended()->error_message();
  EXPECT_THAT(leavers.ended()->error_message(), ::testing::HasSubstr("has been revoked"));
  {
    auto stub = MappaService::NewStub(grpc::CreateChannel(system->mappa_address(), security::MutualTlsCredentials(leaver)));
    grpc::ClientContext ctx;
    ListAlertsRequest request;
    *request.mutable_purpose() = Watch().purpose();
    ListAlertsResponse response;
    EXPECT_EQ(stub->ListAlerts(&ctx, request, &response).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  const size_t leavers_after = leavers.changes();

  raise("2020/0054321Y", "2");
  EXPECT_TRUE(Within10s([&] { return stayers.changes() > stayers_before; })) << "the colleague's watch stopped too";
  EXPECT_FALSE(stayers.ended().has_value());
  EXPECT_EQ(leavers.changes(), leavers_after) << "sent to a revoked certificate";

  const AccessPolicyStatus status = (*policy)->status();
  EXPECT_EQ(status.reloads(), 1u);
  EXPECT_EQ(status.revoked(), 1u);
  EXPECT_EQ(status.source(), policy_file);
  EXPECT_TRUE(status.last_error().empty()) << status.last_error();
}

}  // namespace
}  // namespace safeguard
