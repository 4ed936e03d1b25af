// The access policy reloaded while the server runs: a change to the file is in force
// within two of the watch's intervals, a file that does not parse changes nothing (and says why),
// and listeners hear of each change and only of changes. SIGHUP, which needs a process
// that blocks it in every thread, is tested on safeguardd itself (cli_walkthrough.sh).
#include "common/security/live_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace safeguard::security {
namespace {

using ::testing::HasSubstr;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;

const std::string kLeaver(64, 'a');
const Caller kPlatform{"platform", "platform", "examplechat", kLeaver};
constexpr char kCheck[] = "/safeguard.v1.ScreeningService/CheckIdentifier";

bool Within5s(const std::function<bool()>& done) {
  for (const absl::Time end = absl::Now() + absl::Seconds(5); absl::Now() < end; absl::SleepFor(absl::Milliseconds(10))) {
    if (done()) return true;
  }
  return done();
}

class LivePolicyTest : public ::testing::Test {
 protected:
  // Replaces the file as an editor does: a new file renamed over the old.
  void Write(const std::string& extra) {
    const std::string tmp = path_ + ".tmp";
    std::ofstream(tmp) << AccessPolicy::BuiltInText() << extra;
    std::filesystem::rename(tmp, path_);
  }

  safeguard::testing::TempDir dir_;
  const std::string path_ = dir_.Sub("access-policy.conf");
};

TEST_F(LivePolicyTest, AChangedFileIsInForceWithinTheIntervalAndListenersHearOfIt) {
  Write("");
  auto policy = LivePolicy::Load(path_);
  ASSERT_THAT(policy, IsOk());
  std::atomic<int> heard{0};
  std::shared_ptr<void> listening = (*policy)->OnChange([&] { ++heard; });
  EXPECT_THAT((*policy)->Authorize(kPlatform, kCheck), IsOk());
  const std::string before = (*policy)->status().sha256();

  (*policy)->Watch(absl::Milliseconds(20), /*on_sighup=*/false);
  Write(absl::StrCat("\nrevoke ", kLeaver, "\n"));
  ASSERT_TRUE(Within5s([&] { return !(*policy)->Authorize(kPlatform, kCheck).ok(); }));
  EXPECT_THAT((*policy)->Authorize(kPlatform, kCheck), StatusIs(absl::StatusCode::kPermissionDenied, "has been revoked"));
  // Listeners hear of it on the watcher's thread once the new policy is in force: soon
  // after, not necessarily by the time a caller sees it.
  EXPECT_TRUE(Within5s([&] { return heard.load() == 1; }));
  const v1::AccessPolicyStatus status = (*policy)->status();
  EXPECT_EQ(status.reloads(), 1u);
  EXPECT_EQ(status.revoked(), 1u);
  EXPECT_NE(status.sha256(), before);

  // The same text again (touched, not changed): nothing to tell.
  Write(absl::StrCat("\nrevoke ", kLeaver, "\n"));
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(heard.load(), 1);
  EXPECT_EQ((*policy)->status().reloads(), 1u);

  // Released: no longer told.
  listening.reset();
  Write("");
  ASSERT_TRUE(Within5s([&] { return (*policy)->Authorize(kPlatform, kCheck).ok(); }));
  EXPECT_EQ(heard.load(), 1);
}

TEST_F(LivePolicyTest, AFileThatDoesNotParseChangesNothingAndSaysWhy) {
  Write(absl::StrCat("\nrevoke ", kLeaver, "\n"));
  auto policy = LivePolicy::Load(path_);
  ASSERT_THAT(policy, IsOk());
  // A half-finished edit: the revocation must not be lost with it.
  Write("\nallow platform everything\n");
  auto reloaded = (*policy)->Reload("a test");
  EXPECT_THAT(reloaded, StatusIs(absl::StatusCode::kInvalidArgument, path_));
  EXPECT_THAT((*policy)->Authorize(kPlatform, kCheck), StatusIs(absl::StatusCode::kPermissionDenied, "revoked"));
  v1::AccessPolicyStatus status = (*policy)->status();
  EXPECT_THAT(status.last_error(), HasSubstr("line "));
  EXPECT_EQ(status.reloads(), 0u);

  // A file that cannot be read: the same.
  std::filesystem::remove(path_);
  EXPECT_FALSE((*policy)->Reload("a test").ok());
  EXPECT_FALSE((*policy)->Authorize(kPlatform, kCheck).ok());

  // Mended: in force, and the error cleared.
  Write("");
  auto mended = (*policy)->Reload("a test");
  ASSERT_THAT(mended, IsOk());
  EXPECT_TRUE(*mended);
  EXPECT_THAT((*policy)->Authorize(kPlatform, kCheck), IsOk());
  status = (*policy)->status();
  EXPECT_TRUE(status.last_error().empty()) << status.last_error();
  EXPECT_EQ(status.reloads(), 1u);
}

TEST_F(LivePolicyTest, TheBuiltInPolicyHasNothingToReload) {
  auto policy = LivePolicy::Load("");
  ASSERT_THAT(policy, IsOk());
  auto reloaded = (*policy)->Reload("a test");
  ASSERT_THAT(reloaded, IsOk());
  EXPECT_FALSE(*reloaded);
  EXPECT_EQ((*policy)->status().source(), "built-in");
}

}  // namespace
}  // namespace safeguard::security
