#include "common/security/live_policy.h"

#include <signal.h>
#include <sys/stat.h>

#include <iostream>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/security/pki.h"
#include "common/status_macros.h"
#include "common/time_util.h"

namespace safeguard::security {
namespace {

// What a reload changed in the revocations, for the log.
std::string RevocationsChanged(const AccessPolicy& before, const AccessPolicy& after) {
  std::vector<std::string> added, removed;
  for (const std::string& r : after.revoked()) {
    if (!before.revoked().contains(r)) added.push_back(r.substr(0, 16));
  }
  for (const std::string& r : before.revoked()) {
    if (!after.revoked().contains(r)) removed.push_back(r.substr(0, 16));
  }
  std::string out = absl::StrCat(after.roles().size(), " roles, ", after.revoked().size(), " certificates revoked");
  if (!added.empty()) absl::StrAppend(&out, "; newly revoked: ", absl::StrJoin(added, ", "));
  if (!removed.empty()) absl::StrAppend(&out, "; no longer revoked: ", absl::StrJoin(removed, ", "));
  return out;
}

}  // namespace

absl::StatusOr<std::shared_ptr<LivePolicy>> LivePolicy::Load(const std::string& path) {
  std::string text;
  if (path.empty()) {
    text = std::string(AccessPolicy::BuiltInText());
  } else {
    ASSIGN_OR_RETURN(text, ReadTextFile(path));
  }
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::Parse(text);
  if (!policy.ok()) {
    return absl::Status(policy.status().code(),
                        absl::StrCat(path.empty() ? "built-in policy" : path, ": ", policy.status().message()));
  }
  std::shared_ptr<LivePolicy> live(new LivePolicy(path, std::move(text), *std::move(policy)));
  return live;
}

LivePolicy::LivePolicy(std::string path, std::string text, AccessPolicy policy) : path_(std::move(path)) {
  absl::MutexLock lock(&mu_);
  policy_ = std::make_shared<const AccessPolicy>(std::move(policy));
  sha256_ = ToHex(Sha256(text));
  loaded_at_ = absl::Now();
  if (!path_.empty()) stamp_ = StampOf(path_);
}

LivePolicy::~LivePolicy() {
  stopping_ = true;
  if (watcher_.joinable()) watcher_.join();
}

std::shared_ptr<const AccessPolicy> LivePolicy::current() const {
  absl::ReaderMutexLock lock(&mu_);
  return policy_;
}

absl::Status LivePolicy::Authorize(const Caller& caller, absl::string_view method) const {
  return current()->Authorize(caller, method);
}

absl::Status LivePolicy::AuthorizeFor(const Caller& via, const Caller& person, absl::string_view method) const {
  return current()->AuthorizeFor(via, person, method);
}

LivePolicy::FileStamp LivePolicy::StampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return FileStamp{};
  return FileStamp{static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                   static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_ino)};
}

absl::StatusOr<bool> LivePolicy::Reload(absl::string_view why) {
  if (path_.empty()) return false;
  absl::MutexLock reloading(&reload_mu_);
  const FileStamp stamp = StampOf(path_);
  auto refuse = [&](const absl::Status& st) {
    const std::string error = absl::StrCat(path_, ": ", st.message());
    logging::Error(absl::StrCat("access policy NOT reloaded (", why, "): ", error, "; the policy in force is unchanged"));
    absl::MutexLock lock(&mu_);
    last_error_ = error;
    stamp_ = stamp;  // not again until the file changes once more
    return absl::Status(st.code(), error);
  };
  absl::StatusOr<std::string> text = ReadTextFile(path_);
  if (!text.ok()) return refuse(text.status());
  const std::string sha256 = ToHex(Sha256(*text));
  std::shared_ptr<const AccessPolicy> before;
  {
    absl::MutexLock lock(&mu_);
    stamp_ = stamp;
    if (sha256 == sha256_) {
      logging::Info(absl::StrCat("access policy re-read from ", path_, " (", why, "): unchanged, sha256 ", sha256.substr(0, 16)));
      last_error_.clear();
      return false;
    }
    before = policy_;
  }
  absl::StatusOr<AccessPolicy> parsed = AccessPolicy::Parse(*text);
  if (!parsed.ok()) return refuse(parsed.status());
  auto after = std::make_shared<const AccessPolicy>(*std::move(parsed));
  std::vector<std::function<void()>> listeners;
  {
    absl::MutexLock lock(&mu_);
    logging::Info(absl::StrCat("access policy reloaded from ", path_, " (", why, "): sha256 ", sha256.substr(0, 16), ", was ",
                               sha256_.substr(0, 16), "; ", RevocationsChanged(*before, *after)));
    policy_ = after;
    generation_.fetch_add(1, std::memory_order_release);
    sha256_ = sha256;
    loaded_at_ = absl::Now();
    ++reloads_;
    last_error_.clear();
    for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (const std::function<void()>& listener : listeners) listener();
  return true;
}

void LivePolicy::Watch(absl::Duration interval, bool on_sighup) {
  if (watcher_.joinable() || (path_.empty() && !on_sighup)) return;
  watcher_ = std::thread([this, interval, on_sighup] { WatchLoop(interval, on_sighup); });
}

void LivePolicy::WatchLoop(absl::Duration interval, bool on_sighup) {
  sigset_t hup;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  const timespec wait = absl::ToTimespec(interval);
  std::optional<FileStamp> settling;  // a change seen at the last check, not yet taken
  while (!stopping_) {
    bool hangup = false;
    if (on_sighup) {
      hangup = sigtimedwait(&hup, nullptr, &wait) == SIGHUP;
    } else {
      absl::SleepFor(interval);
    }
    if (stopping_) break;
    if (path_.empty()) {
      if (hangup) logging::Warning(absl::StrCat("access policy: SIGHUP, but the policy is built in: nothing to reload"));
      continue;
    }
    if (hangup) {
      (void)Reload("SIGHUP");
      continue;
    }
    // A change is taken once the file has stayed as it is for a whole interval, so that a
    // file being written in place is not read half-written (and its revocations lost).
    const FileStamp now = StampOf(path_);
    bool changed;
    {
      absl::MutexLock lock(&mu_);
      changed = !(now == stamp_);
    }
    if (!changed) {
      settling.reset();
    } else if (settling == now) {
      (void)Reload("the file changed");
      settling.reset();
    } else {
      settling = now;
    }
  }
}

std::shared_ptr<void> LivePolicy::OnChange(std::function<void()> listener) {
  uint64_t id;
  {
    absl::MutexLock lock(&mu_);
    id = next_listener_++;
    listeners_.emplace(id, std::move(listener));
  }
  // Released: removed, after any run of it under way (reloads hold reload_mu_ throughout).
  return std::shared_ptr<void>(nullptr, [this, id](void*) {
    absl::MutexLock reloading(&reload_mu_);
    absl::MutexLock lock(&mu_);
    listeners_.erase(id);
  });
}

absl::Status LivePolicy::ReportStatus(safeguard::v1::ServiceStatus* status) const {
  *status->mutable_access_policy() = this->status();
  return absl::OkStatus();
}

safeguard::v1::AccessPolicyStatus LivePolicy::status() const {
  absl::ReaderMutexLock lock(&mu_);
  safeguard::v1::AccessPolicyStatus s;
  s.set_source(path_.empty() ? "built-in" : path_);
  s.set_sha256(sha256_);
  *s.mutable_loaded_at() = ToProtoTimestamp(loaded_at_);
  s.set_reloads(reloads_);
  s.set_revoked(static_cast<uint32_t>(policy_->revoked().size()));
  s.set_last_error(last_error_);
  return s;
}

}  // namespace safeguard::security
