// Feeds the bus into the RiskViewStore: subscribes from the positions the store holds,
// applies each polled batch in one write, and on any error re-subscribes from the stored
// positions (so a half-seen batch is simply read again).
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/bus/event_bus.h"
#include "services/mappa/risk_view_store.h"

namespace safeguard::mappa {

class MappaConsumer {
 public:
  // `bus` and `store` must outlive the consumer.
  MappaConsumer(EventBus* bus, RiskViewStore* store, std::vector<std::string> topics);
  ~MappaConsumer();

  void Start();
  void Stop();

 private:
  void Loop();

  EventBus* const bus_;
  RiskViewStore* const store_;
  const std::vector<std::string> topics_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace safeguard::mappa
