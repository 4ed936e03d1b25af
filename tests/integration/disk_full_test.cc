// safeguardd on a disk that fills, as an operator meets it at 3 a.m.: on a real 64 MiB
// file system (tmpfs, mounted by the test, which needs root as the README's commands run),
// writes are refused with RESOURCE_EXHAUSTED naming the full disk, the process stays up
// and reports NOT_SERVING and which store stopped, and once space is freed it writes again
// by itself; restarted on a full disk it refuses with a message and does not abort; and
// every command it acknowledged is in the view exactly once at the end.
//
// Before, safeguardd aborted (SIGABRT) within 30 s in RocksDB's log writer, and again in
// DB::Open on every restart on the full disk.
#include <gtest/gtest.h>
#include <grpcpp/generic/generic_stub.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>

#include "absl/strings/match.h"
#include "tests/testing/child_process.h"
#include "tests/testing/load_and_verify.h"
#include "tests/testing/temp_dir.h"

namespace safeguard {
namespace {

constexpr uint64_t kDiskBytes = 64 << 20;

// A tmpfs of kDiskBytes at `path`, unmounted when this goes.
class SmallDisk {
 public:
  explicit SmallDisk(std::string path) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
    mounted_ = mount("safeguard-test", path_.c_str(), "tmpfs", 0, absl::StrCat("size=", kDiskBytes).c_str()) == 0;
    if (!mounted_) {
      errno_ = errno;
      error_ = std::strerror(errno);
    }
  }
  ~SmallDisk() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  int error_number() const { return errno_; }

  uint64_t FreeBytes() const {
    struct statvfs s{};
    statvfs(path_.c_str(), &s);
    return static_cast<uint64_t>(s.f_bavail) * s.f_frsize;
  }
  // Takes all but `leave` bytes of the free space with a ballast file.
  void FillLeaving(uint64_t leave) {
    const uint64_t free = FreeBytes();
    if (free <= leave) return;
    std::ofstream ballast(path_ + "/ballast", std::ios::binary | std::ios::app);
    const std::string block(1 << 16, '\0');
    for (uint64_t left = free - leave; left > 0 && ballast;) {
      const uint64_t n = std::min<uint64_t>(left, block.size());
      ballast.write(block.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
  }
  void FreeBallast() { std::filesystem::remove(path_ + "/ballast"); }

 private:
  const std::string path_;
  bool mounted_ = false;
  int errno_ = 0;
  std::string error_;
};

class Daemon {
 public:
  Daemon(const testing::TempDir& dir, const std::string& data_dir, int start = 0)
      : endpoints_(dir.Sub(absl::StrCat("endpoints-", start))) {
    process_ = std::make_unique<testing::ChildProcess>(
        SAFEGUARDD_PATH,
        std::vector<std::string>{absl::StrCat("--data_dir=", data_dir), "--police_port=0", "--mappa_port=0",
                                 "--probation_port=0", "--childrens_port=0", "--metrics_port=0",
                                 absl::StrCat("--endpoints_file=", endpoints_)},
        dir.Sub("safeguardd.log"));
    pki_dir_ = data_dir + "/pki";
  }
  bool AwaitStart() {
    auto addresses = testing::AwaitKeyValueFile(endpoints_, absl::Seconds(30));
    police_address = addresses["police"];
    mappa_address = addresses["mappa"];
    if (police_address.empty()) return false;
    as = security::LocalPkiCredentials(security::LocalPki(pki_dir_));
    return true;
  }
  testing::ChildProcess& process() { return *process_; }

  std::string police_address, mappa_address;
  security::CredentialsForRole as;

 private:
  const std::string endpoints_;
  std::string pki_dir_;
  std::unique_ptr<testing::ChildProcess> process_;
};

// The standard health check's answer for the whole server: 1 SERVING, 2 NOT_SERVING.
int HealthOf(const std::string& address, const security::CredentialsForRole& as) {
  grpc::GenericStub stub(grpc::CreateChannel(address, *as("operator")));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  if (!done.get_future().get().ok()) return -1;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return -1;
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes.size() == 2 && bytes[0] == '\x08' ? bytes[1] : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string Listing(const std::string& root) {
  std::string out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out += absl::StrCat(e.path().string(), " ", e.file_size(), "\n");
  }
  return out;
}

TEST(DiskFullTest, AFullDiskIsAStateTheProcessReportsAndRecoversFromNotACrash) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a small file system needs root, as ./safeguard.sh test runs";
  testing::TempDir dir;
  SmallDisk disk(dir.Sub("disk"));
  if (!disk.mounted() && disk.error_number() == EPERM) {
    GTEST_SKIP() << "this machine does not allow mounting a tmpfs (" << disk.error()
                 << "); the disk-full behaviour of each store is still tested in common_test (DiskFullTest)";
  }
  ASSERT_TRUE(disk.mounted()) << "could not mount a tmpfs: " << disk.error();
  const std::string data_dir = dir.Sub("disk/data");
  testing::Ledger ledger;
  int starts = 0;

  {
    Daemon daemon(dir, data_dir, starts++);
    ASSERT_TRUE(daemon.AwaitStart()) << ReadFile(dir.Sub("safeguardd.log"));
    ASSERT_EQ(HealthOf(daemon.police_address, daemon.as), 1);
    disk.FillLeaving(2 << 20);

    // Write until the disk refuses (bounded in count and time).
    auto stub = v1::PoliceService::NewStub(grpc::CreateChannel(daemon.police_address, *daemon.as("police-officer")));
    grpc::Status refusal;
    for (int n = 0; n < 20000 && refusal.ok(); ++n) {
      auto r = testing::ValidIntelligence(absl::StrCat("disk-fill-", n), testing::LoadSubjectPnc(n % 6));
      r.mutable_intelligence()->set_intelligence_ref(absl::StrCat("FILL-", n));
      r.mutable_intelligence()->set_summary(std::string(2000, 'x'));
      v1::CommandResult result;
      grpc::Status st = testing::SendCommand(stub.get(), r, &result, absl::Seconds(10));
      std::lock_guard<std::mutex> lock(ledger.mu);
      if (st.ok()) {
        ledger.acked[r.header().command_id()] = result.event_id();
      } else {
        refusal = st;
        ledger.unanswered[r.header().command_id()] = r;
      }
    }
    ASSERT_FALSE(refusal.ok()) << "the disk never filled";
    EXPECT_EQ(refusal.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refusal.error_message();
    EXPECT_TRUE(absl::StrContains(refusal.error_message(), "the disk is full")) << refusal.error_message();

    // Writes go on being refused, and the process stays up through RocksDB's recovery
    // attempts (which aborted it before) and reports the fault.
    const testing::LoadLimits limits{.clients = 2, .subjects = 6, .max_commands = 400, .max_time = absl::Seconds(8)};
    std::atomic<bool> stop{false};
    testing::RunLoad(daemon.police_address, daemon.as, limits, &ledger, &stop);
    ASSERT_TRUE(daemon.process().Running()) << ReadFile(dir.Sub("safeguardd.log"));
    EXPECT_EQ(HealthOf(daemon.police_address, daemon.as), 2) << "NOT_SERVING while a store is stopped";
    v1::ServiceStatus status = testing::GetServiceStatus(daemon.police_address, daemon.as);
    ASSERT_GT(status.storage_faults_size(), 0);
    EXPECT_TRUE(status.storage_faults(0).disk_full()) << status.storage_faults(0).error();
    EXPECT_TRUE(absl::StartsWith(status.storage_faults(0).database(), data_dir)) << status.storage_faults(0).database();

    // Space freed: it writes again by itself.
    disk.FreeBallast();
    grpc::Status resumed = grpc::Status(grpc::StatusCode::UNKNOWN, "not tried");
    for (const absl::Time deadline = absl::Now() + absl::Seconds(90); absl::Now() < deadline && !resumed.ok();) {
      resumed = testing::ResendUnanswered(daemon.police_address, daemon.as, &ledger);
      if (!resumed.ok()) absl::SleepFor(absl::Milliseconds(500));
    }
    ASSERT_TRUE(resumed.ok()) << "writes did not resume within 90 s of space being freed: " << resumed.error_message()
                              << "\nfree now " << disk.FreeBytes() << " bytes; files:\n" << Listing(dir.Sub("disk"));
    for (const absl::Time deadline = absl::Now() + absl::Seconds(30);
         absl::Now() < deadline && HealthOf(daemon.police_address, daemon.as) != 1;) {
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_EQ(HealthOf(daemon.police_address, daemon.as), 1) << "SERVING again";
    daemon.process().Kill(SIGKILL);
  }

  // Started on a full disk: refused with a message, not an abort.
  disk.FillLeaving(0);
  {
    Daemon daemon(dir, data_dir, starts++);
    std::optional<int> exit = daemon.process().AwaitExit(absl::Seconds(10));
    const std::string log = ReadFile(dir.Sub("safeguardd.log"));
    if (!exit.has_value()) {
      // It may come up if nothing it writes at start-up needs a new block; then it must
      // refuse writes as above rather than abort.
      ASSERT_TRUE(daemon.AwaitStart()) << log;
      auto stub = v1::PoliceService::NewStub(grpc::CreateChannel(daemon.police_address, *daemon.as("police-officer")));
      auto r = testing::ValidIntelligence("disk-full-after-restart", testing::LoadSubjectPnc(0));
      r.mutable_intelligence()->set_summary(std::string(3000, 'x'));
      v1::CommandResult result;
      grpc::Status st = testing::SendCommand(stub.get(), r, &result, absl::Seconds(10));
      EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
      if (st.ok()) ledger.acked[r.header().command_id()] = result.event_id();
      EXPECT_TRUE(daemon.process().Running()) << log;
    } else {
      EXPECT_FALSE(WIFSIGNALED(*exit)) << "ended by signal " << WTERMSIG(*exit) << "\n" << log;
      EXPECT_TRUE(absl::StrContains(log, "the disk is full")) << log;
    }
    daemon.process().Kill(SIGKILL);
  }
  disk.FreeBallast();

  // With space again: every acknowledged command exactly once.
  Daemon daemon(dir, data_dir, starts++);
  ASSERT_TRUE(daemon.AwaitStart()) << ReadFile(dir.Sub("safeguardd.log"));
  ASSERT_TRUE(testing::ResendUnanswered(daemon.police_address, daemon.as, &ledger).ok());
  testing::Verification v = testing::VerifyExactlyOnce(daemon.mappa_address, daemon.as, 6, &ledger, absl::Seconds(60));
  EXPECT_TRUE(v.ok()) << v.Describe();
  std::cout << "disk full test: " << v.Describe() << std::endl;
  const std::string log = ReadFile(dir.Sub("safeguardd.log"));
  EXPECT_FALSE(absl::StrContains(log, "Assertion")) << log;
}

}  // namespace
}  // namespace safeguard
