// The event bus: durable, ordered topics that agency services publish to and mappa-service
// (and auditors) consume from. Two implementations: the embedded RocksDB log (one
// machine, the default) and Kafka (production).
//
// Delivery is at-least-once: a publisher that fails part-way may publish a message again,
// so consumers dedupe (mappa-service by stream and version). Consumers own their
// positions: they store the next offset to read alongside the state it produced, and the
// bus asks them for it when a partition is assigned.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace safeguard {

// Topic names (DESIGN.md §2). Each agency's events are keyed by subject.
inline constexpr char kPoliceTopic[] = "police.events";
inline constexpr char kProbationTopic[] = "probation.events";
inline constexpr char kChildrensTopic[] = "childrens.events";
inline constexpr char kMappaTopic[] = "mappa.events";
inline constexpr char kAuditAccessTopic[] = "audit.access";
// Each log's data keys (common/crypto/sealing.h), keyed by key id: compacted topics, where
// the record that a key was destroyed replaces the key.
inline constexpr char kPoliceKeysTopic[] = "police.keys";
inline constexpr char kProbationKeysTopic[] = "probation.keys";
inline constexpr char kChildrensKeysTopic[] = "childrens.keys";
inline constexpr char kMappaKeysTopic[] = "mappa.keys";

// Whether `topic` is compacted (cleanup.policy=compact on Kafka): a record replaces every
// earlier record with its key, and a reader from the start sees only the latest of each.
bool IsCompactedTopic(absl::string_view topic);

struct BusMessage {
  std::string topic;
  std::string key;    // the subject key: one subject's messages stay in order
  std::string value;  // a serialized EventEnvelope or AccessRecord
  // On a compacted topic: the records this one replaces must be gone from every file of
  // the bus by the time the publish is acknowledged (a destroyed data key's record, whose
  // predecessor carried the key). The embedded bus purges them at once; Kafka's log cleaner
  // does within max.compaction.lag.ms.
  bool purge_replaced = false;
};

struct BusRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  absl::Time appended_at;
};

// The next offset to read for (topic, partition): one past the last record the consumer
// has durably applied, or 0 to start from the beginning.
using PositionLookup =
    std::function<absl::StatusOr<int64_t>(const std::string& topic, int32_t partition)>;

// Where a partition ends: the offset its next record will take.
struct PartitionEnd {
  std::string topic;
  int32_t partition = 0;
  int64_t end = 0;
};

// A subscription to one or more topics. Not thread-safe: one thread polls.
class BusConsumer {
 public:
  virtual ~BusConsumer() = default;

  // The end of each partition this consumer reads, as far as it has learnt without asking
  // the bus again (Kafka tells a consumer with every fetch): what its lag is measured
  // against. A partition whose end it has not learnt yet is left out.
  virtual std::vector<PartitionEnd> Ends() = 0;

  // Returns up to `max` records, waiting up to `timeout` for the first. Records of one
  // partition come in offset order, each exactly once per subscription. An empty result
  // means nothing arrived in time. kUnavailable when the bus cannot be reached.
  virtual absl::StatusOr<std::vector<BusRecord>> Poll(absl::Duration timeout, size_t max) = 0;
};

// Runs once a publish is over: OK when every message is durable on the bus; otherwise
// some may have been appended, and the caller publishes them again.
using PublishDone = std::function<void(absl::Status)>;

class EventBus {
 public:
  virtual ~EventBus() = default;

  // Queues `messages` to be appended; `done` runs once every one of them is durable on
  // the bus, or publishing failed. Concurrent publishes share durable writes (the embedded
  // bus syncs once for everything queued meanwhile; Kafka batches by partition), and no
  // lock is held while they are made durable. `done` runs on the bus's own thread (or,
  // for a publish refused at once, the caller's) and must not block. kInvalidArgument for
  // a message with no topic, and nothing is appended. Thread-safe.
  virtual void PublishAsync(std::vector<BusMessage> messages, PublishDone done) = 0;

  // The blocking form of PublishAsync: returns once it is over. Call only from a thread
  // that may wait (a relay's, a tool's), never from a bus callback. Thread-safe.
  absl::Status Publish(std::vector<BusMessage> messages);

  // Subscribes to `topics` as consumer group `group`, starting each partition at the
  // offset `positions` returns for it. Thread-safe.
  virtual absl::StatusOr<std::unique_ptr<BusConsumer>> Subscribe(
      const std::vector<std::string>& topics, const std::string& group,
      PositionLookup positions) = 0;

  // Calls `visit` with every record of `topic` from its beginning to where it ends now,
  // each partition's in offset order, without joining any consumer group's work or
  // holding the topic in memory: for taking back what a restored store lacks
  // (EventStore::Adopt). The first error `visit` returns ends the read and is returned.
  // kUnimplemented on a bus that cannot. Thread-safe.
  virtual absl::Status ReadWholeTopic(const std::string& topic, const std::function<absl::Status(BusRecord)>& visit) {
    return absl::UnimplementedError(absl::StrCat("this bus cannot read ", topic, " whole"));
  }
};

// kInvalidArgument naming the first message whose topic cannot be a topic's name.
absl::Status CheckMessageTopics(const std::vector<BusMessage>& messages);

}  // namespace safeguard
