// The production event bus: Kafka through librdkafka.
//
// Publishing uses an idempotent producer (enable.idempotence=true, acks=all), keyed by
// subject with Java-compatible murmur2 partitioning so that each subject's events stay in
// order on one partition. Publish returns only after every message's delivery report
// has come back: OK means the brokers acknowledged every message with all in-sync
// replicas. A fatal producer error (the idempotence guarantees broke) replaces the
// producer; the caller's retry then goes through the new one.
//
// Consuming uses a consumer group with Kafka's committed offsets switched off: on every
// partition assignment the consumer asks the application for its stored position (the
// one it wrote with its state) and starts there.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "common/bus/bus_config.h"
#include "common/bus/event_bus.h"

namespace RdKafka {
class Producer;
}

namespace safeguard {

class KafkaEventBus : public EventBus {
 public:
  // kInvalidArgument names a property librdkafka refuses.
  static absl::StatusOr<std::unique_ptr<KafkaEventBus>> Create(KafkaConfig config);
  ~KafkaEventBus() override;

  absl::Status Publish(const std::vector<BusMessage>& messages) override;
  absl::StatusOr<std::unique_ptr<BusConsumer>> Subscribe(const std::vector<std::string>& topics,
                                                         const std::string& group,
                                                         PositionLookup positions) override;

  // Checks, through cluster metadata, that every topic exists; kFailedPrecondition names
  // a missing one. A partition count other than config.partitions is logged, not refused
  // (it only changes which partition a subject lives on for new topics).
  absl::Status CheckTopics(const std::vector<std::string>& topics, absl::Duration timeout);

 private:
  explicit KafkaEventBus(KafkaConfig config);
  absl::Status RecreateProducer();

  const KafkaConfig config_;
  std::mutex mu_;  // one Publish at a time; guards producer_
  std::unique_ptr<RdKafka::Producer> producer_;
  std::unique_ptr<class DeliveryReports> reports_;
};

}  // namespace safeguard
