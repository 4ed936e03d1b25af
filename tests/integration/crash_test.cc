// Kills safeguardd with SIGKILL while several clients write, restarts it, and checks that
// every acknowledged command's event is in the view exactly once. Commands whose answer
// was lost in the kill are sent again with the same command id after the restart, as a
// real client would; they too must end up exactly once.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/grpc/caller.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "tests/testing/child_process.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/temp_dir.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;

constexpr int kClients = 4;
constexpr int kSubjects = 6;
constexpr int kRounds = 3;
// Bounds on each round's load: it stops at whichever comes first.
constexpr int kMaxCommandsPerRound = 400;
constexpr absl::Duration kMaxWriteTime = absl::Milliseconds(1500);

std::string SubjectPnc(int i) { return absl::StrCat("2020/", 1000000 + i, "C"); }

class Daemon {
 public:
  explicit Daemon(const testing::TempDir& dir) {
    const std::string endpoints = dir.Sub("endpoints");
    std::filesystem::remove(endpoints);
    process_ = std::make_unique<testing::ChildProcess>(
        SAFEGUARDD_PATH,
        std::vector<std::string>{absl::StrCat("--data_dir=", dir.Sub("data")), "--police_port=0",
                                 "--mappa_port=0", absl::StrCat("--endpoints_file=", endpoints)},
        dir.Sub("safeguardd.log"));
    auto addresses = testing::AwaitKeyValueFile(endpoints, absl::Seconds(30));
    police_address = addresses["police"];
    mappa_address = addresses["mappa"];
  }
  void Kill() { process_->Kill(SIGKILL); }

  std::string police_address, mappa_address;

 private:
  std::unique_ptr<testing::ChildProcess> process_;
};

struct Outcome {
  std::mutex mu;
  std::map<std::string, std::string> acked;             // command id -> event id
  std::map<std::string, RecordIntelligenceRequest> unanswered;  // in flight at the kill
};

RecordIntelligenceRequest Command(int client, int n) {
  auto r = testing::ValidIntelligence(absl::StrCat("crash-", client, "-", n),
                                      SubjectPnc((client * 7 + n) % kSubjects));
  r.mutable_intelligence()->set_intelligence_ref(absl::StrCat("INT-", client, "-", n));
  return r;
}

grpc::Status Send(PoliceService::Stub* stub, const RecordIntelligenceRequest& r, CommandResult* out,
                  absl::Duration timeout) {
  grpc::ClientContext ctx;
  ctx.AddMetadata(kUserHeader, "crash-tester");
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  return stub->RecordIntelligence(&ctx, r, out);
}

// Collects every event id in every subject's timeline, with how often each appears.
std::map<std::string, int> TimelineEventCounts(MappaService::Stub* mappa) {
  std::map<std::string, int> counts;
  for (int s = 0; s < kSubjects; ++s) {
    std::string token;
    do {
      GetTimelineRequest req;
      req.mutable_subject()->set_pnc_id(SubjectPnc(s));
      req.mutable_purpose()->set_code(AUDIT);
      req.mutable_purpose()->set_detail("crash test verification");
      req.set_page_size(500);
      req.set_page_token(token);
      GetTimelineResponse resp;
      grpc::ClientContext ctx;
      ctx.AddMetadata(kUserHeader, "crash-tester");
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      grpc::Status st = mappa->GetTimeline(&ctx, req, &resp);
      if (!st.ok()) break;  // NOT_FOUND before the subject's first event is applied
      for (const auto& e : resp.entries()) counts[e.provenance().event_id()]++;
      token = resp.next_page_token();
    } while (!token.empty());
  }
  return counts;
}

TEST(CrashTest, EveryAcknowledgedEventIsInTheViewExactlyOnceAfterSigkill) {
  testing::TempDir dir;
  Outcome outcome;
  int next_command[kClients] = {};
  size_t resent = 0;

  for (int round = 0; round < kRounds; ++round) {
    Daemon daemon(dir);
    ASSERT_FALSE(daemon.police_address.empty()) << "safeguardd did not start; see " << dir.Sub("safeguardd.log");
    auto channel = grpc::CreateChannel(daemon.police_address, grpc::InsecureChannelCredentials());
    auto stub = PoliceService::NewStub(channel);

    // First, resend what the previous kill left unanswered, with the same command ids.
    resent += outcome.unanswered.size();
    for (auto& [id, request] : std::map(outcome.unanswered)) {
      CommandResult result;
      grpc::Status st = Send(stub.get(), request, &result, absl::Seconds(10));
      ASSERT_TRUE(st.ok()) << id << ": " << st.error_message();
      outcome.acked[id] = result.event_id();
      outcome.unanswered.erase(id);
    }

    std::atomic<int> sent{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    const absl::Time end = absl::Now() + kMaxWriteTime;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        while (!stop && absl::Now() < end && sent.fetch_add(1) < kMaxCommandsPerRound) {
          RecordIntelligenceRequest request = Command(c, next_command[c]++);
          CommandResult result;
          grpc::Status st = Send(stub.get(), request, &result, absl::Seconds(5));
          std::lock_guard<std::mutex> lock(outcome.mu);
          if (st.ok()) {
            outcome.acked[request.header().command_id()] = result.event_id();
          } else {
            outcome.unanswered[request.header().command_id()] = request;
          }
        }
      });
    }
    // Kill mid-stream, at a different point each round (a quarter, half, three quarters
    // of the round's commands sent).
    const int kill_after = kMaxCommandsPerRound * (round + 1) / (kRounds + 1);
    while (absl::Now() < end && sent.load() < kill_after) absl::SleepFor(absl::Milliseconds(1));
    daemon.Kill();
    stop = true;
    for (auto& t : clients) t.join();
  }

  // Final start: resend the last round's unanswered commands, then wait for the view.
  Daemon daemon(dir);
  ASSERT_FALSE(daemon.police_address.empty());
  auto police = PoliceService::NewStub(grpc::CreateChannel(daemon.police_address, grpc::InsecureChannelCredentials()));
  auto mappa = MappaService::NewStub(grpc::CreateChannel(daemon.mappa_address, grpc::InsecureChannelCredentials()));
  resent += outcome.unanswered.size();
  for (auto& [id, request] : std::map(outcome.unanswered)) {
    CommandResult result;
    grpc::Status st = Send(police.get(), request, &result, absl::Seconds(10));
    ASSERT_TRUE(st.ok()) << id << ": " << st.error_message();
    outcome.acked[id] = result.event_id();
  }
  ASSERT_GT(outcome.acked.size(), 0u);

  std::map<std::string, int> counts;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    counts = TimelineEventCounts(mappa.get());
    size_t present = 0;
    for (const auto& [id, event_id] : outcome.acked) present += counts.count(event_id);
    if (present == outcome.acked.size()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  size_t missing = 0;
  for (const auto& [id, event_id] : outcome.acked) {
    auto it = counts.find(event_id);
    if (it == counts.end()) {
      ++missing;
      ADD_FAILURE() << "acknowledged command " << id << " (event " << event_id << ") is not in the view";
    }
  }
  for (const auto& [event_id, n] : counts) {
    EXPECT_EQ(n, 1) << "event " << event_id << " appears " << n << " times";
  }
  // Every event in the view was acknowledged to some client: nothing invented, and
  // every retried command resolved to one event.
  std::set<std::string> acked_events;
  for (const auto& [id, event_id] : outcome.acked) acked_events.insert(event_id);
  EXPECT_EQ(counts.size(), acked_events.size());
  EXPECT_EQ(missing, 0u);
  std::cout << "crash test: " << kRounds << " SIGKILLs, " << outcome.acked.size()
            << " acknowledged commands checked (" << resent
            << " of them resent after a kill left them unanswered), each in the view exactly once"
            << std::endl;
}

}  // namespace
}  // namespace safeguard
