// MAPPA users' identity decisions on a real event store, with the identity index they are
// judged against: validation naming the field, the state rules, idempotency, and the
// decision events applied back to the index as mappa-service's consumer would.
#include "services/mappa/identity/identity_commands.h"
#include "services/mappa/mappa_stream_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <optional>

#include "services/mappa/identity/identity.h"
#include "tests/testing/events.h"
#include "tests/testing/view_feeder.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;

constexpr char kProbation[] = "probation:X123456";
constexpr char kChildrens[] = "childrens:CS-2001";

class IdentityCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto events = EventStore::Open(EventStore::Options{.path = dir_.path() + "/events", .folder = &folder_, .keys = testing::TestKeys()});
    ASSERT_THAT(events, IsOk());
    events_ = std::move(events).value();
    views_ = std::make_unique<testing::MappaTestState>(dir_.path() + "/views");
    feeder_.emplace(views_.get());
    commands_ = std::make_unique<IdentityCommands>(events_.get(), views_->state());
    call_.actor.set_agency(AGENCY_MAPPA);
    call_.actor.set_user("chair-1");

    // Two records with the same name and date of birth: one candidate link.
    SubjectRef who;
    who.set_given_name("John");
    who.set_family_name("O'Neill");
    who.set_date_of_birth("1980-05-01");
    SubjectRef p = who, c = who;
    p.set_probation_case_ref("X123456");
    c.set_childrens_case_id("CS-2001");
    Feed({f_.About(AGENCY_PROBATION, kProbation, p, "2024-01-01",
                   [](EventEnvelope* e) { e->mutable_supervision_started()->set_supervision_ref("LIC-1"); }),
          f_.About(AGENCY_CHILDRENS_SERVICES, kChildrens, c, "2024-02-01",
                   [](EventEnvelope* e) { e->mutable_concern_about_adult_recorded()->set_concern_ref("C-1"); })});
    link_ = LinkIdFor(kProbation, kChildrens);
  }

  void Feed(const std::vector<EventEnvelope>& events) { feeder_->Feed(events); }
  // Applies what the commands have appended since the last call, as the consumer would.
  void Consume() { feeder_->Consume(*events_); }

  DecideIdentityLinkRequest Decision(const std::string& command_id, const std::string& reason = "photo match") {
    DecideIdentityLinkRequest r;
    r.set_command_id(command_id);
    r.set_link_id(link_);
    r.set_reason(reason);
    return r;
  }

  absl::StatusOr<CommandResult> Decide(IdentityLinkStatus decision, const DecideIdentityLinkRequest& request) {
    std::promise<absl::StatusOr<CommandResult>> p;
    commands_->Decide(request, decision, call_, [&p](absl::StatusOr<CommandResult> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  absl::StatusOr<CommandResult> Link(const LinkRecordsRequest& request) {
    std::promise<absl::StatusOr<CommandResult>> p;
    commands_->Handle(request, call_, [&p](absl::StatusOr<CommandResult> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  const MappaStreamFolder folder_;
  TempDir dir_;
  std::unique_ptr<EventStore> events_;
  std::unique_ptr<testing::MappaTestState> views_;
  std::unique_ptr<IdentityCommands> commands_;
  CallContext call_;
  safeguard::testing::EventFactory f_;
  std::string link_;
  std::optional<testing::ViewFeeder> feeder_;
};

TEST_F(IdentityCommandsTest, BadInputIsRefusedNamingTheFieldAndWritesNothing) {
  auto no_id = Decision("");
  auto bad_id = Decision("cmd-decision-1");
  bad_id.set_link_id("not-a-link");
  auto no_reason = Decision("cmd-decision-1", "");
  auto long_reason = Decision("cmd-decision-1", std::string(2001, 'x'));
  EXPECT_THAT(Decide(LINKED, no_id), StatusIs(absl::StatusCode::kInvalidArgument, "command_id"));
  EXPECT_THAT(Decide(LINKED, bad_id), StatusIs(absl::StatusCode::kInvalidArgument, "link_id"));
  EXPECT_THAT(Decide(REJECTED, no_reason), StatusIs(absl::StatusCode::kInvalidArgument, "reason"));
  EXPECT_THAT(Decide(UNLINKED, long_reason), StatusIs(absl::StatusCode::kInvalidArgument, "reason"));
  auto unknown = Decision("cmd-decision-1");
  unknown.set_link_id("link-0123456789abcdef0123");
  EXPECT_THAT(Decide(LINKED, unknown), StatusIs(absl::StatusCode::kNotFound, "link_id"));

  LinkRecordsRequest link;
  link.set_command_id("cmd-decision-2");
  link.set_reason("known to be him");
  link.mutable_record_a()->set_probation_case_ref("X123456");
  EXPECT_THAT(Link(link), StatusIs(absl::StatusCode::kInvalidArgument, "record_b.pnc_id"));
  link.mutable_record_b()->set_pnc_id("2019/12345");  // no check letter
  EXPECT_THAT(Link(link), StatusIs(absl::StatusCode::kInvalidArgument, "record_b.pnc_id"));
  link.mutable_record_b()->set_pnc_id("2019/0012345X");  // well formed, not held
  EXPECT_THAT(Link(link), StatusIs(absl::StatusCode::kNotFound, "record_b"));
  link.mutable_record_b()->Clear();
  link.mutable_record_b()->set_probation_case_ref("x123456");  // the same record
  EXPECT_THAT(Link(link), StatusIs(absl::StatusCode::kFailedPrecondition, "record_b"));
  EXPECT_EQ(events_->LastSequence(), 0u);
}

TEST_F(IdentityCommandsTest, DecisionsFollowTheLinksStateAndAreAppliedBack) {
  // A candidate cannot be unlinked; it can be rejected, then confirmed after all.
  EXPECT_THAT(Decide(UNLINKED, Decision("cmd-decision-1")), StatusIs(absl::StatusCode::kFailedPrecondition, "link_id"));
  auto rejected = Decide(REJECTED, Decision("cmd-decision-2", "different photographs"));
  ASSERT_THAT(rejected, IsOk());
  EXPECT_EQ(rejected->stream_id(), "mappa/" + link_);
  // Judged on the stream even before the consumer has applied the rejection.
  EXPECT_THAT(Decide(REJECTED, Decision("cmd-decision-3")), StatusIs(absl::StatusCode::kFailedPrecondition, "link_id"));
  Consume();
  EXPECT_EQ(views_->GetLink(link_)->status(), REJECTED);

  ASSERT_THAT(Decide(LINKED, Decision("cmd-decision-4", "same NHS number after all")), IsOk());
  EXPECT_THAT(Decide(LINKED, Decision("cmd-decision-5")), StatusIs(absl::StatusCode::kFailedPrecondition, "link_id"));
  Consume();
  auto link = views_->GetLink(link_);
  EXPECT_EQ(link->status(), LINKED);
  EXPECT_EQ(link->decisions(), 2u);
  EXPECT_EQ(link->decision_reason(), "same NHS number after all");
  EXPECT_EQ(link->decision_provenance().recorded_by().user(), "chair-1");
  EXPECT_THAT(*views_->PersonRecords(kChildrens), ::testing::ElementsAre(kProbation, kChildrens));

  ASSERT_THAT(Decide(UNLINKED, Decision("cmd-decision-6", "brothers")), IsOk());
  Consume();
  EXPECT_THAT(*views_->PersonRecords(kChildrens), ::testing::ElementsAre(kChildrens));
}

TEST_F(IdentityCommandsTest, ARepeatedCommandIdReturnsTheOriginalAndCannotBeReusedForAnotherDecision) {
  auto first = Decide(LINKED, Decision("cmd-decision-1"));
  ASSERT_THAT(first, IsOk());
  auto again = Decide(LINKED, Decision("cmd-decision-1"));
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->idempotent_replay());
  EXPECT_EQ(again->event_id(), first->event_id());
  EXPECT_THAT(Decide(UNLINKED, Decision("cmd-decision-1")), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(events_->LastSequence(), 1u);
}

TEST_F(IdentityCommandsTest, RecordsNoRuleProposedCanBeLinkedByReference) {
  SubjectRef police;
  police.set_pnc_id("2019/0012345X");
  Feed({f_.About(AGENCY_POLICE, "pnc:2019/0012345X", police, "2019-01-15",
                 [](EventEnvelope* e) { e->mutable_conviction_recorded()->set_classification(CHILD_SEXUAL); })});
  LinkRecordsRequest r;
  r.set_command_id("cmd-link-1");
  r.set_reason("Custody photograph matches the probation record");
  r.mutable_record_a()->set_pnc_id("2019/12345x");
  r.mutable_record_b()->set_probation_case_ref("x123456");
  ASSERT_THAT(Link(r), IsOk());
  Consume();
  EXPECT_THAT(*views_->PersonRecords(kProbation), ::testing::ElementsAre("pnc:2019/0012345X", kProbation));
  EXPECT_EQ(views_->GetPersonView(kProbation)->convictions_size(), 1);
}

}  // namespace
}  // namespace safeguard::mappa
