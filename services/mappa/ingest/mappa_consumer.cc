#include "services/mappa/ingest/mappa_consumer.h"

#include <iostream>

#include "services/mappa/ingest/stream_sequencer.h"

namespace safeguard::mappa {

inline constexpr char kConsumerGroup[] = "mappa-service";

MappaConsumer::MappaConsumer(EventBus* bus, MappaState* state, Projector* projector, std::vector<std::string> topics,
                             Clock clock)
    : bus_(bus), state_(state), projector_(projector), topics_(std::move(topics)), clock_(std::move(clock)) {}

MappaConsumer::~MappaConsumer() { Stop(); }

void MappaConsumer::Start() {
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void MappaConsumer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

bool MappaConsumer::ReevaluateSome() {
  if (clock_() < next_reevaluation_) return false;
  absl::StatusOr<bool> more = projector_->ReevaluateAlerts(kReevaluationChunk);
  if (!more.ok()) {
    // Not again for a while: on a full disk every attempt judges a chunk of people for
    // nothing, and says so.
    reevaluation_backoff_ = std::min(std::max(reevaluation_backoff_ * 2, absl::Seconds(1)), absl::Minutes(1));
    next_reevaluation_ = clock_() + reevaluation_backoff_;
    std::cerr << "mappa consumer: re-evaluating alerts failed (will retry in " << reevaluation_backoff_
              << "): " << more.status() << std::endl;
    return false;
  }
  reevaluation_backoff_ = absl::ZeroDuration();
  return *more;
}

void MappaConsumer::Loop() {
  absl::Duration backoff = absl::Milliseconds(50);
  auto pause = [&] {
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  };
  while (!stopping_) {
    absl::StatusOr<std::unique_ptr<BusConsumer>> consumer = bus_->Subscribe(
        topics_, kConsumerGroup, [this](const std::string& topic, int32_t partition) {
          return StreamSequencer::Position(state_->Read(), topic, partition);
        });
    if (!consumer.ok()) {
      std::cerr << "mappa consumer: subscribe failed: " << consumer.status() << std::endl;
      pause();
      continue;
    }
    while (!stopping_) {
      const bool reevaluating = ReevaluateSome();
      // While a re-evaluation is under way the poll does not wait: both go on together.
      absl::StatusOr<std::vector<BusRecord>> records =
          (*consumer)->Poll(reevaluating ? absl::ZeroDuration() : absl::Milliseconds(100), kMaxBatch);
      if (!records.ok()) {
        std::cerr << "mappa consumer: poll failed: " << records.status() << std::endl;
        break;
      }
      if (records->empty()) continue;
      absl::StatusOr<ApplyStats> stats = projector_->Apply(*records);
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
