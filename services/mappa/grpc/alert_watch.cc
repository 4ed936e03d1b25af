#include "services/mappa/grpc/alert_watch.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/grpc/status_mapping.h"
#include "common/logging.h"
#include "common/security/access_policy.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"

namespace safeguard::mappa {

namespace v1 = safeguard::v1;

AlertWatch::AlertWatch(AlertReads* reads, AlertFeed* feed, WatchLimits* limits, const security::LivePolicy* policy,
                       std::string caller_key, CallContext call, v1::Purpose purpose,
                       AlertReads::WatchPosition start)
    : reads_(reads),
      feed_(feed),
      limits_(limits),
      policy_(policy),
      caller_key_(std::move(caller_key)),
      call_(std::move(call)),
      purpose_(std::move(purpose)),
      at_(std::move(start)) {
  std::lock_guard<std::mutex> lock(mu_);
  ++outstanding_;
  feed_->Post([this] { Step(); });
}

void AlertWatch::Step() {
  std::unique_lock<std::mutex> lock(mu_);
  wake_ = 0;
  if (cancelled_) {
    --outstanding_;
    const Next next = FinishIfIdleLocked();
    lock.unlock();
    return Do(next);
  }
  const AlertReads::WatchPosition at = at_;
  // This step stays outstanding while it works unlocked, so that a cancel meanwhile
  // cannot finish (and delete) the watch under it.
  lock.unlock();
  const uint64_t generation = policy_->generation();
  const absl::Status allowed = Allowed();
  absl::StatusOr<AlertReads::WatchStep> step =
      allowed.ok() ? reads_->NextForWatch(at, kStep) : absl::StatusOr<AlertReads::WatchStep>(allowed);
  lock.lock();
  --outstanding_;
  checked_generation_ = generation;
  if (!step.ok() || cancelled_) {
    if (!step.ok()) end_ = ToGrpcStatus(step.status());
    const Next next = FinishIfIdleLocked();
    lock.unlock();
    return Do(next);
  }
  if (step->changes.empty()) {
    at_ = step->next;
    ++outstanding_;
    wake_ = feed_->WakeAfter(at_.after, [this] { Step(); });
    return;
  }
  ++outstanding_;
  lock.unlock();
  reads_->access()->Record(call_, purpose_, {std::move(step->consulted)},
                           [this, changes = std::move(step->changes), next = step->next](absl::Status st) mutable {
                             Recorded(std::move(st), std::move(changes), std::move(next));
                           });
}

absl::Status AlertWatch::Allowed() const {
  const v1::Actor& actor = call_.actor;
  const security::Caller person{security::AgencyName(actor.agency()), actor.role(), actor.user(),
                                actor.certificate_sha256()};
  // A watch opened through the console is judged as the console acting for the person:
  // either's certificate revoked, or the console no longer allowed to act for the role,
  // ends it.
  absl::Status allowed =
      actor.has_via()
          ? policy_->AuthorizeFor(security::Caller{security::AgencyName(actor.via().agency()), actor.via().role(),
                                                   actor.via().user(), actor.via().certificate_sha256()},
                                  person, Method())
          : policy_->Authorize(person, Method());
  if (!allowed.ok()) {
    logging::Warning(absl::StrCat("access refused: an alert watch of ", security::AgencyName(actor.agency()), "/",
                                  actor.role(), " (certificate ", actor.certificate_sha256().substr(0, 16),
                                  ") ends: ", allowed.message()));
  }
  return allowed;
}

const std::string& AlertWatch::Method() {
  static const std::string* method = new std::string(absl::StrCat("/", v1::MappaService::service_full_name(), "/WatchAlerts"));
  return *method;
}

void AlertWatch::Recorded(absl::Status recorded, std::vector<v1::AlertChange> changes,
                          AlertReads::WatchPosition next) {
  Next action;
  {
    std::lock_guard<std::mutex> lock(mu_);
    --outstanding_;
    if (!recorded.ok()) {
      end_ = ToGrpcStatus(recorded);  // nothing is sent that could not be recorded
    } else if (!cancelled_) {
      at_ = std::move(next);
      for (v1::AlertChange& c : changes) queue_.push_back(std::move(c));
    }
    action = (!recorded.ok() || cancelled_) ? FinishIfIdleLocked() : SendNextLocked();
  }
  Do(action);
}

void AlertWatch::OnWriteDone(bool ok) {
  Next action;
  {
    std::lock_guard<std::mutex> lock(mu_);
    --outstanding_;
    if (!ok) cancelled_ = true;  // the stream is gone
    action = cancelled_ ? FinishIfIdleLocked() : SendNextLocked();
  }
  Do(action);
}

void AlertWatch::OnCancel() {
  Next action;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    if (wake_ != 0 && feed_->Cancel(wake_)) {
      wake_ = 0;
      --outstanding_;
    }
    action = FinishIfIdleLocked();
  }
  Do(action);
}

void AlertWatch::OnDone() {
  limits_->Release(caller_key_);
  delete this;
}

AlertWatch::Next AlertWatch::SendNextLocked() {
  // The policy changed since this watch last asked: ask again before anything more is
  // written, so that a revoked caller gets nothing of what is already queued.
  if (const uint64_t generation = policy_->generation(); generation != checked_generation_) {
    checked_generation_ = generation;
    if (absl::Status allowed = Allowed(); !allowed.ok()) {
      end_ = ToGrpcStatus(allowed);
      queue_.clear();
      return FinishIfIdleLocked();
    }
  }
  if (queue_.empty()) {
    ++outstanding_;
    feed_->Post([this] { Step(); });
    return Next::kNothing;
  }
  writing_ = std::move(queue_.front());
  queue_.pop_front();
  ++outstanding_;
  return Next::kWrite;
}

AlertWatch::Next AlertWatch::FinishIfIdleLocked() {
  if (finished_ || outstanding_ > 0) return Next::kNothing;  // the outstanding work ends it
  finished_ = true;
  return Next::kFinish;
}

void AlertWatch::Do(Next next) {
  switch (next) {
    case Next::kNothing:
      return;
    case Next::kWrite:
      StartWrite(&writing_);
      return;
    case Next::kFinish: {
      grpc::Status status;
      {
        std::lock_guard<std::mutex> lock(mu_);
        status = end_.value_or(grpc::Status(grpc::StatusCode::CANCELLED, "the watch was cancelled"));
      }
      Finish(status);  // the last touch of `this`: OnDone may follow at once
      return;
    }
  }
}

}  // namespace safeguard::mappa
