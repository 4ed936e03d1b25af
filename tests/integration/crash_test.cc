// Kills safeguardd with SIGKILL while several clients write, restarts it, and checks that
// every acknowledged command's event is in the view exactly once. Commands whose answer
// was lost in the kill are sent again with the same command id after the restart, as a
// real client would; they too must end up exactly once.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "tests/testing/child_process.h"
#include "tests/testing/load_and_verify.h"
#include "tests/testing/temp_dir.h"

namespace safeguard {
namespace {

constexpr int kRounds = 3;

class Daemon {
 public:
  explicit Daemon(const testing::TempDir& dir) {
    const std::string endpoints = dir.Sub("endpoints");
    std::filesystem::remove(endpoints);
    process_ = std::make_unique<testing::ChildProcess>(
        SAFEGUARDD_PATH,
        std::vector<std::string>{absl::StrCat("--data_dir=", dir.Sub("data")), "--police_port=0",
                                 "--mappa_port=0", "--probation_port=0", "--childrens_port=0", "--metrics_port=0", absl::StrCat("--endpoints_file=", endpoints)},
        dir.Sub("safeguardd.log"));
    auto addresses = testing::AwaitKeyValueFile(endpoints, absl::Seconds(30));
    police_address = addresses["police"];
    mappa_address = addresses["mappa"];
    // safeguardd made its local certificate authority on the first start and keeps it.
    as = security::LocalPkiCredentials(security::LocalPki(dir.Sub("data/pki")));
  }
  void Kill() { process_->Kill(SIGKILL); }

  std::string police_address, mappa_address;
  security::CredentialsForRole as;

 private:
  std::unique_ptr<testing::ChildProcess> process_;
};

TEST(CrashTest, EveryAcknowledgedEventIsInTheViewExactlyOnceAfterSigkill) {
  testing::TempDir dir;
  testing::Ledger ledger;
  const testing::LoadLimits limits{.clients = 4, .subjects = 6, .max_commands = 400,
                                   .max_time = absl::Milliseconds(1500)};
  for (int round = 0; round < kRounds; ++round) {
    Daemon daemon(dir);
    ASSERT_FALSE(daemon.police_address.empty()) << "safeguardd did not start; see " << dir.Sub("safeguardd.log");
    ASSERT_TRUE(testing::ResendUnanswered(daemon.police_address, daemon.as, &ledger).ok());

    std::atomic<bool> stop{false};
    std::atomic<int> sent{0};
    std::thread load([&] { testing::RunLoad(daemon.police_address, daemon.as, limits, &ledger, &stop, &sent); });
    // Kill mid-stream, at a different point each round (a quarter, half, three quarters
    // of the round's commands sent).
    const int kill_after = limits.max_commands * (round + 1) / (kRounds + 1);
    const absl::Time give_up = absl::Now() + limits.max_time;
    while (absl::Now() < give_up && sent.load() < kill_after) absl::SleepFor(absl::Milliseconds(1));
    daemon.Kill();
    stop = true;
    load.join();
  }

  Daemon daemon(dir);
  ASSERT_FALSE(daemon.police_address.empty());
  ASSERT_TRUE(testing::ResendUnanswered(daemon.police_address, daemon.as, &ledger).ok());
  testing::Verification v =
      testing::VerifyExactlyOnce(daemon.mappa_address, daemon.as, limits.subjects, &ledger, absl::Seconds(60));
  EXPECT_TRUE(v.ok()) << v.Describe();
  EXPECT_GT(v.checked, 0u);
  std::cout << "crash test: " << kRounds << " SIGKILLs; " << v.Describe() << " ("
            << ledger.resent << " resent after a kill left them unanswered)" << std::endl;
}

}  // namespace
}  // namespace safeguard
