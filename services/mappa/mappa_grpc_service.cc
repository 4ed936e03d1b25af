#include "services/mappa/mappa_grpc_service.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/grpc/status_mapping.h"

namespace safeguard::mappa {
namespace {

using safeguard::v1::AlertChange;

// One WatchAlerts stream. A thread of its own runs MappaReads::WatchAlerts, handing each
// change to gRPC and waiting for its write to complete; it finishes the call when the
// watch ends. The reactor deletes itself once gRPC is done with it.
class AlertWatch final : public grpc::ServerWriteReactor<AlertChange> {
 public:
  AlertWatch(MappaReads* reads, CallContext call, safeguard::v1::WatchAlertsRequest request) {
    std::thread([this, reads, call = std::move(call), request = std::move(request)] {
      absl::Status end = reads->WatchAlerts(
          request, call, [this](const AlertChange& c) { return Send(c); },
          [this] {
            std::lock_guard<std::mutex> lock(mu_);
            return cancelled_;
          });
      Finish(ToGrpcStatus(end));  // the last touch of `this` by this thread
    }).detach();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) cancelled_ = true;
    cv_.notify_all();
  }
  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }
  void OnDone() override { delete this; }

 private:
  // Writes `change` and waits for the write to complete; false once the stream is gone.
  bool Send(const AlertChange& change) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cancelled_) return false;
      pending_ = change;
      writing_ = true;
    }
    StartWrite(&pending_);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !writing_; });
    return !cancelled_;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool writing_ = false;
  bool cancelled_ = false;
  AlertChange pending_;
};

}  // namespace

grpc::ServerWriteReactor<AlertChange>* MappaGrpcService::WatchAlerts(
    grpc::CallbackServerContext* ctx, const safeguard::v1::WatchAlertsRequest* request) {
  absl::StatusOr<CallContext> call = CallerOf(*ctx);
  if (!call.ok()) {
    class Refused final : public grpc::ServerWriteReactor<AlertChange> {
     public:
      explicit Refused(grpc::Status s) { Finish(std::move(s)); }
      void OnDone() override { delete this; }
    };
    return new Refused(ToGrpcStatus(call.status()));
  }
  return new AlertWatch(reads_, std::move(*call), *request);
}

}  // namespace safeguard::mappa
