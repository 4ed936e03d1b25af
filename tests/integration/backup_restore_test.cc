// A backup made while four clients write, the data directory destroyed, restored from the
// backup with safeguard-backup, and safeguardd started on it again:
//  - every command acknowledged before the backup began is in the view exactly once;
//    those acknowledged while it was made are there once or not at all (never twice);
//    nothing unacknowledged, no stream with a gap;
//  - the events the bus held beyond a store's copy were taken back into the store (its
//    log says how many), and what the backup's outbox held was published again, without
//    a duplicate reaching the views;
//  - the restored police store checks whole against the checkpoints signed before the
//    loss, with the public key recorded then.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>

#include "common/audit/checkpoint.h"
#include "common/store/event_store.h"
#include "safeguard/v1/audit.grpc.pb.h"
#include "safeguard/v1/operations.grpc.pb.h"
#include "tests/testing/child_process.h"
#include "tests/testing/load_and_verify.h"
#include "tests/testing/temp_dir.h"

namespace safeguard {
namespace {

class Daemon {
 public:
  Daemon(const testing::TempDir& dir, const std::string& log) {
    const std::string endpoints = dir.Sub("endpoints");
    std::filesystem::remove(endpoints);
    process_ = std::make_unique<testing::ChildProcess>(
        SAFEGUARDD_PATH,
        std::vector<std::string>{absl::StrCat("--data_dir=", dir.Sub("data")), "--police_port=0", "--mappa_port=0",
                                 "--probation_port=0", "--childrens_port=0", "--metrics_port=0",
                                 absl::StrCat("--backup_dir=", dir.Sub("backup")),
                                 absl::StrCat("--endpoints_file=", endpoints)},
        dir.Sub(log));
    auto addresses = testing::AwaitKeyValueFile(endpoints, absl::Seconds(60));
    police_address = addresses["police"];
    mappa_address = addresses["mappa"];
    as = security::LocalPkiCredentials(security::LocalPki(dir.Sub("data/pki")));
  }
  void Kill() { process_->Kill(SIGKILL); }

  std::string police_address, mappa_address;
  security::CredentialsForRole as;

 private:
  std::unique_ptr<testing::ChildProcess> process_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(BackupRestoreTest, ABackupUnderLoadRestoresEveryAcknowledgedEventOnceAndChecksAgainstTheSignedCheckpoints) {
  testing::TempDir dir;
  testing::Ledger ledger;
  std::map<std::string, std::string> acked_before_backup;
  std::string recorded_key;
  {
    Daemon daemon(dir, "safeguardd-1.log");
    ASSERT_FALSE(daemon.police_address.empty()) << "safeguardd did not start; see " << dir.Sub("safeguardd-1.log");
    // The auditors record the police log's public key when the service is commissioned.
    {
      auto audit = v1::AuditService::NewStub(grpc::CreateChannel(daemon.police_address, *daemon.as("auditor")));
      grpc::ClientContext ctx;
      v1::PublicKeyResponse key;
      ASSERT_TRUE(audit->GetPublicKey(&ctx, v1::GetPublicKeyRequest(), &key).ok());
      recorded_key = key.public_key();
    }
    const testing::LoadLimits limits{.clients = 4, .subjects = 6, .max_commands = 900,
                                     .max_time = absl::Seconds(6)};
    std::atomic<bool> stop{false};
    std::atomic<int> sent{0};
    std::thread load([&] { testing::RunLoad(daemon.police_address, daemon.as, limits, &ledger, &stop, &sent); });
    while (sent.load() < limits.max_commands / 3) absl::SleepFor(absl::Milliseconds(1));
    {
      std::lock_guard<std::mutex> lock(ledger.mu);
      acked_before_backup = ledger.acked;
    }
    auto ops = v1::OperationsService::NewStub(grpc::CreateChannel(daemon.police_address, *daemon.as("operator")));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::BackupReport report;
    const grpc::Status made = ops->CreateBackup(&ctx, v1::CreateBackupRequest(), &report);
    ASSERT_TRUE(made.ok()) << made.error_message();
    EXPECT_EQ(report.stores(0), "mappa") << "derived state first";
    EXPECT_EQ(report.stores(report.stores_size() - 1), "bus") << "the bus last";
    load.join();
    // The disk is lost: the process dies with it.
    daemon.Kill();
  }
  ASSERT_GT(acked_before_backup.size(), 0u);
  std::filesystem::remove_all(dir.Sub("data"));

  testing::ChildProcess restore(SAFEGUARD_BACKUP_PATH,
                                {"restore", absl::StrCat("--backup_dir=", dir.Sub("backup")),
                                 absl::StrCat("--data_dir=", dir.Sub("data"))},
                                dir.Sub("restore.log"));
  const std::optional<int> restored = restore.AwaitExit(absl::Seconds(60));
  ASSERT_TRUE(restored.has_value() && WIFEXITED(*restored) && WEXITSTATUS(*restored) == 0)
      << ReadFile(dir.Sub("restore.log"));

  Daemon daemon(dir, "safeguardd-2.log");
  ASSERT_FALSE(daemon.police_address.empty()) << "safeguardd did not start on the restored data; see "
                                              << dir.Sub("safeguardd-2.log");
  // What each store took back from the bus, as its log says.
  const std::string log = ReadFile(dir.Sub("safeguardd-2.log"));
  std::smatch taken;
  ASSERT_TRUE(std::regex_search(log, taken, std::regex("police: restored from a backup; took back ([0-9]+) events")))
      << log.substr(0, 2000);
  // The load ran on while the stores were copied, the bus last: the police store's copy
  // lacks events the bus's holds, which it must have taken back.
  EXPECT_GT(std::stoul(taken[1]), 0u) << "nothing published after the police store's copy: the test proved nothing";

  // Every command acknowledged before the backup began: in the view exactly once.
  testing::Ledger before;
  before.acked = acked_before_backup;
  testing::Verification v =
      testing::VerifyExactlyOnce(daemon.mappa_address, daemon.as, 6, &before, absl::Seconds(60));
  EXPECT_TRUE(v.missing.empty()) << v.Describe();
  EXPECT_TRUE(v.duplicated.empty()) << v.Describe();
  EXPECT_TRUE(v.broken_streams.empty()) << v.Describe();
  // Others in the view were acknowledged while the backup was made: never unacknowledged.
  size_t kept_from_during = 0;
  {
    std::set<std::string> acked_events;
    for (const auto& [id, event_id] : ledger.acked) acked_events.insert(event_id);
    for (const std::string& event_id : v.unacknowledged) {
      EXPECT_TRUE(acked_events.contains(event_id)) << event_id << " was never acknowledged";
      ++kept_from_during;
    }
  }
  // The relay has published what the restored outbox held.
  v1::ServiceStatus police;
  for (const absl::Time deadline = absl::Now() + absl::Seconds(30); absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(100))) {
    police = testing::GetServiceStatus(daemon.police_address, daemon.as);
    if (police.outbox_pending() == 0) break;
  }
  EXPECT_EQ(police.outbox_pending(), 0u);

  // The restored store, whole, against the checkpoints signed before the loss.
  auto scrub = EventStore::ScrubAt(dir.Sub("data/police"), [&](const v1::SignedCheckpoint& c) {
    return audit::VerifyCheckpoint(c, recorded_key);
  });
  ASSERT_TRUE(scrub.ok()) << scrub.status();
  EXPECT_TRUE(scrub->ok()) << scrub->problem;
  EXPECT_GT(scrub->checkpoints_verified, 0u);

  std::cout << "backup restore test: " << acked_before_backup.size() << " commands acknowledged before the backup, "
            << v.Describe() << "; " << kept_from_during << " of those acknowledged after it began kept; police took back "
            << taken[1] << " events from the bus and republished " << police.events_published() << "; "
            << scrub->events << " events and " << scrub->checkpoints_verified
            << " signed checkpoint(s) verified with the recorded key" << std::endl;
}

}  // namespace
}  // namespace safeguard
