// The production event bus: Kafka through librdkafka.
//
// Publishing uses an idempotent producer (enable.idempotence=true, acks=all), keyed by
// subject with Java-compatible murmur2 partitioning so that each subject's events stay in
// order on one partition. A publish is over when every message's delivery report has
// come back: OK means the brokers acknowledged every message with all in-sync replicas.
// The reports are served by the bus's own thread, which runs the publishes' callbacks; no
// lock is held while a publish waits for them, so concurrent publishes (outbox relays,
// access records) share librdkafka's batches. A fatal producer error (the idempotence
// guarantees broke) fails what is outstanding and replaces the producer; the callers'
// retries then go through the new one.
//
// Consuming uses a consumer group with Kafka's committed offsets switched off: on every
// partition assignment the consumer asks the application for its stored position (the
// one it wrote with its state) and starts there.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

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
  // Waits up to 5 s for outstanding messages; those still undelivered fail.
  ~KafkaEventBus() override;

  void PublishAsync(std::vector<BusMessage> messages, PublishDone done) override;
  absl::StatusOr<std::unique_ptr<BusConsumer>> Subscribe(const std::vector<std::string>& topics,
                                                         const std::string& group,
                                                         PositionLookup positions) override;

  // Checks, through cluster metadata, that every topic exists; kFailedPrecondition names
  // a missing one. A partition count other than config.partitions is logged, not refused
  // (it only changes which partition a subject lives on for new topics).
  absl::Status CheckTopics(const std::vector<std::string>& topics, absl::Duration timeout);

  // Reads under the group id "safeguard-restore" (the service's Kafka user needs Read on
  // it and on its own topic: docs/deploy.md).
  absl::Status ReadWholeTopic(const std::string& topic,
                              const std::function<absl::Status(BusRecord)>& visit) override;

 private:
  explicit KafkaEventBus(KafkaConfig config);
  absl::StatusOr<std::shared_ptr<RdKafka::Producer>> NewProducer();
  std::shared_ptr<RdKafka::Producer> producer() const;
  // Serves delivery reports, and replaces the producer after a fatal error.
  void PollLoop();
  // Fails whatever `producer` still holds and serves those reports.
  void Drain(RdKafka::Producer& producer);

  const KafkaConfig config_;
  std::unique_ptr<class DeliveryReports> reports_;
  mutable std::mutex mu_;                       // guards producer_ (never held for I/O)
  std::shared_ptr<RdKafka::Producer> producer_;
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

// Reports how far a read has got: records read, of how many.
using ReadProgress = std::function<void(uint64_t done, uint64_t total)>;

// Calls `visit` with every record of `topic` on `config`'s cluster, from the start of
// each partition to its end when the read began, each partition's in offset order. It
// joins no consumer group's work (its partitions are assigned, under group id `group`,
// for the brokers' ACLs only, with nothing committed) and changes nothing on the cluster.
// kFailedPrecondition when the topic does not exist, or when records the read began with
// are deleted under it (retention): never a topic silently cut short; kUnavailable when
// the cluster cannot be reached or a partition stops yielding records for `stall` before
// its end; the first error `visit` returns.
absl::Status ReadWholeTopic(const KafkaConfig& config, const std::string& topic, const std::string& group,
                            const std::function<absl::Status(BusRecord)>& visit,
                            const ReadProgress& progress = nullptr, absl::Duration stall = absl::Seconds(60));

}  // namespace safeguard
