#include "common/bus/event_bus_kafka.h"

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/status_macros.h"

namespace safeguard {
namespace {

// One publish's messages: counts down as their delivery reports arrive, and runs the
// publish's callback (then deletes itself) with the last. Each message holds one count,
// and the publish holds one while it is producing, so the callback cannot run early.
class PendingBatch {
 public:
  explicit PendingBatch(PublishDone done) : done_(std::move(done)) {}

  void Hold() { outstanding_.fetch_add(1); }
  void Fail(absl::Status st) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_error_.ok()) first_error_ = std::move(st);
  }
  // Drops one count; the last runs the callback and deletes this.
  void Release() {
    if (outstanding_.fetch_sub(1) != 1) return;
    absl::Status st;
    {
      std::lock_guard<std::mutex> lock(mu_);
      st = first_error_;
    }
    PublishDone done = std::move(done_);
    delete this;
    done(std::move(st));
  }

 private:
  PublishDone done_;
  std::atomic<int> outstanding_{1};
  std::mutex mu_;
  absl::Status first_error_;  // guarded by mu_
};

absl::Status FromKafka(RdKafka::ErrorCode code, const std::string& what) {
  if (code == RdKafka::ERR_NO_ERROR) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", RdKafka::err2str(code));
  switch (code) {
    case RdKafka::ERR__INVALID_ARG:
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:
    case RdKafka::ERR_INVALID_MSG_SIZE:
      return absl::InvalidArgumentError(message);
    case RdKafka::ERR__UNKNOWN_TOPIC:
    case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
    case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
    case RdKafka::ERR_CLUSTER_AUTHORIZATION_FAILED:
      return absl::FailedPreconditionError(message);
    default:
      // Timeouts, transport failures, leaders moving, brokers down: retry the call.
      return absl::UnavailableError(message);
  }
}

// Defaults chosen for Safeguard, which the config file may override:
// - a publish gives up after 30 s (librdkafka's default is 5 minutes), so that a read whose
//   access record cannot be written fails promptly instead of hanging; the outbox relay
//   simply tries again;
// - a consumer that died is noticed after 10 s (default 45 s), so that a restarted
//   mappa-service gets its partitions back quickly.
const std::map<std::string, std::string>& SafeguardDefaults() {
  static const auto* defaults = new std::map<std::string, std::string>{
      {"delivery.timeout.ms", "30000"},
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "1000"},
  };
  return *defaults;
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeConf(
    const std::map<std::string, std::string>& properties,
    const std::map<std::string, std::string>& fixed, bool producer) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  std::map<std::string, std::string> defaults;
  for (const auto& [key, value] : SafeguardDefaults()) {
    const bool consumer_only = key == "session.timeout.ms" || key == "heartbeat.interval.ms";
    if (consumer_only != producer) defaults[key] = value;
  }
  const std::map<std::string, std::string>& chosen_defaults = defaults;
  for (const auto* set : {&chosen_defaults, &properties, &fixed}) {
    for (const auto& [key, value] : *set) {
      if (conf->set(key, value, err) != RdKafka::Conf::CONF_OK) {
        return absl::InvalidArgumentError(absl::StrCat("kafka.", key, ": ", err));
      }
    }
  }
  return conf;
}

class LogEvents : public RdKafka::EventCb {
 public:
  explicit LogEvents(std::string who) : who_(std::move(who)) {}
  void event_cb(RdKafka::Event& event) override {
    if (event.type() == RdKafka::Event::EVENT_ERROR || event.type() == RdKafka::Event::EVENT_LOG) {
      if (event.type() == RdKafka::Event::EVENT_LOG && event.severity() > RdKafka::Event::EVENT_SEVERITY_WARNING) {
        return;
      }
      logging::Warning(absl::StrCat(who_, " kafka: ", RdKafka::err2str(event.err()), " ", event.str()));
    }
  }

 private:
  std::string who_;
};

}  // namespace

class DeliveryReports : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    auto* batch = static_cast<PendingBatch*>(message.msg_opaque());
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      batch->Fail(FromKafka(message.err(), absl::StrCat("delivery to ", message.topic_name())));
    }
    batch->Release();
  }
  LogEvents log{"producer"};
};

namespace {

class KafkaConsumer : public BusConsumer, public RdKafka::RebalanceCb {
 public:
  explicit KafkaConsumer(PositionLookup positions) : positions_(std::move(positions)) {}
  ~KafkaConsumer() override {
    if (consumer_) consumer_->close();
  }

  absl::Status Start(const KafkaConfig& config, const std::vector<std::string>& topics,
                     const std::string& group) {
    ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf,
                     MakeConf(config.properties, {{"group.id", group},
                                                  {"enable.auto.commit", "false"},
                                                  {"enable.auto.offset.store", "false"},
                                                  {"auto.offset.reset", "earliest"},
                                                  {"enable.partition.eof", "false"}},
                              /*producer=*/false));
    std::string err;
    if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this), err) != RdKafka::Conf::CONF_OK ||
        conf->set("event_cb", static_cast<RdKafka::EventCb*>(&log_), err) != RdKafka::Conf::CONF_OK) {
      return absl::InternalError(err);
    }
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer_) return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", err));
    return FromKafka(consumer_->subscribe(topics), "subscribe");
  }

  absl::StatusOr<std::vector<BusRecord>> Poll(absl::Duration timeout, size_t max) override {
    std::vector<BusRecord> out;
    int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
    while (out.size() < max) {
      std::unique_ptr<RdKafka::Message> msg(consumer_->consume(wait_ms));
      wait_ms = 0;  // after the first, take only what is already here
      RETURN_IF_ERROR(rebalance_error_);
      if (msg->err() == RdKafka::ERR__TIMED_OUT) break;
      if (msg->err() == RdKafka::ERR__FATAL) return FromKafka(msg->err(), "consume");
      if (msg->err() != RdKafka::ERR_NO_ERROR) {
        // Transport trouble, a broker away: librdkafka keeps retrying by itself.
        logging::Warning(absl::StrCat("consumer kafka: ", msg->errstr()));
        break;
      }
      BusRecord r;
      r.topic = msg->topic_name();
      r.partition = msg->partition();
      r.offset = msg->offset();
      if (msg->key() != nullptr) r.key = *msg->key();
      r.value.assign(static_cast<const char*>(msg->payload()), msg->len());
      r.appended_at = absl::FromUnixMillis(msg->timestamp().timestamp);
      out.push_back(std::move(r));
    }
    return out;
  }

  std::vector<PartitionEnd> Ends() override {
    std::vector<PartitionEnd> ends;
    std::vector<RdKafka::TopicPartition*> assigned;
    if (consumer_->assignment(assigned) != RdKafka::ERR_NO_ERROR) return ends;
    for (RdKafka::TopicPartition* p : assigned) {
      int64_t low = 0, high = 0;
      // The high watermark the last fetch response carried; no request to a broker.
      if (consumer_->get_watermark_offsets(p->topic(), p->partition(), &low, &high) == RdKafka::ERR_NO_ERROR &&
          high >= 0) {
        ends.push_back({p->topic(), p->partition(), high});
      }
    }
    RdKafka::TopicPartition::destroy(assigned);
    return ends;
  }

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      // Start every assigned partition where our own stored state ends.
      for (RdKafka::TopicPartition* p : partitions) {
        absl::StatusOr<int64_t> next = positions_(p->topic(), p->partition());
        if (!next.ok()) {
          rebalance_error_ = next.status();
          return;
        }
        p->set_offset(*next);
      }
      consumer->assign(partitions);
    } else {
      consumer->unassign();
    }
  }

 private:
  PositionLookup positions_;
  absl::Status rebalance_error_;
  LogEvents log_{"consumer"};
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
};

}  // namespace

KafkaEventBus::KafkaEventBus(KafkaConfig config)
    : config_(std::move(config)), reports_(std::make_unique<DeliveryReports>()) {}

KafkaEventBus::~KafkaEventBus() {
  stopping_ = true;
  if (poller_.joinable()) poller_.join();
  if (std::shared_ptr<RdKafka::Producer> p = producer()) {
    p->flush(5000);
    Drain(*p);
  }
}

absl::StatusOr<std::unique_ptr<KafkaEventBus>> KafkaEventBus::Create(KafkaConfig config) {
  std::unique_ptr<KafkaEventBus> bus(new KafkaEventBus(std::move(config)));
  ASSIGN_OR_RETURN(bus->producer_, bus->NewProducer());
  bus->poller_ = std::thread([b = bus.get()] { b->PollLoop(); });
  return bus;
}

absl::StatusOr<std::shared_ptr<RdKafka::Producer>> KafkaEventBus::NewProducer() {
  ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf,
                   MakeConf(config_.properties, {{"enable.idempotence", "true"},
                                                 {"acks", "all"},
                                                 {"partitioner", "murmur2_random"}},
                            /*producer=*/true));
  std::string err;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(reports_.get()), err) != RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(&reports_->log), err) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(err);
  }
  std::shared_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) return absl::InvalidArgumentError(absl::StrCat("kafka producer: ", err));
  return producer;
}

std::shared_ptr<RdKafka::Producer> KafkaEventBus::producer() const {
  std::lock_guard<std::mutex> lock(mu_);
  return producer_;
}

void KafkaEventBus::Drain(RdKafka::Producer& producer) {
  // Purged messages get delivery reports (ERR__PURGE_*), which fail their publishes.
  producer.purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  for (int i = 0; i < 100 && producer.outq_len() > 0; ++i) producer.poll(10);
}

void KafkaEventBus::PollLoop() {
  while (!stopping_) {
    std::shared_ptr<RdKafka::Producer> p = producer();
    p->poll(50);
    std::string reason;
    if (p->fatal_error(reason) == RdKafka::ERR_NO_ERROR) continue;
    logging::Warning(absl::StrCat("producer kafka: fatal error, replacing the producer: ", reason));
    absl::StatusOr<std::shared_ptr<RdKafka::Producer>> replacement = NewProducer();
    if (!replacement.ok()) {
      logging::Warning(absl::StrCat("producer kafka: cannot replace the producer: ", replacement.status().ToString()));
      absl::SleepFor(absl::Seconds(1));
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      producer_ = *replacement;
    }
    Drain(*p);  // publishes still in the broken producer fail; their callers retry
  }
}

void KafkaEventBus::PublishAsync(std::vector<BusMessage> messages, PublishDone done) {
  if (messages.empty()) return done(absl::OkStatus());
  if (absl::Status st = CheckMessageTopics(messages); !st.ok()) return done(st);
  std::shared_ptr<RdKafka::Producer> p = producer();
  auto* batch = new PendingBatch(std::move(done));
  for (const BusMessage& m : messages) {
    batch->Hold();
    RdKafka::ErrorCode err = p->produce(
        m.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(m.value.data()), m.value.size(), m.key.data(), m.key.size(), 0, batch);
    if (err != RdKafka::ERR_NO_ERROR) {
      // A full local queue is back-pressure: the publish fails at once rather than wait
      // on the caller's thread; the outbox relay retries, a read answers kUnavailable.
      batch->Fail(FromKafka(err, absl::StrCat("produce to ", m.topic)));
      batch->Release();
      break;
    }
  }
  batch->Release();  // the publish's own count
}

absl::StatusOr<std::unique_ptr<BusConsumer>> KafkaEventBus::Subscribe(
    const std::vector<std::string>& topics, const std::string& group, PositionLookup positions) {
  if (topics.empty()) return absl::InvalidArgumentError("subscribe: no topics");
  auto consumer = std::make_unique<KafkaConsumer>(std::move(positions));
  RETURN_IF_ERROR(consumer->Start(config_, topics, group));
  return std::unique_ptr<BusConsumer>(std::move(consumer));
}

absl::Status ReadWholeTopic(const KafkaConfig& config, const std::string& topic, const std::string& group,
                            const std::function<absl::Status(BusRecord)>& visit, const ReadProgress& progress,
                            absl::Duration stall) {
  LogEvents log("auditor's reader");
  ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf,
                   // The partitions are assigned, not subscribed: no group membership, no
                   // rebalance, nothing committed; the id is for the brokers' ACLs only.
                   // An offset gone (retention) is an error, not a jump to the end.
                   MakeConf(config.properties, {{"group.id", group},
                                                {"auto.offset.reset", "error"},
                                                {"enable.auto.commit", "false"},
                                                {"enable.auto.offset.store", "false"},
                                                {"enable.partition.eof", "true"}},
                            /*producer=*/false));
  std::string err;
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&log), err) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(err);
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", err));
  const int timeout_ms = 30000;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, err));
  if (!handle) return absl::InvalidArgumentError(absl::StrCat("topic ", topic, ": ", err));
  RdKafka::Metadata* raw = nullptr;
  RETURN_IF_ERROR(FromKafka(consumer->metadata(false, handle.get(), &raw, timeout_ms), "read cluster metadata"));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  const RdKafka::TopicMetadata* found = nullptr;
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
    if (t->topic() == topic && t->err() == RdKafka::ERR_NO_ERROR) found = t;
  }
  if (found == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("topic '", topic, "' does not exist on the cluster"));
  }
  // Where each partition ends now: the read stops there.
  std::map<int32_t, int64_t> ends;
  std::vector<RdKafka::TopicPartition*> assigned;
  uint64_t total = 0;
  for (const RdKafka::PartitionMetadata* p : *found->partitions()) {
    int64_t low = 0, high = 0;
    RETURN_IF_ERROR(FromKafka(consumer->query_watermark_offsets(topic, p->id(), &low, &high, timeout_ms),
                              absl::StrCat("where ", topic, "/", p->id(), " ends")));
    if (high <= low) continue;
    ends[p->id()] = high;
    total += static_cast<uint64_t>(high - low);
    assigned.push_back(RdKafka::TopicPartition::create(topic, p->id(), low));
  }
  if (!assigned.empty()) {
    const RdKafka::ErrorCode assign = consumer->assign(assigned);
    RdKafka::TopicPartition::destroy(assigned);
    RETURN_IF_ERROR(FromKafka(assign, "assign the topic's partitions"));
  }
  uint64_t done = 0;
  absl::Time last_record = absl::Now();
  while (!ends.empty()) {
    std::unique_ptr<RdKafka::Message> msg(consumer->consume(200));
    if (msg->err() == RdKafka::ERR_NO_ERROR) {
      last_record = absl::Now();
      const int32_t partition = msg->partition();
      auto end = ends.find(partition);
      if (end == ends.end() || msg->offset() >= end->second) continue;  // appended after the read began
      BusRecord r;
      r.topic = msg->topic_name();
      r.partition = partition;
      r.offset = msg->offset();
      if (msg->key() != nullptr) r.key = *msg->key();
      r.value.assign(static_cast<const char*>(msg->payload()), msg->len());
      r.appended_at = absl::FromUnixMillis(msg->timestamp().timestamp);
      RETURN_IF_ERROR(visit(std::move(r)));
      if (progress) progress(++done, total);
      if (msg->offset() + 1 >= end->second) ends.erase(end);
      continue;
    }
    if (msg->err() == RdKafka::ERR__PARTITION_EOF) {
      // At the end of what the partition holds: records after the read began are not read.
      if (auto end = ends.find(msg->partition()); end != ends.end() && msg->offset() >= end->second) ends.erase(end);
      continue;
    }
    if (msg->err() == RdKafka::ERR__FATAL) return FromKafka(msg->err(), "consume");
    if (msg->err() == RdKafka::ERR__AUTO_OFFSET_RESET || msg->err() == RdKafka::ERR_OFFSET_OUT_OF_RANGE) {
      return absl::FailedPreconditionError(absl::StrCat("reading ", topic, ": records were deleted under the read ",
                                                        "(retention?): ", msg->errstr()));
    }
    if (absl::Now() - last_record > stall) {
      return absl::UnavailableError(absl::StrCat("reading ", topic, ": no record for ", absl::FormatDuration(stall),
                                                 " before the end of ", ends.size(),
                                                 " partition(s) (last error: ", msg->errstr(), ")"));
    }
  }
  consumer->close();
  return absl::OkStatus();
}

absl::Status KafkaEventBus::ReadWholeTopic(const std::string& topic,
                                           const std::function<absl::Status(BusRecord)>& visit) {
  return safeguard::ReadWholeTopic(config_, topic, "safeguard-restore", visit);
}

absl::Status KafkaEventBus::CheckTopics(const std::vector<std::string>& topics,
                                        absl::Duration timeout) {
  RdKafka::Metadata* raw = nullptr;
  RETURN_IF_ERROR(FromKafka(
      producer()->metadata(true, nullptr, &raw, static_cast<int>(absl::ToInt64Milliseconds(timeout))),
      "read cluster metadata"));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  for (const std::string& topic : topics) {
    const RdKafka::TopicMetadata* found = nullptr;
    for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
      if (t->topic() == topic && t->err() == RdKafka::ERR_NO_ERROR) found = t;
    }
    if (found == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "topic '", topic, "' does not exist on the cluster; create it first (docs/operations.md)"));
    }
    const int partitions = static_cast<int>(found->partitions()->size());
    if (partitions != config_.partitions) {
      logging::Warning(absl::StrCat("kafka: topic ", topic, " has ", partitions, " partitions; config says ",
                                    config_.partitions));
    }
  }
  return absl::OkStatus();
}

}  // namespace safeguard
