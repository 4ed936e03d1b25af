// MAPPA meetings on a real event store, against the views they resolve subjects and cases
// in: every bad input refused naming its field and writing nothing, the meeting's state
// rules, and the records applied back to the views as mappa-service's consumer would.
#include "services/mappa/meetings/meeting_commands.h"
#include "services/mappa/mappa_stream_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>


#include <functional>
#include <future>
#include <optional>

#include "absl/strings/match.h"
#include "services/mappa/meetings/meeting.h"
#include "services/mappa/meetings/meeting_reads.h"
#include "services/mappa/projection/risk_projection.h"
#include "tests/testing/events.h"
#include "tests/testing/meeting_requests.h"
#include "tests/testing/view_feeder.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using safeguard::testing::ExpectViolationsOnlyOf;
using safeguard::testing::TempDir;

constexpr const char* kMeeting = testing::kMeetingRef;
constexpr char kOffender[] = "2019/0012345X";  // a child sexual offence on record
const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2025, 1, 10, 12, 0, 0), absl::UTCTimeZone());

class MeetingCommandsTest : public ::testing::Test {
 public:
  template <typename Request>
  absl::StatusOr<CommandResult> Run(const Request& r) {
    std::promise<absl::StatusOr<CommandResult>> p;
    commands_->Handle(r, call_, [&p](absl::StatusOr<CommandResult> result) { p.set_value(std::move(result)); });
    return p.get_future().get();
  }

 protected:
  void SetUp() override {
    auto events = EventStore::Open(EventStore::Options{.path = dir_.path() + "/events", .folder = &folder_, .keys = testing::TestKeys()});
    ASSERT_THAT(events, IsOk());
    events_ = std::move(events).value();
    views_ = std::make_unique<testing::MappaTestState>(dir_.path() + "/views");
    feeder_.emplace(views_.get());
    commands_ = std::make_unique<MeetingCommands>(events_.get(), views_->state(), [] { return kNow; });
    call_.actor.set_agency(AGENCY_MAPPA);
    call_.actor.set_user("chair-1");
    Feed({f_.Conviction(kOffender, CHILD_SEXUAL)});
  }

  void Feed(const std::vector<EventEnvelope>& events) { feeder_->Feed(events); }
  // Applies what the commands have appended since the last call, as the consumer would.
  void Consume() { feeder_->Consume(*events_); }

  static ScheduleMeetingRequest Schedule(absl::Time at = kNow - absl::Hours(3)) { return testing::ValidSchedule(at); }
  static RecordAttendanceRequest Attendance() { return testing::ValidAttendance(); }
  static AddAgendaItemRequest SubjectItem(const std::string& item = "1") {
    return testing::ValidSubjectItem(item, kOffender);
  }
  static RecordSubjectReviewRequest Review() { return testing::ValidReview(); }
  static RecordCaseDiscussionRequest Discussion() { return testing::ValidDiscussion(); }
  static RecordMinutesRequest Minutes() { return testing::ValidMinutes(kNow - absl::Hours(1)); }

  const MappaStreamFolder folder_;
  TempDir dir_;
  std::unique_ptr<EventStore> events_;
  std::unique_ptr<testing::MappaTestState> views_;
  std::unique_ptr<MeetingCommands> commands_;
  CallContext call_;
  testing::EventFactory f_;
  std::optional<testing::ViewFeeder> feeder_;
};

struct BadInput {
  std::string name;
  std::function<absl::Status(MeetingCommandsTest*)> run;
  std::string field;
};

template <typename Request>
BadInput Break(std::string name, Request r, std::function<void(Request*)> mutate, std::string field) {
  mutate(&r);
  return {std::move(name), [r](MeetingCommandsTest* t) { return t->Run(r).status(); }, std::move(field)};
}

TEST_F(MeetingCommandsTest, EveryBadInputIsRefusedNamingItsFieldAndWritesNothing) {
  using SR = ScheduleMeetingRequest;
  using AR = RecordAttendanceRequest;
  using IR = AddAgendaItemRequest;
  using RR = RecordSubjectReviewRequest;
  using DR = RecordCaseDiscussionRequest;
  using MR = RecordMinutesRequest;
  const std::vector<BadInput> rows = {
      Break<SR>("no command id", Schedule(), [](SR* r) { r->mutable_header()->clear_command_id(); }, "header.command_id"),
      Break<SR>("meeting ref with spaces", Schedule(), [](SR* r) { r->mutable_header()->set_meeting_ref("MAPPA 7"); }, "header.meeting_ref"),
      Break<SR>("no meeting", Schedule(), [](SR* r) { r->clear_meeting(); }, "meeting"),
      Break<SR>("no time", Schedule(), [](SR* r) { r->mutable_meeting()->clear_meeting_at(); }, "meeting.meeting_at"),
      Break<SR>("level 1", Schedule(), [](SR* r) { r->mutable_meeting()->set_level(1); }, "meeting.level"),
      Break<SR>("level 4", Schedule(), [](SR* r) { r->mutable_meeting()->set_level(4); }, "meeting.level"),
      Break<SR>("unknown force", Schedule(), [](SR* r) { r->mutable_meeting()->set_force("gotham"); }, "meeting.force"),
      Break<SR>("no chair", Schedule(), [](SR* r) { r->mutable_meeting()->clear_chair(); }, "meeting.chair"),
      Break<AR>("nobody attended", Attendance(), [](AR* r) { r->mutable_attendance()->clear_attendees(); }, "attendance.attendees"),
      Break<AR>("attendee without name", Attendance(), [](AR* r) { r->mutable_attendance()->mutable_attendees(0)->clear_name(); }, "attendance.attendees[0].name"),
      Break<AR>("attendee without role", Attendance(), [](AR* r) { r->mutable_attendance()->mutable_attendees(0)->clear_role(); }, "attendance.attendees[0].role"),
      Break<AR>("unknown agency", Attendance(), [](AR* r) { r->mutable_attendance()->mutable_attendees(0)->set_agency("fire"); }, "attendance.attendees[0].agency"),
      Break<AR>("unknown apology", Attendance(), [](AR* r) { r->mutable_attendance()->set_apologies(0, "Health"); }, "attendance.apologies[0]"),
      Break<IR>("bad item ref", SubjectItem(), [](IR* r) { r->mutable_item()->set_item_ref("item one"); }, "item.item_ref"),
      Break<IR>("neither subject nor case", SubjectItem(), [](IR* r) { r->mutable_item()->clear_subject(); }, "item.subject"),
      Break<IR>("both subject and case", SubjectItem(), [](IR* r) { r->mutable_item()->set_case_ref("CSODS/KENT/1"); }, "item.subject"),
      Break<IR>("subject without reference", SubjectItem(), [](IR* r) { r->mutable_item()->mutable_subject()->clear_pnc_id(); r->mutable_item()->mutable_subject()->set_given_name("A"); }, "item.subject.pnc_id"),
      Break<IR>("subject key given", SubjectItem(), [](IR* r) { r->mutable_item()->set_subject_key("pnc:x"); }, "item.subject_key"),
      Break<IR>("bad case ref", SubjectItem(), [](IR* r) { r->mutable_item()->clear_subject(); r->mutable_item()->set_case_ref("x"); }, "item.case_ref"),
      Break<RR>("bad review item", Review(), [](RR* r) { r->mutable_review()->clear_item_ref(); }, "review.item_ref"),
      Break<RR>("meeting ref given", Review(), [](RR* r) { r->mutable_review()->set_meeting_ref(kMeeting); }, "review.meeting_ref"),
      Break<RR>("category 0", Review(), [](RR* r) { r->mutable_review()->set_category(0); }, "review.category"),
      Break<RR>("level 5", Review(), [](RR* r) { r->mutable_review()->set_level(5); }, "review.level"),
      Break<RR>("action without text", Review(), [](RR* r) { r->mutable_review()->mutable_actions(0)->clear_action(); }, "review.actions[0].action"),
      Break<RR>("action owner unknown", Review(), [](RR* r) { r->mutable_review()->mutable_actions(0)->set_owner_agency("mi5"); }, "review.actions[0].owner_agency"),
      Break<RR>("action due date bad", Review(), [](RR* r) { r->mutable_review()->mutable_actions(0)->set_due_date("2025-02-30"); }, "review.actions[0].due_date"),
      Break<RR>("considered without decision", Review(), [](RR* r) { r->mutable_review()->clear_disclosure_decision(); }, "review.disclosure_decision"),
      Break<RR>("considered without rationale", Review(), [](RR* r) { r->mutable_review()->clear_disclosure_rationale(); }, "review.disclosure_rationale"),
      Break<RR>("decision without consideration", Review(), [](RR* r) { r->mutable_review()->set_disclosure_considered(false); }, "review.disclosure_considered"),
      Break<RR>("next review bad", Review(), [](RR* r) { r->mutable_review()->set_next_review_due("soon"); }, "review.next_review_due"),
      Break<DR>("no recommendation", Discussion(), [](DR* r) { r->mutable_discussion()->clear_recommendation(); }, "discussion.recommendation"),
      Break<DR>("no rationale", Discussion(), [](DR* r) { r->mutable_discussion()->clear_rationale(); }, "discussion.rationale"),
      Break<DR>("disclosure without wording", Discussion(), [](DR* r) { r->mutable_discussion()->clear_recommended_wording(); }, "discussion.recommended_wording"),
      Break<DR>("disclosure to nobody", Discussion(), [](DR* r) { r->mutable_discussion()->clear_recommended_recipients(); }, "discussion.recommended_recipients"),
      Break<DR>("none with wording", Discussion(), [](DR* r) { r->mutable_discussion()->set_recommendation(NO_DISCLOSURE); }, "discussion.recommended_wording"),
      Break<DR>("case ref given", Discussion(), [](DR* r) { r->mutable_discussion()->set_case_ref("CSODS/KENT/1"); }, "discussion.case_ref"),
      Break<MR>("minutes without text", Minutes(), [](MR* r) { r->mutable_minutes()->clear_minutes(); }, "minutes.minutes"),
      Break<MR>("minutes without time", Minutes(), [](MR* r) { r->mutable_minutes()->clear_at(); }, "minutes.at"),
      Break<MR>("minutes in the future", Minutes(), [](MR* r) { *r->mutable_minutes()->mutable_at() = ToProtoTimestamp(kNow + absl::Hours(2)); }, "minutes.at"),
  };
  for (const BadInput& row : rows) {
    SCOPED_TRACE(row.name);
    ExpectViolationsOnlyOf(row.run(this), row.field);
  }
  EXPECT_EQ(events_->LastSequence(), 0u) << "a refused command wrote something";
}

TEST_F(MeetingCommandsTest, AMeetingRunsFromScheduleToMinutesAndReachesTheSubjectsPicture) {
  EXPECT_THAT(Run(Attendance()), StatusIs(absl::StatusCode::kNotFound, "header.meeting_ref:"));
  ASSERT_THAT(Run(Schedule()), IsOk());
  auto again = Schedule();
  again.mutable_header()->set_command_id("cmd-schedule-again");
  EXPECT_THAT(Run(again), StatusIs(absl::StatusCode::kAlreadyExists, "header.meeting_ref:"));
  EXPECT_THAT(Run(Minutes()), StatusIs(absl::StatusCode::kFailedPrecondition, "minutes:")) << "nobody attended";
  ASSERT_THAT(Run(Attendance()), IsOk());
  auto unknown = SubjectItem("9");
  unknown.mutable_item()->mutable_subject()->set_pnc_id("2020/0000001A");
  EXPECT_THAT(Run(unknown), StatusIs(absl::StatusCode::kNotFound, "item.subject:"));
  auto no_case = SubjectItem("2");
  no_case.mutable_item()->clear_subject();
  no_case.mutable_item()->set_case_ref("CSODS/KENT/1");
  EXPECT_THAT(Run(no_case), StatusIs(absl::StatusCode::kNotFound, "item.case_ref:"));
  ASSERT_THAT(Run(SubjectItem()), IsOk());
  EXPECT_THAT(Run(Discussion()), StatusIs(absl::StatusCode::kFailedPrecondition, "discussion.item_ref:"));
  auto unnoted = Review();
  unnoted.mutable_header()->set_command_id("cmd-review-unnoted");
  unnoted.mutable_review()->set_presumption_to_disclose_noted(false);
  EXPECT_THAT(Run(unnoted), StatusIs(absl::StatusCode::kFailedPrecondition, "review.presumption_to_disclose_noted:"));
  ASSERT_THAT(Run(Review()), IsOk());
  auto twice = Review();
  twice.mutable_header()->set_command_id("cmd-review-twice");
  EXPECT_THAT(Run(twice), StatusIs(absl::StatusCode::kFailedPrecondition, "review.item_ref:"));
  ASSERT_THAT(Run(Minutes()), IsOk());
  auto late = SubjectItem("3");
  EXPECT_THAT(Run(late), StatusIs(absl::StatusCode::kFailedPrecondition, "header.meeting_ref:"));
  EXPECT_EQ(events_->LastSequence(), 5u);

  Consume();
  auto meeting = views_->GetMeeting(kMeeting);
  ASSERT_THAT(meeting, IsOk());
  EXPECT_EQ(meeting->state(), MEETING_MINUTED);
  ASSERT_EQ(meeting->agenda_size(), 1);
  EXPECT_EQ(meeting->agenda(0).item().subject_key(), "pnc:2019/0012345X");
  EXPECT_EQ(meeting->agenda(0).review().reviewed_on(), "2025-01-10");
  EXPECT_EQ(meeting->agenda(0).review().meeting_ref(), kMeeting);

  auto view = views_->GetPersonView("pnc:2019/0012345X");
  ASSERT_THAT(view, IsOk());
  ComputeAsOf(absl::CivilDay(2025, 1, 10), &*view);
  EXPECT_EQ(view->latest_mappa_review().review().level(), 3);
  EXPECT_TRUE(view->disclosure_consideration().duty_applies());
  EXPECT_TRUE(view->disclosure_consideration().considered_at_latest_review());
  EXPECT_EQ(view->disclosure_consideration().latest_review_meeting(), kMeeting);
}

TEST_F(MeetingCommandsTest, NothingIsDecidedBeforeTheMeetingHappens) {
  ASSERT_THAT(Run(Schedule(kNow + absl::Hours(24))), IsOk());
  ASSERT_THAT(Run(SubjectItem()), IsOk()) << "the agenda is set beforehand";
  EXPECT_THAT(Run(Attendance()), StatusIs(absl::StatusCode::kFailedPrecondition, "attendance:"));
  EXPECT_THAT(Run(Review()), StatusIs(absl::StatusCode::kFailedPrecondition, "review:"));
  EXPECT_EQ(events_->LastSequence(), 2u);
}

// s.327A's presumption to disclose is checked against the subject's picture; when the
// picture cannot be read (here: a mappa-service whose state holds no record of the
// subject, as while it rebuilds), the review is refused, never recorded unchecked.
TEST_F(MeetingCommandsTest, AReviewIsRefusedWhenThePresumptionCannotBeChecked) {
  ASSERT_THAT(Run(Schedule()), IsOk());
  ASSERT_THAT(Run(Attendance()), IsOk());
  ASSERT_THAT(Run(SubjectItem()), IsOk());
  testing::MappaTestState empty(dir_.path() + "/rebuilding");
  MeetingCommands blind(events_.get(), empty.state(), [] { return kNow; });
  auto unnoted = Review();
  unnoted.mutable_review()->set_presumption_to_disclose_noted(false);
  std::promise<absl::StatusOr<CommandResult>> p;
  blind.Handle(unnoted, call_, [&p](absl::StatusOr<CommandResult> r) { p.set_value(std::move(r)); });
  EXPECT_THAT(p.get_future().get(), StatusIs(absl::StatusCode::kUnavailable, "review:"));
  EXPECT_EQ(events_->LastSequence(), 3u) << "nothing was recorded";
}

// The meetings a coordinator opens: by reference, filtered by state and force, a page at a
// time, each with how far its agenda has got; no one on an agenda is named.
TEST_F(MeetingCommandsTest, MeetingsAreListedByReferenceFilteredAndPaged) {
  ASSERT_THAT(Run(Schedule()), IsOk());
  ASSERT_THAT(Run(SubjectItem()), IsOk());
  ScheduleMeetingRequest essex = Schedule(kNow + absl::Hours(48));
  essex.mutable_header()->set_meeting_ref("MAPPA/ESSEX/0001");
  essex.mutable_header()->set_command_id("cmd-schedule-essex");
  essex.mutable_meeting()->set_force("essex");
  ASSERT_THAT(Run(essex), IsOk());
  Consume();
  MeetingReads reads(views_->state(), nullptr);
  const auto list = [&](ListMeetingsRequest r) {
    std::promise<absl::StatusOr<ListMeetingsResponse>> p;
    reads.Handle(r, call_, [&p](absl::StatusOr<ListMeetingsResponse> out) { p.set_value(std::move(out)); });
    return p.get_future().get();
  };
  auto all = list({});
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->meetings_size(), 2);
  EXPECT_EQ(all->meetings(0).meeting_ref(), "MAPPA/ESSEX/0001");
  EXPECT_EQ(all->meetings(1).meeting_ref(), kMeeting);
  EXPECT_EQ(all->meetings(1).agenda_items(), 1u);
  EXPECT_EQ(all->meetings(1).decided(), 0u);
  EXPECT_EQ(all->meetings(1).scheduled().chair(), "DCI Lowe");
  EXPECT_EQ(all->meetings(1).state(), MEETING_SCHEDULED);
  EXPECT_TRUE(all->next_page_token().empty());

  ListMeetingsRequest kent;
  kent.set_force("kent");
  auto only_kent = list(kent);
  ASSERT_THAT(only_kent, IsOk());
  ASSERT_EQ(only_kent->meetings_size(), 1);
  EXPECT_EQ(only_kent->meetings(0).meeting_ref(), kMeeting);

  ListMeetingsRequest first_page;
  first_page.set_page_size(1);
  auto page = list(first_page);
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->meetings_size(), 1);
  ASSERT_EQ(page->next_page_token(), "MAPPA/ESSEX/0001");
  first_page.set_page_token(page->next_page_token());
  auto second = list(first_page);
  ASSERT_THAT(second, IsOk());
  ASSERT_EQ(second->meetings_size(), 1);
  EXPECT_EQ(second->meetings(0).meeting_ref(), kMeeting);
  EXPECT_TRUE(second->next_page_token().empty());

  ListMeetingsRequest minuted;
  minuted.set_state(MEETING_MINUTED);
  auto none = list(minuted);
  ASSERT_THAT(none, IsOk());
  EXPECT_EQ(none->meetings_size(), 0);
  ListMeetingsRequest bad;
  bad.set_state(static_cast<MeetingState>(99));
  EXPECT_THAT(list(bad).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace safeguard::mappa
