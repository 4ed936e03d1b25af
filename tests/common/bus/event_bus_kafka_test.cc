#include "common/bus/event_bus_kafka.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "common/bus/bus_config.h"
#include "common/bus/kafka_mock_cluster.h"
#include "tests/testing/status_matchers.h"

namespace safeguard {
namespace {

using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;

class KafkaEventBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto mock = KafkaMockCluster::Start(3, {"t.events"}, 4);
    ASSERT_THAT(mock, IsOk());
    mock_ = std::move(mock).value();
    KafkaConfig config;
    config.properties["bootstrap.servers"] = mock_->bootstrap_servers();
    config.partitions = 4;
    auto bus = KafkaEventBus::Create(config);
    ASSERT_THAT(bus, IsOk());
    bus_ = std::move(bus).value();
  }

  // Consumes until `n` records arrived (bounded: 30 s; the first group join takes ~3 s).
  std::vector<BusRecord> Consume(PositionLookup positions, size_t n) {
    auto consumer = bus_->Subscribe({"t.events"}, absl::StrCat("group-", ++groups_), positions);
    EXPECT_THAT(consumer, IsOk());
    std::vector<BusRecord> out;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (out.size() < n && absl::Now() < deadline) {
      auto records = (*consumer)->Poll(absl::Milliseconds(200), 100);
      EXPECT_THAT(records, IsOk());
      for (auto& r : *records) out.push_back(std::move(r));
    }
    return out;
  }

  std::unique_ptr<KafkaMockCluster> mock_;
  std::unique_ptr<KafkaEventBus> bus_;
  int groups_ = 0;
};

TEST_F(KafkaEventBusTest, PublishedMessagesArriveKeyedAndInOrderPerKey) {
  std::vector<BusMessage> messages;
  for (int i = 0; i < 40; ++i) {
    messages.push_back({"t.events", absl::StrCat("subject-", i % 5), absl::StrCat(i)});
  }
  ASSERT_THAT(bus_->Publish(messages), IsOk());
  auto records = Consume([](const std::string&, int32_t) -> absl::StatusOr<int64_t> { return 0; }, 40);
  ASSERT_EQ(records.size(), 40u);
  std::map<std::string, int32_t> partition_of;
  std::map<std::string, int> last_value;
  for (const auto& r : records) {
    // One key, one partition; within it, publish order.
    auto [it, fresh] = partition_of.emplace(r.key, r.partition);
    EXPECT_EQ(it->second, r.partition) << r.key;
    int value = std::stoi(r.value);
    if (last_value.contains(r.key)) {
      EXPECT_GT(value, last_value[r.key]) << r.key;
    }
    last_value[r.key] = value;
  }
  EXPECT_EQ(partition_of.size(), 5u);
}

TEST_F(KafkaEventBusTest, ConsumerStartsWhereTheApplicationSays) {
  std::vector<BusMessage> messages;
  for (int i = 0; i < 20; ++i) messages.push_back({"t.events", "one-key", absl::StrCat(i)});
  ASSERT_THAT(bus_->Publish(messages), IsOk());
  // The application has applied the first 15 of that key's partition already.
  int32_t partition = -1;
  auto all = Consume([](const std::string&, int32_t) -> absl::StatusOr<int64_t> { return 0; }, 20);
  ASSERT_EQ(all.size(), 20u);
  partition = all[0].partition;
  auto rest = Consume(
      [partition](const std::string&, int32_t p) -> absl::StatusOr<int64_t> { return p == partition ? 15 : 0; },
      5);
  ASSERT_EQ(rest.size(), 5u);
  EXPECT_EQ(rest[0].offset, 15);
  EXPECT_EQ(rest[0].value, "15");
  EXPECT_EQ(rest[4].value, "19");
}

TEST_F(KafkaEventBusTest, MissingTopicIsReportedByName) {
  EXPECT_THAT(bus_->CheckTopics({"t.events"}, absl::Seconds(10)), IsOk());
  EXPECT_THAT(bus_->CheckTopics({"t.events", "no.such.topic"}, absl::Seconds(10)),
              StatusIs(absl::StatusCode::kFailedPrecondition, "no.such.topic"));
}

TEST(BusConfigTest, ParsesEveryKindOfLine) {
  auto config = ParseBusConfig(R"(
    # production
    bus = kafka
    kafka.bootstrap.servers = k1:9092,k2:9092
    kafka.security.protocol = SASL_SSL
    topic.police = prod.police.events   # renamed
    topic.audit_access = prod.audit.access
    topic.partitions = 24
  )");
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->kind, BusKind::kKafka);
  EXPECT_EQ(config->kafka.properties.at("bootstrap.servers"), "k1:9092,k2:9092");
  EXPECT_EQ(config->kafka.properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(config->topics.police, "prod.police.events");
  EXPECT_EQ(config->topics.audit_access, "prod.audit.access");
  EXPECT_EQ(config->topics.mappa, "mappa.events");
  EXPECT_EQ(config->kafka.partitions, 24);
}

TEST(BusConfigTest, RefusesWhatWouldBreakTheGuaranteesAndNamesTheLine) {
  EXPECT_THAT(ParseBusConfig("bus = kafka\nkafka.enable.idempotence = false"),
              StatusIs(absl::StatusCode::kInvalidArgument, "line 2: kafka.enable.idempotence"));
  EXPECT_THAT(ParseBusConfig("kafka.acks = 1"), StatusIs(absl::StatusCode::kInvalidArgument, "kafka.acks"));
  EXPECT_THAT(ParseBusConfig("kafka.enable.auto.commit = true"),
              StatusIs(absl::StatusCode::kInvalidArgument, "enable.auto.commit"));
  EXPECT_THAT(ParseBusConfig("bus = rabbitmq"), StatusIs(absl::StatusCode::kInvalidArgument, "line 1: bus"));
  EXPECT_THAT(ParseBusConfig("colour = blue"), StatusIs(absl::StatusCode::kInvalidArgument, "unknown key"));
  EXPECT_THAT(ParseBusConfig("topic.partitions = none"),
              StatusIs(absl::StatusCode::kInvalidArgument, "topic.partitions"));
  EXPECT_THAT(ParseBusConfig("just words"), StatusIs(absl::StatusCode::kInvalidArgument, "line 1"));
}

TEST(BusConfigTest, UnknownLibrdkafkaPropertyIsRefusedWhenTheBusIsCreated) {
  KafkaConfig config;
  config.properties["bootstrap.servers"] = "127.0.0.1:1";
  config.properties["no.such.property"] = "x";
  EXPECT_THAT(KafkaEventBus::Create(config),
              StatusIs(absl::StatusCode::kInvalidArgument, "kafka.no.such.property"));
}

}  // namespace
}  // namespace safeguard
