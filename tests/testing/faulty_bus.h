// Wraps a real EventBus and injects the faults a network bus can show: a publish that
// fails outright, and a publish whose acknowledgement is lost after the bus stored it.
#pragma once

#include <atomic>

#include "common/bus/event_bus.h"

namespace safeguard::testing {

class FaultyBus : public EventBus {
 public:
  explicit FaultyBus(EventBus* real) : real_(real) {}

  void FailNextPublishes(int n) { fail_ = n; }
  void LoseNextAcknowledgements(int n) { lose_ack_ = n; }

  void PublishAsync(std::vector<BusMessage> messages, PublishDone done) override {
    if (fail_ > 0) {
      --fail_;
      return done(absl::UnavailableError("injected: bus unreachable"));
    }
    real_->PublishAsync(std::move(messages), [this, done = std::move(done)](absl::Status st) {
      if (st.ok() && lose_ack_ > 0) {
        --lose_ack_;
        st = absl::UnavailableError("injected: acknowledgement lost");
      }
      done(std::move(st));
    });
  }

  absl::StatusOr<std::unique_ptr<BusConsumer>> Subscribe(const std::vector<std::string>& topics,
                                                         const std::string& group,
                                                         PositionLookup positions) override {
    return real_->Subscribe(topics, group, std::move(positions));
  }

 private:
  EventBus* real_;
  std::atomic<int> fail_{0};
  std::atomic<int> lose_ack_{0};
};

}  // namespace safeguard::testing
