#include "services/mappa/screening/screening.h"
#include "tests/testing/mappa_test_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "common/bus/event_bus_rocksdb.h"
#include "services/mappa/screening/online_identifier.h"
#include "tests/testing/events.h"
#include "tests/testing/access_records.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;

TEST(OnlineIdentifierTest, VariantsAProviderTreatsAsOneAccountMatch) {
  struct Row {
    OnlineIdentifierKind kind;
    std::string value, platform, key;
  };
  const std::vector<Row> rows = {
      {EMAIL, "John.Smith@Gmail.com", "", "email:johnsmith@gmail.com"},
      {EMAIL, "j.o.h.n.s.m.i.t.h+school@googlemail.com", "", "email:johnsmith@gmail.com"},
      {EMAIL, " JOHNSMITH@GMAIL.COM ", "", "email:johnsmith@gmail.com"},
      // Outlook ignores plus-tags but not dots.
      {EMAIL, "john.smith+x@outlook.com", "", "email:john.smith@outlook.com"},
      {EMAIL, "johnsmith@outlook.com", "", "email:johnsmith@outlook.com"},
      // A provider that honours both keeps both.
      {EMAIL, "john.smith+x@example.org", "", "email:john.smith+x@example.org"},
      {USERNAME, "@MillRoad_John", "ExampleChat", "username:examplechat:millroad_john"},
      {USERNAME, "millroad_john", "OtherApp", "username:otherapp:millroad_john"},
      {PHONE, "+44 7700 900123", "", "phone:07700900123"},
      {PHONE, "07700-900-123", "", "phone:07700900123"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.value);
    auto key = OnlineIdentifierKey(row.kind, row.value, row.platform, "value");
    ASSERT_THAT(key, IsOk());
    EXPECT_EQ(*key, row.key);
  }
  EXPECT_THAT(OnlineIdentifierKey(EMAIL, "not-an-email", "", "value"),
              StatusIs(absl::StatusCode::kInvalidArgument, "value: is not an email address"));
  EXPECT_THAT(OnlineIdentifierKey(PHONE, "12", "", "value"), StatusIs(absl::StatusCode::kInvalidArgument, "value"));
}

constexpr char kPnc[] = "2019/0012345X";

class ScreeningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = [] { return absl::FromCivil(absl::CivilSecond(2025, 1, 10, 12, 0, 0), absl::UTCTimeZone()); };
    store_ = std::make_unique<testing::MappaTestState>(dir_.Sub("mappa"), clock_);
    auto bus = RocksDbEventBus::Open(dir_.Sub("bus"));
    ASSERT_THAT(bus, IsOk());
    bus_ = std::move(bus).value();
    access_ = std::make_unique<AccessLog>(bus_.get(), kAuditAccessTopic, clock_);
    screening_ = std::make_unique<Screening>(store_->state(), access_.get(), clock_);
    call_.actor.set_agency(AGENCY_ONLINE_PLATFORM);
    call_.actor.set_user("examplechat");
  }

  void Apply(const std::vector<EventEnvelope>& events, const std::string& topic = kPoliceTopic) {
    std::vector<BusRecord> records;
    for (const auto& e : events) {
      BusRecord r;
      r.topic = topic;
      r.offset = offset_++;
      r.value = e.SerializeAsString();
      records.push_back(std::move(r));
    }
    ASSERT_THAT(store_->ApplyRecords(records), IsOk());
  }

  // A register notification listing `email` and a username on ExampleChat.
  EventEnvelope Notification(const std::string& date, const std::string& email, bool period_ended = false) {
    EventEnvelope e = f_.Notification(kPnc, date, "2025-12-01");
    auto* n = e.mutable_register_notification_recorded();
    n->clear_online_identifiers();
    auto* id = n->add_online_identifiers();
    id->set_kind(EMAIL);
    id->set_value(email);
    id = n->add_online_identifiers();
    id->set_kind(USERNAME);
    id->set_value("millroad_john");
    id->set_platform("ExampleChat");
    if (period_ended) {
      n->set_indefinite(false);
      n->set_register_end_date("2024-12-31");
    }
    return e;
  }

  absl::StatusOr<bool> Check(OnlineIdentifierKind kind, const std::string& value) {
    CheckIdentifierRequest r;
    r.set_kind(kind);
    r.set_value(value);
    r.set_check_ref("chk-1");
    std::promise<absl::StatusOr<CheckIdentifierResponse>> answered;
    screening_->Handle(r, call_, [&](absl::StatusOr<CheckIdentifierResponse> a) { answered.set_value(std::move(a)); });
    absl::StatusOr<CheckIdentifierResponse> answer = answered.get_future().get();
    if (!answer.ok()) return answer.status();
    return answer->held();
  }

  std::vector<AccessRecord> Records() { return testing::AccessRecordsOn(*bus_); }

  testing::TempDir dir_;
  Clock clock_;
  std::unique_ptr<testing::MappaTestState> store_;
  std::unique_ptr<RocksDbEventBus> bus_;
  std::unique_ptr<AccessLog> access_;
  std::unique_ptr<Screening> screening_;
  CallContext call_;
  testing::EventFactory f_;
  int64_t offset_ = 0;
};

TEST_F(ScreeningTest, HeldOnlyForACurrentRegistrantUnderARestriction) {
  Apply({Notification("2024-06-01", "john.smith@gmail.com")});
  // Registered, but no order or licence condition in force: not held.
  EXPECT_FALSE(*Check(EMAIL, "johnsmith@gmail.com"));
  Apply({f_.Order(kPnc, "SHPO-1", "2020-05-01", "2030-05-01")});
  EXPECT_TRUE(*Check(EMAIL, "johnsmith+anything@googlemail.com"));
  EXPECT_TRUE(*Check(USERNAME, "@MillRoad_John"));
  // The same username on another platform is another account.
  call_.actor.set_user("otherapp");
  EXPECT_FALSE(*Check(USERNAME, "millroad_john"));
}

TEST_F(ScreeningTest, NotHeldOnceTheOrderExpiresOrTheIdentifierIsDropped) {
  Apply({Notification("2024-06-01", "john.smith@gmail.com"), f_.Order(kPnc, "SHPO-1", "2020-05-01", "2024-12-31")});
  EXPECT_FALSE(*Check(EMAIL, "johnsmith@gmail.com")) << "order expired before today (2025-01-10)";
  Apply({f_.Order(kPnc, "SHPO-2", "2024-12-01", "")});
  EXPECT_TRUE(*Check(EMAIL, "johnsmith@gmail.com"));
  // A later notification no longer lists the address.
  Apply({Notification("2024-12-15", "new.address@gmail.com")});
  EXPECT_FALSE(*Check(EMAIL, "johnsmith@gmail.com"));
  EXPECT_TRUE(*Check(EMAIL, "newaddress@gmail.com"));
}

TEST_F(ScreeningTest, NotHeldWhenTheNotificationPeriodHasEnded) {
  Apply({Notification("2024-06-01", "john.smith@gmail.com", /*period_ended=*/true),
         f_.Order(kPnc, "SHPO-1", "2020-05-01", "")});
  EXPECT_FALSE(*Check(EMAIL, "johnsmith@gmail.com"));
}

// The person is judged whole: police hold the identifier on the register, and probation's
// licence condition (filed under the man's own case reference, linked by the PNC id its
// event carries) is the restriction. Each record alone holds only half.
TEST_F(ScreeningTest, APersonIsJudgedWholeAcrossTheirLinkedRecords) {
  Apply({Notification("2024-06-01", "john.smith@gmail.com")});
  EXPECT_FALSE(*Check(EMAIL, "johnsmith@gmail.com")) << "no restriction is recorded yet";
  SubjectRef who = testing::TestSubject(kPnc);
  who.set_probation_case_ref("X123456");
  Apply({f_.About(AGENCY_PROBATION, "probation:X123456", who, "2024-07-01",
                  [](EventEnvelope* e) {
                    auto* s = e->mutable_supervision_started();
                    s->set_supervision_ref("LIC-1");
                    s->set_kind(LICENCE);
                    s->set_start_date("2024-07-01");
                  }),
         f_.About(AGENCY_PROBATION, "probation:X123456", who, "2024-07-01",
                  [](EventEnvelope* e) {
                    auto* c = e->mutable_licence_conditions_set();
                    c->set_supervision_ref("LIC-1");
                    auto* condition = c->add_conditions();
                    condition->set_condition_ref("C1");
                    condition->set_kind(INTERNET_MONITORING);
                  })},
        kProbationTopic);
  EXPECT_TRUE(*Check(EMAIL, "johnsmith@gmail.com"));
  // Disclosed about the person: every record of theirs is named.
  auto records = Records();
  ASSERT_FALSE(records.empty());
  std::vector<std::string> named;
  for (const auto& r : records) {
    if (r.disclosed_match()) named.push_back(r.subject_key());
  }
  EXPECT_THAT(named, ::testing::UnorderedElementsAre("pnc:2019/0012345X", "probation:X123456"));
}

TEST_F(ScreeningTest, EveryCheckIsRecordedAsADisclosureToThePlatform) {
  Apply({Notification("2024-06-01", "john.smith@gmail.com"), f_.Order(kPnc, "SHPO-1", "2020-05-01", "")});
  ASSERT_TRUE(*Check(EMAIL, "johnsmith@gmail.com"));
  ASSERT_FALSE(*Check(EMAIL, "someone.else@gmail.com"));
  auto records = Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].view(), "screening.CheckIdentifier");
  EXPECT_EQ(records[0].actor().user(), "examplechat");
  EXPECT_EQ(records[0].actor().agency(), AGENCY_ONLINE_PLATFORM);
  EXPECT_EQ(records[0].purpose().code(), PLATFORM_SCREENING);
  EXPECT_EQ(records[0].subject_key(), "pnc:2019/0012345X");
  EXPECT_EQ(records[0].query(), "email:johnsmith@gmail.com");
  EXPECT_EQ(records[0].query_ref(), "chk-1");
  EXPECT_THAT(records[0].recipients(), ::testing::ElementsAre("examplechat"));
  EXPECT_TRUE(records[0].disclosed_match());
  // A miss names no one.
  EXPECT_EQ(records[1].subject_key(), "");
  EXPECT_EQ(records[1].query(), "email:someoneelse@gmail.com");
  EXPECT_FALSE(records[1].disclosed_match());
}

TEST_F(ScreeningTest, BadInputNamesTheFieldAndRecordsNothing) {
  EXPECT_THAT(Check(ONLINE_IDENTIFIER_KIND_UNSPECIFIED, "x@y.z"), StatusIs(absl::StatusCode::kInvalidArgument, "kind"));
  EXPECT_THAT(Check(EMAIL, ""), StatusIs(absl::StatusCode::kInvalidArgument, "value"));
  EXPECT_THAT(Check(EMAIL, "nope"), StatusIs(absl::StatusCode::kInvalidArgument, "value"));
  EXPECT_TRUE(Records().empty());
}

}  // namespace
}  // namespace safeguard::mappa
