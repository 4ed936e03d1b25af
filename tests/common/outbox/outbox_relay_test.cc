#include "common/outbox/outbox_relay.h"

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/bus/event_bus_rocksdb.h"
#include "tests/testing/faulty_bus.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using safeguard::testing::FaultyBus;
using safeguard::testing::IsOk;
using safeguard::testing::TempDir;
using ::testing::SizeIs;

class OutboxRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = EventStore::Open(EventStore::Options{.path = dir_.Sub("store"), .keys = testing::TestKeys()});
    ASSERT_THAT(store, IsOk());
    store_ = std::move(store).value();
    auto bus = RocksDbEventBus::Open(dir_.Sub("bus"));
    ASSERT_THAT(bus, IsOk());
    bus_ = std::move(bus).value();
    faulty_ = std::make_unique<FaultyBus>(bus_.get());
  }

  void AppendEvents(int n, const std::string& prefix) {
    for (int i = 0; i < n; ++i) {
      EventStore::AppendCommand c;
      c.stream_id = absl::StrCat("police/pnc:subject-", i % 3);
      c.command_id = absl::StrCat(prefix, "-", i);
      c.fingerprint = c.command_id;
      c.event.set_subject_key(absl::StrCat("pnc:subject-", i % 3));
      ASSERT_THAT(store_->Append(std::move(c)), IsOk());
    }
  }

  std::vector<safeguard::v1::EventEnvelope> OnBus() {
    std::vector<safeguard::v1::EventEnvelope> out;
    auto records = bus_->Read(kPoliceTopic, 0, 10000);
    EXPECT_THAT(records, IsOk());
    for (const auto& r : *records) {
      safeguard::v1::EventEnvelope e;
      EXPECT_TRUE(e.ParseFromString(r.value));
      EXPECT_EQ(r.key, e.subject_key());
      out.push_back(e);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<RocksDbEventBus> bus_;
  std::unique_ptr<FaultyBus> faulty_;
};

TEST_F(OutboxRelayTest, PublishesInLogOrderAndEmptiesOutbox) {
  AppendEvents(5, "cmd-order");
  OutboxRelay relay(store_.get(), bus_.get(), {.topic = kPoliceTopic, .keys_topic = kPoliceKeysTopic});
  auto n = relay.RelayOnce();
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(*n, 5u);
  auto events = OnBus();
  ASSERT_THAT(events, SizeIs(5));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(events[i].log_sequence(), static_cast<uint64_t>(i + 1));
  EXPECT_THAT(*store_->PendingOutbox(10), SizeIs(0));
  // Each of the three subjects' data keys, once, published with (and before) its first event.
  auto keys = bus_->Read(kPoliceKeysTopic, 0, 100);
  ASSERT_THAT(keys, IsOk());
  ASSERT_THAT(*keys, SizeIs(3));
  std::set<std::string> published, used;
  for (int i = 0; i < 3; ++i) {
    safeguard::v1::DataKeyRecord record;
    ASSERT_TRUE(record.ParseFromString((*keys)[i].value));
    EXPECT_EQ((*keys)[i].key, record.key_id());
    EXPECT_TRUE(record.has_wrapped());
    published.insert(record.key_id());
    used.insert(events[i].sealed().key_id());
  }
  EXPECT_EQ(published, used);
  EXPECT_THAT(*store_->PendingKeys(10), SizeIs(0));
  EXPECT_EQ(*relay.RelayOnce(), 0u);
}

TEST_F(OutboxRelayTest, KeepsEventsWhileTheBusIsDownAndDeliversThemAfter) {
  AppendEvents(4, "cmd-down");
  faulty_->FailNextPublishes(2);
  OutboxRelay relay(store_.get(), faulty_.get(), {.topic = kPoliceTopic, .keys_topic = kPoliceKeysTopic, .batch_size = 2});
  EXPECT_FALSE(relay.RelayOnce().ok());
  EXPECT_FALSE(relay.RelayOnce().ok());
  EXPECT_THAT(*store_->PendingOutbox(10), SizeIs(4));
  EXPECT_THAT(OnBus(), SizeIs(0));
  ASSERT_THAT(relay.RelayOnce(), IsOk());
  ASSERT_THAT(relay.RelayOnce(), IsOk());
  EXPECT_THAT(OnBus(), SizeIs(4));
  EXPECT_THAT(*store_->PendingOutbox(10), SizeIs(0));
}

TEST_F(OutboxRelayTest, LostAcknowledgementRepublishesTheSameEvents) {
  AppendEvents(3, "cmd-lost-ack");
  // The subjects' keys were published already: this is about the events.
  std::vector<std::string> key_ids;
  auto keys = store_->PendingKeys(10);
  ASSERT_THAT(keys, IsOk());
  for (const auto& k : *keys) key_ids.push_back(k.key_id);
  ASSERT_THAT(store_->MarkKeysPublished(key_ids), IsOk());
  // The bus stores the batch but the relay never hears so: at-least-once delivery.
  faulty_->LoseNextAcknowledgements(1);
  OutboxRelay relay(store_.get(), faulty_.get(), {.topic = kPoliceTopic, .keys_topic = kPoliceKeysTopic});
  EXPECT_FALSE(relay.RelayOnce().ok());
  ASSERT_THAT(relay.RelayOnce(), IsOk());
  auto events = OnBus();
  ASSERT_THAT(events, SizeIs(6));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(events[i].event_id(), events[i + 3].event_id());
}

TEST_F(OutboxRelayTest, BackgroundRelayIsWokenByCommits) {
  OutboxRelay relay(store_.get(), bus_.get(),
                    {.topic = kPoliceTopic, .keys_topic = kPoliceKeysTopic, .idle_poll = absl::Seconds(30)});
  store_->SetCommitListener([&relay] { relay.Notify(); });
  relay.Start();
  AppendEvents(3, "cmd-bg");
  // Bounded wait: the 30 s idle poll would be far too slow, so only the commit wake-up
  // can deliver these in time.
  EXPECT_TRUE(bus_->WaitForOffset(kPoliceTopic, 2, absl::Now() + absl::Seconds(10)));
  relay.Stop();
  EXPECT_THAT(OnBus(), SizeIs(3));
}

}  // namespace
}  // namespace safeguard
