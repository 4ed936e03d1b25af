#include "services/mappa/risk_projection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "tests/testing/events.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;
using safeguard::testing::EventFactory;

constexpr char kPnc[] = "2019/0012345X";

RiskView Project(const std::vector<EventEnvelope>& events, absl::CivilDay today) {
  RiskView view;
  for (const auto& e : events) ApplyEvent(e, &view);
  ComputeAsOf(today, &view);
  return view;
}

TEST(RiskProjectionTest, ChildSexualConvictionSetsDutyToConsiderDisclosure) {
  EventFactory f;
  RiskView adult = Project({f.Conviction("2020/0000001A", ADULT_SEXUAL)}, absl::CivilDay(2025, 1, 1));
  EXPECT_FALSE(adult.flags().duty_to_consider_disclosure());
  EXPECT_FALSE(adult.flags().child_sexual_offence_history());

  RiskView child = Project({f.Conviction(kPnc, ADULT_SEXUAL), f.Conviction(kPnc, CHILD_SEXUAL),
                            f.Conviction(kPnc, CHILD_SEXUAL)},
                           absl::CivilDay(2025, 1, 1));
  EXPECT_TRUE(child.flags().duty_to_consider_disclosure());
  EXPECT_TRUE(child.flags().child_sexual_offence_history());
  ASSERT_EQ(child.by_classification_size(), 2);
  EXPECT_EQ(child.by_classification(0).classification(), CHILD_SEXUAL);
  EXPECT_EQ(child.by_classification(0).convictions(), 2u);
  EXPECT_EQ(child.by_classification(1).classification(), ADULT_SEXUAL);
  EXPECT_EQ(child.by_classification(1).convictions(), 1u);
}

TEST(RiskProjectionTest, RegisterOverdueIsJudgedOnTheDayOfReading) {
  EventFactory f;
  std::vector<EventEnvelope> events = {f.Notification(kPnc, "2024-02-01", "2025-02-01")};
  RiskView before = Project(events, absl::CivilDay(2025, 1, 30));
  EXPECT_TRUE(before.register_().registered());
  EXPECT_FALSE(before.register_().notification_overdue());
  EXPECT_EQ(before.register_().days_until_due(), 2);
  EXPECT_FALSE(before.flags().register_notification_overdue());

  RiskView due_day = Project(events, absl::CivilDay(2025, 2, 1));
  EXPECT_FALSE(due_day.register_().notification_overdue());

  RiskView after = Project(events, absl::CivilDay(2025, 2, 4));
  EXPECT_TRUE(after.register_().notification_overdue());
  EXPECT_EQ(after.register_().days_until_due(), -3);
  EXPECT_TRUE(after.flags().register_notification_overdue());
  EXPECT_TRUE(after.flags().household_with_child());
  EXPECT_EQ(after.as_of_date(), "2025-02-04");
}

TEST(RiskProjectionTest, LatestNotificationByDateWinsWhateverTheArrivalOrder) {
  EventFactory f;
  auto newer = f.Notification(kPnc, "2024-02-01", "2025-02-01");
  auto older = f.Notification(kPnc, "2023-02-01", "2024-02-01");
  RiskView view = Project({newer, older}, absl::CivilDay(2024, 6, 1));
  EXPECT_EQ(view.register_().latest().notification_date(), "2024-02-01");
  EXPECT_EQ(view.register_().provenance().event_id(), newer.event_id());
  EXPECT_FALSE(view.register_().notification_overdue());
}

TEST(RiskProjectionTest, OrdersAreActiveBetweenMadeAndExpiry) {
  EventFactory f;
  std::vector<EventEnvelope> events = {f.Order(kPnc, "SHPO-1", "2020-05-01", "2024-05-01"),
                                       f.Order(kPnc, "SRO-2", "2023-01-01", "")};
  RiskView view = Project(events, absl::CivilDay(2024, 5, 1));
  EXPECT_TRUE(view.orders(0).active());  // expiry day itself is still in force
  EXPECT_TRUE(view.flags().active_order_prohibits_child_contact());
  view = Project(events, absl::CivilDay(2024, 5, 2));
  EXPECT_FALSE(view.orders(0).active());
  EXPECT_TRUE(view.orders(1).active());  // indefinite
}

TEST(RiskProjectionTest, ExpiredOrderNoLongerFlagsChildContact) {
  EventFactory f;
  RiskView view = Project({f.Order(kPnc, "SHPO-1", "2020-05-01", "2021-05-01")}, absl::CivilDay(2024, 1, 1));
  EXPECT_FALSE(view.flags().active_order_prohibits_child_contact());
}

TEST(RiskProjectionTest, BreachAttachesToItsOrderEvenWhenItArrivesFirst) {
  EventFactory f;
  auto breach = f.Breach(kPnc, "SHPO-1", "2024-06-01");
  auto order = f.Order(kPnc, "SHPO-1", "2020-05-01", "");
  RiskView early = Project({breach}, absl::CivilDay(2025, 1, 1));
  EXPECT_EQ(early.unmatched_breaches_size(), 1);
  EXPECT_TRUE(early.flags().order_breached());

  RiskView view = Project({breach, order}, absl::CivilDay(2025, 1, 1));
  EXPECT_EQ(view.unmatched_breaches_size(), 0);
  ASSERT_EQ(view.orders(0).breaches_size(), 1);
  EXPECT_EQ(view.orders(0).breaches(0).provenance().event_id(), breach.event_id());
  EXPECT_TRUE(view.flags().order_breached());
}

TEST(RiskProjectionTest, IntelligenceIsAlwaysUnprovenAndGraded) {
  EventFactory f;
  auto intel = f.Intelligence(kPnc, "2024-03-03");
  RiskView view = Project({intel}, absl::CivilDay(2025, 1, 1));
  ASSERT_EQ(view.intelligence_size(), 1);
  EXPECT_TRUE(view.intelligence(0).unproven());
  EXPECT_EQ(view.intelligence(0).grading(), "2/C/P");
  EXPECT_TRUE(view.flags().unproven_intelligence_concerning_children());
  EXPECT_FALSE(view.flags().duty_to_consider_disclosure());
}

TEST(RiskProjectionTest, EveryFactCarriesProvenance) {
  EventFactory f;
  auto conviction = f.Conviction(kPnc, CHILD_SEXUAL);
  RiskView view = Project({conviction}, absl::CivilDay(2025, 1, 1));
  const Provenance& p = view.convictions(0).provenance();
  EXPECT_EQ(p.agency(), AGENCY_POLICE);
  EXPECT_EQ(p.event_id(), conviction.event_id());
  EXPECT_EQ(p.event_type(), "police.ConvictionRecorded");
  EXPECT_EQ(p.stream_version(), 1u);
  EXPECT_EQ(p.occurred_at().seconds(), conviction.occurred_at().seconds());
  EXPECT_EQ(p.recorded_at().seconds(), conviction.recorded_at().seconds());
  EXPECT_EQ(p.recorded_by().user(), "officer-1");
  EXPECT_EQ(view.references(0), "pnc:2019/0012345X");
  EXPECT_EQ(view.identity().family_name(), "Example");
}

TEST(RiskProjectionTest, ReplayIsByteForByteDeterministic) {
  EventFactory f;
  std::vector<EventEnvelope> events = {
      f.Conviction(kPnc, CHILD_SEXUAL), f.Notification(kPnc, "2024-02-01", "2025-02-01"),
      f.Breach(kPnc, "SHPO-1", "2024-06-01"), f.Order(kPnc, "SHPO-1", "2020-05-01", ""),
      f.Intelligence(kPnc, "2024-03-03")};
  RiskView a = Project(events, absl::CivilDay(2025, 1, 1));
  RiskView b = Project(events, absl::CivilDay(2025, 1, 1));
  std::string sa, sb;
  google::protobuf::io::StringOutputStream oa(&sa), ob(&sb);
  {
    google::protobuf::io::CodedOutputStream ca(&oa), cb(&ob);
    ca.SetSerializationDeterministic(true);
    cb.SetSerializationDeterministic(true);
    a.SerializeToCodedStream(&ca);
    b.SerializeToCodedStream(&cb);
  }
  EXPECT_EQ(sa, sb);
  EXPECT_EQ(a.events_applied(), 5u);
}

TEST(RiskProjectionTest, TimelineSummariesAreReadable) {
  EventFactory f;
  EXPECT_THAT(TimelineSummary(f.Conviction(kPnc, CHILD_SEXUAL)),
              ::testing::HasSubstr("Conviction: Sexual assault of a child under 13 [CHILD_SEXUAL]"));
  EXPECT_THAT(TimelineSummary(f.Notification(kPnc, "2024-02-01", "2025-02-01")),
              ::testing::HasSubstr("next due 2025-02-01"));
  EXPECT_THAT(TimelineSummary(f.Intelligence(kPnc, "2024-03-03")),
              ::testing::HasSubstr("unproven, graded 2/C/P"));
}

}  // namespace
}  // namespace safeguard::mappa
