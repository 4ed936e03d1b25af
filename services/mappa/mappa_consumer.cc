#include "services/mappa/mappa_consumer.h"

#include <iostream>

namespace safeguard::mappa {

inline constexpr char kConsumerGroup[] = "mappa-service";

MappaConsumer::MappaConsumer(EventBus* bus, RiskViewStore* store, std::vector<std::string> topics,
                             Clock clock)
    : bus_(bus), store_(store), topics_(std::move(topics)), clock_(std::move(clock)) {}

MappaConsumer::~MappaConsumer() { Stop(); }

void MappaConsumer::Start() {
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void MappaConsumer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void MappaConsumer::ReevaluateIfNewDay() {
  const absl::CivilDay today = DayOf(clock_());
  if (evaluated_day_ == today) return;
  if (absl::Status st = store_->ReevaluateAllAlerts(); !st.ok()) {
    std::cerr << "mappa consumer: re-evaluating alerts failed (will retry): " << st << std::endl;
    return;
  }
  evaluated_day_ = today;
}

void MappaConsumer::Loop() {
  absl::Duration backoff = absl::Milliseconds(50);
  auto pause = [&] {
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  };
  while (!stopping_) {
    absl::StatusOr<std::unique_ptr<BusConsumer>> consumer = bus_->Subscribe(
        topics_, kConsumerGroup,
        [this](const std::string& topic, int32_t partition) { return store_->Position(topic, partition); });
    if (!consumer.ok()) {
      std::cerr << "mappa consumer: subscribe failed: " << consumer.status() << std::endl;
      pause();
      continue;
    }
    while (!stopping_) {
      ReevaluateIfNewDay();
      absl::StatusOr<std::vector<BusRecord>> records =
          (*consumer)->Poll(absl::Milliseconds(100), 1000);
      if (!records.ok()) {
        std::cerr << "mappa consumer: poll failed: " << records.status() << std::endl;
        break;
      }
      if (records->empty()) continue;
      absl::StatusOr<ApplyStats> stats = store_->ApplyRecords(*records);
      if (!stats.ok()) {
        std::cerr << "mappa consumer: apply failed: " << stats.status() << std::endl;
        break;
      }
      backoff = absl::Milliseconds(50);
    }
    if (!stopping_) pause();
  }
}

}  // namespace safeguard::mappa
