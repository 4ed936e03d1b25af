// Feeds the bus into the RiskViewStore: subscribes from the positions the store holds,
// applies each polled batch in one write, and on any error re-subscribes from the stored
// positions (so a half-seen batch is simply read again). It also re-evaluates every
// person's alerts when it starts and whenever the day changes, because time alone raises
// and clears some (a notification falls due, an order expires).
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/bus/event_bus.h"
#include "common/time_util.h"
#include "services/mappa/risk_view_store.h"

namespace safeguard::mappa {

class MappaConsumer {
 public:
  // `bus` and `store` must outlive the consumer.
  MappaConsumer(EventBus* bus, RiskViewStore* store, std::vector<std::string> topics,
                Clock clock = SystemClock());
  ~MappaConsumer();

  void Start();
  void Stop();

 private:
  void Loop();
  // Re-evaluates every alert if the day has changed since it last did.
  void ReevaluateIfNewDay();

  EventBus* const bus_;
  RiskViewStore* const store_;
  const std::vector<std::string> topics_;
  const Clock clock_;
  std::optional<absl::CivilDay> evaluated_day_;  // consumer thread only
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace safeguard::mappa
