#include "common/privacy/retention.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/time_util.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::privacy {
namespace {

using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using ::testing::HasSubstr;

RecordFacts Facts(absl::CivilDay first, absl::CivilDay last, std::set<std::string> kinds) {
  RecordFacts f;
  f.first_event = first;
  f.last_event = last;
  f.kinds = std::move(kinds);
  return f;
}

// The defaults follow MoPI's groups: public protection matters to the 100th birthday,
// reviewed every ten years from the last review; other offending ten years after the
// last event; the rest a six-year clear period.
TEST(RetentionRulesTest, TheDefaultsGroupAndDateRecordsAsMoPIDoes) {
  const RetentionRules& rules = RetentionRules::Defaults();
  RecordFacts sexual = Facts(absl::CivilDay(2019, 1, 15), absl::CivilDay(2024, 2, 1),
                             {"ConvictionRecorded", "ConvictionRecorded/CHILD_SEXUAL", "RegisterNotificationRecorded"});
  std::optional<ReviewDate> review = rules.Review("police", sexual);
  ASSERT_TRUE(review.has_value());
  EXPECT_EQ(review->group, "public-protection");
  EXPECT_EQ(review->due, absl::CivilDay(2029, 1, 15)) << "from the first event: never reviewed";
  sexual.last_review = absl::CivilDay(2026, 12, 7);
  EXPECT_EQ(rules.Review("police", sexual)->due, absl::CivilDay(2036, 12, 7));
  sexual.born = absl::CivilDay(1930, 5, 2);
  EXPECT_EQ(rules.Review("police", sexual)->due, absl::CivilDay(2030, 5, 2)) << "the 100th birthday comes first";

  const RecordFacts theft = Facts(absl::CivilDay(2012, 3, 1), absl::CivilDay(2012, 3, 1), {"ConvictionRecorded", "ConvictionRecorded/OTHER"});
  EXPECT_EQ(rules.Review("police", theft)->group, "offending");
  EXPECT_EQ(rules.Review("police", theft)->due, absl::CivilDay(2022, 3, 1));
  const RecordFacts intelligence = Facts(absl::CivilDay(2020, 6, 1), absl::CivilDay(2021, 6, 1), {"IntelligenceRecorded"});
  EXPECT_EQ(rules.Review("police", intelligence)->group, "other");
  EXPECT_EQ(rules.Review("police", intelligence)->due, absl::CivilDay(2027, 6, 1));
  EXPECT_EQ(rules.Review("probation", intelligence)->group, "other");
  EXPECT_FALSE(rules.Review("police", RecordFacts()).has_value()) << "a record with no facts has no review";
}

TEST(RetentionRulesTest, AnAgencysRulesInTheConfigReplaceItsDefaultsInTheirOrder) {
  auto rules = RetentionRules::Parse(R"(
bus = embedded
retention.police.2 = other: review 3y from last-event
retention.police.1 = orders: review 18m from first-event when OrderRecorded, ConvictionRecorded/ADULT_SEXUAL
)");
  ASSERT_THAT(rules, IsOk());
  EXPECT_THAT(rules->RulesOf("police"),
              ::testing::ElementsAre(HasSubstr("orders: review 18m"), HasSubstr("other: review 3y")));
  const RecordFacts order = Facts(absl::CivilDay(2020, 1, 31), absl::CivilDay(2025, 1, 1), {"OrderRecorded"});
  EXPECT_EQ(rules->Review("police", order)->group, "orders");
  EXPECT_EQ(rules->Review("police", order)->due, absl::CivilDay(2021, 7, 31));
  EXPECT_EQ(rules->Review("police", Facts(absl::CivilDay(2020, 1, 1), absl::CivilDay(2020, 1, 1), {"X"}))->due,
            absl::CivilDay(2023, 1, 1));
  EXPECT_EQ(rules->RulesOf("probation"), RetentionRules::Defaults().RulesOf("probation")) << "untouched";
}

TEST(RetentionRulesTest, ABadRuleIsRefusedNamingItsLineAndWhatIsWrong) {
  EXPECT_THAT(RetentionRules::Parse("\nretention.police.1 = other: review ten years from last-event\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, "config line 2: retention.police.1: 'ten' is not a period"));
  EXPECT_THAT(RetentionRules::Parse("retention.police.1 = other: review 6y from yesterday"),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected last-event, first-event or last-review"));
  EXPECT_THAT(RetentionRules::Parse("retention.mappa.1 = other: review 6y from last-event"),
              StatusIs(absl::StatusCode::kInvalidArgument, "police, probation or childrens"));
  EXPECT_THAT(RetentionRules::Parse("retention.police.x = other: review 6y from last-event"),
              StatusIs(absl::StatusCode::kInvalidArgument, "retention.<agency>.<n>"));
  EXPECT_THAT(RetentionRules::Parse("retention.police.1 = sexual: review 6y from last-event when sexual offences"),
              StatusIs(absl::StatusCode::kInvalidArgument, "is not an event type"));
  EXPECT_THAT(RetentionRules::Parse("retention.police.1 = orders: review 6y from last-event when OrderRecorded"),
              StatusIs(absl::StatusCode::kInvalidArgument, "the last rule must have no 'when'"));
  EXPECT_THAT(RetentionRules::Parse("retention.police.1 = a: review 6y from last-event until age\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected 'until age <N>'"));
}

TEST(RetentionRulesTest, AnEventGivesItsKindItsClassificationTheDayItHappenedAndTheBirthDate) {
  safeguard::v1::EventEnvelope e;
  e.set_event_type("police.ConvictionRecorded");
  e.mutable_conviction_recorded()->set_classification(safeguard::v1::ADULT_SEXUAL);
  *e.mutable_occurred_at() = ToProtoTimestamp(StartOfDay(absl::CivilDay(2018, 4, 2)));
  e.mutable_subject()->set_date_of_birth("1971-09-30");
  RecordFacts f;
  f.Add(e);
  *e.mutable_occurred_at() = ToProtoTimestamp(StartOfDay(absl::CivilDay(2016, 1, 5)));
  f.Add(e);
  EXPECT_THAT(f.kinds, ::testing::ElementsAre("ConvictionRecorded", "ConvictionRecorded/ADULT_SEXUAL"));
  EXPECT_EQ(f.first_event, absl::CivilDay(2016, 1, 5));
  EXPECT_EQ(f.last_event, absl::CivilDay(2018, 4, 2));
  EXPECT_EQ(f.born, absl::CivilDay(1971, 9, 30));
}

}  // namespace
}  // namespace safeguard::privacy
