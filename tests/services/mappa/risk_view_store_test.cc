#include "services/mappa/risk_view_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;
using safeguard::testing::EventFactory;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;

constexpr char kPnc[] = "2019/0012345X";

class RiskViewStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto store = RiskViewStore::Open(dir_.path());
    ASSERT_THAT(store, IsOk());
    store_ = std::move(store).value();
  }
  // Wraps events as records at the next offsets of police.events.
  std::vector<BusRecord> Records(const std::vector<EventEnvelope>& events) {
    std::vector<BusRecord> out;
    for (const auto& e : events) {
      BusRecord r;
      r.topic = kPoliceTopic;
      r.offset = next_offset_++;
      r.key = e.subject_key();
      r.value = e.SerializeAsString();
      out.push_back(std::move(r));
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<RiskViewStore> store_;
  EventFactory f_;
  int64_t next_offset_ = 0;
};

TEST_F(RiskViewStoreTest, AppliesEventsAndStoresPositionInTheSameWrite) {
  auto stats = store_->ApplyRecords(Records({f_.Conviction(kPnc, CHILD_SEXUAL),
                                             f_.Notification(kPnc, "2024-02-01", "2025-02-01")}));
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->applied, 2u);
  EXPECT_EQ(*store_->Position(kPoliceTopic, 0), 2);
  auto view = store_->GetView("pnc:2019/0012345X");
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(view->convictions_size(), 1);
  EXPECT_TRUE(view->register_().registered());
  EXPECT_EQ(view->events_applied(), 2u);

  Reopen();
  EXPECT_EQ(*store_->Position(kPoliceTopic, 0), 2);
  EXPECT_EQ(store_->GetView("pnc:2019/0012345X")->events_applied(), 2u);
}

TEST_F(RiskViewStoreTest, RedeliveredEventsAreAppliedOnce) {
  auto a = f_.Conviction(kPnc, CHILD_SEXUAL);
  auto b = f_.Intelligence(kPnc, "2024-03-03");
  ASSERT_THAT(store_->ApplyRecords(Records({a, b})), IsOk());
  // The relay republished both (a lost acknowledgement), and one again in the same batch.
  auto stats = store_->ApplyRecords(Records({a, b, b}));
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->applied, 0u);
  EXPECT_EQ(stats->duplicates, 3u);
  auto view = store_->GetView("pnc:2019/0012345X");
  EXPECT_EQ(view->events_applied(), 2u);
  EXPECT_EQ(view->convictions_size(), 1);
  auto timeline = store_->GetTimeline("pnc:2019/0012345X", 100, "");
  EXPECT_EQ(timeline->entries_size(), 2);
  // The position still moved past the duplicates.
  EXPECT_EQ(*store_->Position(kPoliceTopic, 0), 5);
}

TEST_F(RiskViewStoreTest, EventAheadOfItsStreamWaitsForTheMissingOne) {
  auto v1 = f_.Conviction(kPnc, CHILD_SEXUAL);
  auto v2 = f_.Conviction(kPnc, ADULT_SEXUAL);  // delayed
  auto v3 = f_.Intelligence(kPnc, "2024-03-03");
  auto v4 = f_.Order(kPnc, "SHPO-1", "2020-05-01", "");
  auto stats = store_->ApplyRecords(Records({v1, v3}));
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->applied, 1u);
  EXPECT_EQ(stats->parked, 1u);
  auto gaps = store_->Gaps();
  ASSERT_THAT(gaps, IsOk());
  ASSERT_EQ(gaps->size(), 1u);
  EXPECT_EQ((*gaps)[0].stream_id(), "police/pnc:2019/0012345X");
  EXPECT_EQ((*gaps)[0].expected_version(), 2u);
  EXPECT_EQ((*gaps)[0].seen_version(), 3u);
  EXPECT_EQ(store_->GetView("pnc:2019/0012345X")->events_applied(), 1u);

  // Held durably: across a restart, and a redelivery of the held event is not held twice.
  Reopen();
  stats = store_->ApplyRecords(Records({v4, v3}));
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->parked, 1u);
  EXPECT_EQ(stats->duplicates, 1u);
  EXPECT_EQ(store_->Gaps()->size(), 1u);

  // The missing event releases everything behind it, in order.
  stats = store_->ApplyRecords(Records({v2}));
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->applied, 3u);
  EXPECT_EQ(stats->released, 2u);
  EXPECT_TRUE(store_->Gaps()->empty());
  auto view = store_->GetView("pnc:2019/0012345X");
  EXPECT_EQ(view->events_applied(), 4u);
  EXPECT_EQ(view->convictions_size(), 2);
  EXPECT_EQ(view->intelligence_size(), 1);
  EXPECT_EQ(view->orders_size(), 1);
  // And late copies of any of them change nothing.
  stats = store_->ApplyRecords(Records({v1, v2, v3, v4}));
  EXPECT_EQ(stats->duplicates, 4u);
  EXPECT_EQ(store_->GetView("pnc:2019/0012345X")->events_applied(), 4u);
}

TEST_F(RiskViewStoreTest, UnreadableMessageIsSkippedAndCounted) {
  std::vector<BusRecord> records = Records({f_.Conviction(kPnc, CHILD_SEXUAL)});
  BusRecord junk = records[0];
  junk.offset = next_offset_++;
  junk.value = "not a protobuf \xff\xff";
  records.push_back(junk);
  auto stats = store_->ApplyRecords(records);
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->applied, 1u);
  EXPECT_EQ(stats->unreadable, 1u);
  EXPECT_EQ(*store_->Position(kPoliceTopic, 0), 2);
}

TEST_F(RiskViewStoreTest, TimelineIsOrderedByOccurrenceAndPages) {
  // Recorded in one order, happened in another.
  auto late = f_.Intelligence(kPnc, "2024-03-03");
  auto early = f_.Conviction(kPnc, CHILD_SEXUAL, "2010-01-01");
  auto middle = f_.Order(kPnc, "SHPO-1", "2020-05-01", "");
  ASSERT_THAT(store_->ApplyRecords(Records({late, early, middle})), IsOk());

  auto page1 = store_->GetTimeline("pnc:2019/0012345X", 2, "");
  ASSERT_THAT(page1, IsOk());
  ASSERT_EQ(page1->entries_size(), 2);
  EXPECT_EQ(page1->entries(0).provenance().event_id(), early.event_id());
  EXPECT_EQ(page1->entries(1).provenance().event_id(), middle.event_id());
  ASSERT_FALSE(page1->next_page_token().empty());

  auto page2 = store_->GetTimeline("pnc:2019/0012345X", 2, page1->next_page_token());
  ASSERT_THAT(page2, IsOk());
  ASSERT_EQ(page2->entries_size(), 1);
  EXPECT_EQ(page2->entries(0).provenance().event_id(), late.event_id());
  EXPECT_TRUE(page2->next_page_token().empty());

  EXPECT_THAT(store_->GetTimeline("pnc:2019/0012345X", 2, "garbage!"),
              StatusIs(absl::StatusCode::kInvalidArgument, "page_token"));
}

TEST_F(RiskViewStoreTest, ReferencesResolveToOneView) {
  auto with_both = f_.Conviction(kPnc, CHILD_SEXUAL);
  with_both.mutable_subject()->set_visor_ref("VR-0001");
  ASSERT_THAT(store_->ApplyRecords(Records({with_both})), IsOk());
  EXPECT_EQ(*store_->ResolveReference("pnc:2019/0012345X"), "pnc:2019/0012345X");
  EXPECT_EQ(*store_->ResolveReference("visor:VR-0001"), "pnc:2019/0012345X");
  EXPECT_THAT(store_->ResolveReference("pnc:2000/0000000Z"), StatusIs(absl::StatusCode::kNotFound));

  // A later event keyed only by the ViSOR reference is filed under it, and joins the same
  // picture: the two records share the reference, so they are one person.
  EventFactory other;
  auto visor_only = other.Intelligence("ignored", "2024-03-03");
  visor_only.set_subject_key("visor:VR-0001");
  visor_only.set_stream_id("police/visor:VR-0001");
  visor_only.mutable_subject()->clear_pnc_id();
  visor_only.mutable_subject()->set_visor_ref("VR-0001");
  ASSERT_THAT(store_->ApplyRecords(Records({visor_only})), IsOk());
  EXPECT_EQ(*store_->ResolveReference("visor:VR-0001"), "visor:VR-0001");
  auto view = store_->GetPersonView("visor:VR-0001");
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(view->subject_key(), "pnc:2019/0012345X");
  EXPECT_THAT(view->linked_records(), ::testing::ElementsAre("pnc:2019/0012345X", "visor:VR-0001"));
  EXPECT_EQ(view->intelligence_size(), 1);
  EXPECT_EQ(view->convictions_size(), 1);
  EXPECT_EQ(view->events_applied(), 2u);
}

}  // namespace
}  // namespace safeguard::mappa
