// A WatchAlerts stream collected on a thread of its own until the watcher is destroyed,
// as a console's alerts page follows it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"

namespace safeguard::testing {

class AlertWatcher {
 public:
  AlertWatcher(safeguard::v1::MappaService::Stub* mappa, const safeguard::v1::Purpose& purpose) {
    safeguard::v1::WatchAlertsRequest r;
    *r.mutable_purpose() = purpose;
    reader_ = mappa->WatchAlerts(&ctx_, r);
    thread_ = std::thread([this] {
      safeguard::v1::AlertChange c;
      while (reader_->Read(&c)) {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(c);
      }
    });
  }
  ~AlertWatcher() {
    ctx_.TryCancel();
    thread_.join();
    reader_->Finish();
  }

  // Every change seen, once `n` have come (bounded: 10 s).
  std::vector<safeguard::v1::AlertChange> AwaitChanges(size_t n) {
    for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (seen_.size() >= n) break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  // Whether a change `matches` has come (bounded: 10 s).
  template <typename Matches>
  bool AwaitChange(Matches matches) {
    for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (const safeguard::v1::AlertChange& c : seen_) {
          if (matches(c)) return true;
        }
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  // The (kind, rule) of every change seen, once `n` have come (bounded: 10 s).
  std::vector<std::pair<safeguard::v1::AlertChangeKind, safeguard::v1::AlertRule>> Await(size_t n) {
    std::vector<std::pair<safeguard::v1::AlertChangeKind, safeguard::v1::AlertRule>> out;
    for (const safeguard::v1::AlertChange& c : AwaitChanges(n)) out.emplace_back(c.kind(), c.alert().rule());
    return out;
  }

 private:
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<safeguard::v1::AlertChange>> reader_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<safeguard::v1::AlertChange> seen_;
};

}  // namespace safeguard::testing
