// The access policy a server enforces now, reloaded without a restart.
//
// Revoking a certificate is a line in the policy file (docs/security.md); a server that
// read the file only at start-up kept admitting the certificate, and streaming personal
// data down its open WatchAlerts, until it was restarted. A LivePolicy reads the file
// again when it changes (checked every second; a change is taken once the file has stayed
// unchanged for one check, so a file written in place is not read half-written) and at
// once on SIGHUP. Each reload that changes
// the policy is logged with the new text's SHA-256 and what it revokes, counted in the
// process's status, and told to the listeners, which end the open streams the new
// policy refuses. A file that cannot be read or does not parse changes nothing: the
// policy in force stays, and the error is logged and shown in status until a good file
// replaces it. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/security/access_policy.h"
#include "safeguard/v1/operations.pb.h"

namespace safeguard::security {

class LivePolicy {
 public:
  // The policy in the file at `path`; the built-in one, which never changes, when `path`
  // is empty. kNotFound or kInvalidArgument (naming the line) as AccessPolicy::Load.
  static absl::StatusOr<std::shared_ptr<LivePolicy>> Load(const std::string& path);

  // Stops watching.
  ~LivePolicy();
  LivePolicy(const LivePolicy&) = delete;
  LivePolicy& operator=(const LivePolicy&) = delete;

  // The policy in force.
  std::shared_ptr<const AccessPolicy> current() const;
  // current()->Authorize(caller, method).
  absl::Status Authorize(const Caller& caller, absl::string_view method) const;
  // current()->AuthorizeFor(via, person, method).
  absl::Status AuthorizeFor(const Caller& via, const Caller& person, absl::string_view method) const;
  // Counts the changes since load: a holder that checked at one generation need not check
  // again until it moves.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Reads the file again now; `why` says for the log what prompted it ("SIGHUP", "the
  // file changed"). True when the policy changed (the listeners have run); false when
  // the text is as before or the policy is built in; the error, the policy unchanged,
  // when the file cannot be read or parsed.
  absl::StatusOr<bool> Reload(absl::string_view why);

  // Starts a thread that reloads when the file's modification time, size or inode change
  // and then stay so for one more `interval` (checked every `interval`) and, when
  // `on_sighup`, at once on SIGHUP: then SIGHUP must be blocked in
  // every thread of the process (BlockControlSignals, common/process.h) and no other
  // thread may wait for it. Once; nothing for a built-in policy unless `on_sighup`.
  void Watch(absl::Duration interval, bool on_sighup);

  // Runs `listener` on the reloading thread after each change, until the returned handle
  // is released. The listener must not call Reload nor release its own handle (the release
  // waits for a reload under way), and the policy must outlive the handle.
  std::shared_ptr<void> OnChange(std::function<void()> listener);

  // Where the policy came from, its SHA-256, when it was loaded, how many reloads have
  // changed it, and the last failed reload's error (cleared by a good one).
  safeguard::v1::AccessPolicyStatus status() const;
  // Sets status->access_policy from status(): an OperationsService reporter.
  absl::Status ReportStatus(safeguard::v1::ServiceStatus* status) const;

 private:
  struct FileStamp {
    int64_t mtime_ns = 0;
    int64_t size = -1;
    uint64_t inode = 0;
    bool operator==(const FileStamp&) const = default;
  };

  LivePolicy(std::string path, std::string text, AccessPolicy policy);
  static FileStamp StampOf(const std::string& path);
  void WatchLoop(absl::Duration interval, bool on_sighup);

  const std::string path_;  // empty: built in
  absl::Mutex reload_mu_;   // one reload at a time; held while listeners run

  mutable absl::Mutex mu_;
  std::shared_ptr<const AccessPolicy> policy_ ABSL_GUARDED_BY(mu_);
  std::string sha256_ ABSL_GUARDED_BY(mu_);  // of the text in force, lower-case hex
  absl::Time loaded_at_ ABSL_GUARDED_BY(mu_);
  uint64_t reloads_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  FileStamp stamp_ ABSL_GUARDED_BY(mu_);
  uint64_t next_listener_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, std::function<void()>> listeners_ ABSL_GUARDED_BY(mu_);

  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
};

}  // namespace safeguard::security
