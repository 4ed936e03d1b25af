#include "services/childrens/childrens_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/childrens_requests.h"
#include "tests/testing/correction_requests.h"
#include "services/childrens/childrens_stream_state.h"
#include "tests/testing/agency_commands_fixture.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::childrens {
namespace {

const ChildrensStreamFolder kFolder;

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;

class ChildrensCommandsTest : public testing::AgencyCommandsTest<ChildrensCommands> {
 protected:
  ChildrensCommandsTest() : AgencyCommandsTest(AGENCY_CHILDRENS_SERVICES, "sw-1", &kFolder) {
  }
};

using BadInput = ChildrensCommandsTest::BadInput;
template <typename Request>
auto Break(Request request, std::function<void(Request*)> mutate) {
  return ChildrensCommandsTest::Break<Request>(std::move(request), std::move(mutate));
}

std::vector<BadInput> BadInputs() {
  using namespace safeguard::testing;
  using RF = RecordReferralRequest;
  using SE = StartSection47EnquiryRequest;
  using CE = ConcludeSection47EnquiryRequest;
  using SP = StartChildProtectionPlanRequest;
  using EP = EndChildProtectionPlanRequest;
  using CA = RecordConcernAboutAdultRequest;
  using HM = RecordHouseholdMembershipRequest;
  using EH = EndHouseholdMembershipRequest;
  return {
      {"no subject reference", Break<RF>(ValidReferral(), [](RF* r) { r->mutable_header()->mutable_subject()->clear_childrens_case_id(); }), "header.subject.childrens_case_id"},
      {"child named only by PNC", Break<RF>(ValidReferral(), [](RF* r) { r->mutable_header()->mutable_subject()->clear_childrens_case_id(); r->mutable_header()->mutable_subject()->set_pnc_id("2019/0012345X"); }), "header.subject.childrens_case_id"},
      {"malformed case id", Break<RF>(ValidReferral(), [](RF* r) { r->mutable_header()->mutable_subject()->set_childrens_case_id("a b"); }), "header.subject.childrens_case_id"},
      {"referral missing", Break<RF>(ValidReferral(), [](RF* r) { r->clear_referral(); }), "referral"},
      {"referral ref missing", Break<RF>(ValidReferral(), [](RF* r) { r->mutable_referral()->clear_referral_ref(); }), "referral.referral_ref"},
      {"referral ref free text", Break<RF>(ValidReferral(), [](RF* r) { r->mutable_referral()->set_referral_ref("see the file on the shared drive"); }), "referral.referral_ref"},
      {"plan ref a path", Break<SP>(ValidPlan(), [](SP* r) { r->mutable_plan()->set_plan_ref("../../etc/passwd"); }), "plan.plan_ref"},
      {"probation CRN free text", Break<RF>(ValidReferral(), [](RF* r) { r->mutable_header()->mutable_subject()->set_probation_case_ref("../../etc/passwd"); }), "header.subject.probation_case_ref"},
      {"referral date in future", Break<RF>(ValidReferral(), [](RF* r) { r->mutable_referral()->set_received_date("2025-01-11"); }), "referral.received_date"},
      {"referral source missing", Break<RF>(ValidReferral(), [](RF* r) { r->mutable_referral()->clear_source(); }), "referral.source"},
      {"referral concern missing", Break<RF>(ValidReferral(), [](RF* r) { r->mutable_referral()->clear_concern(); }), "referral.concern"},
      {"enquiry ref missing", Break<SE>(ValidEnquiry(), [](SE* r) { r->mutable_enquiry()->clear_enquiry_ref(); }), "enquiry.enquiry_ref"},
      {"enquiry date malformed", Break<SE>(ValidEnquiry(), [](SE* r) { r->mutable_enquiry()->set_start_date("2024/09/02"); }), "enquiry.start_date"},
      {"enquiry reason missing", Break<SE>(ValidEnquiry(), [](SE* r) { r->mutable_enquiry()->clear_reason(); }), "enquiry.reason"},
      {"outcome missing", Break<CE>(ValidConclusion(), [](CE* r) { r->mutable_conclusion()->clear_outcome(); }), "conclusion.outcome"},
      {"outcome unknown", Break<CE>(ValidConclusion(), [](CE* r) { r->mutable_conclusion()->set_outcome(static_cast<Section47Outcome>(8)); }), "conclusion.outcome"},
      {"conclusion summary missing", Break<CE>(ValidConclusion(), [](CE* r) { r->mutable_conclusion()->clear_summary(); }), "conclusion.summary"},
      {"plan category missing", Break<SP>(ValidPlan(), [](SP* r) { r->mutable_plan()->clear_category(); }), "plan.category"},
      {"plan start impossible", Break<SP>(ValidPlan(), [](SP* r) { r->mutable_plan()->set_start_date("2024-02-30"); }), "plan.start_date"},
      {"plan ending reason missing", Break<EP>(ValidPlanEnding(), [](EP* r) { r->mutable_ending()->clear_reason(); }), "ending.reason"},
      {"concern child missing", Break<CA>(ValidConcern(), [](CA* r) { r->mutable_concern()->clear_child(); }), "concern.child"},
      {"concern child case id missing", Break<CA>(ValidConcern(), [](CA* r) { r->mutable_concern()->mutable_child()->clear_childrens_case_id(); }), "concern.child.childrens_case_id"},
      {"concern child born in future", Break<CA>(ValidConcern(), [](CA* r) { r->mutable_concern()->mutable_child()->set_date_of_birth("2026-01-01"); }), "concern.child.date_of_birth"},
      {"concern text missing", Break<CA>(ValidConcern(), [](CA* r) { r->mutable_concern()->clear_concern(); }), "concern.concern"},
      {"adult with no reference", Break<CA>(ValidConcern(), [](CA* r) { r->mutable_header()->mutable_subject()->clear_pnc_id(); }), "header.subject.childrens_case_id"},
      {"membership contact missing", Break<HM>(ValidMembership(), [](HM* r) { r->mutable_membership()->clear_contact(); }), "membership.contact"},
      {"membership child case malformed", Break<HM>(ValidMembership(), [](HM* r) { r->mutable_membership()->mutable_child()->set_childrens_case_id("x"); }), "membership.child.childrens_case_id"},
      {"a child born before the adult", Break<HM>(ValidMembership(), [](HM* r) { r->mutable_header()->mutable_subject()->set_date_of_birth("2016-01-01"); }), "membership.child.date_of_birth"},
      {"concern about a child born before the adult", Break<CA>(ValidConcern(), [](CA* r) { r->mutable_header()->mutable_subject()->set_date_of_birth("2016-01-01"); }), "concern.child.date_of_birth"},
      {"concern dated before the adult was born", Break<CA>(ValidConcern(), [](CA* r) { r->mutable_header()->mutable_subject()->set_date_of_birth("2024-10-01"); r->mutable_concern()->mutable_child()->clear_date_of_birth(); }), "concern.recorded_date"},
      {"in the household before the child was born", Break<HM>(ValidMembership(), [](HM* r) { r->mutable_membership()->set_from_date("2015-01-01"); }), "membership.from_date"},
      {"another adult unnamed", Break<HM>(ValidMembership(), [](HM* r) { r->mutable_membership()->mutable_other_adults(0)->clear_given_name(); }), "membership.other_adults[0].given_name"},
      {"another adult's relationship missing", Break<HM>(ValidMembership(), [](HM* r) { r->mutable_membership()->mutable_other_adults(0)->clear_relationship_to_child(); }), "membership.other_adults[0].relationship_to_child"},
      {"another adult younger than the child", Break<HM>(ValidMembership(), [](HM* r) { r->mutable_membership()->mutable_other_adults(0)->set_date_of_birth("2016-01-01"); }), "membership.other_adults[0].date_of_birth"},
      {"another adult's person record malformed", Break<HM>(ValidMembership(), [](HM* r) { r->mutable_membership()->mutable_other_adults(0)->set_childrens_case_id("a b"); }), "membership.other_adults[0].childrens_case_id"},
      {"eleven other adults", Break<HM>(ValidMembership(), [](HM* r) { for (int i = 0; i < 10; ++i) *r->mutable_membership()->add_other_adults() = r->membership().other_adults(0); }), "membership.other_adults"},
      {"membership from date missing", Break<HM>(ValidMembership(), [](HM* r) { r->mutable_membership()->clear_from_date(); }), "membership.from_date"},
      {"adult is the child", Break<HM>(ValidMembership(), [](HM* r) { r->mutable_header()->mutable_subject()->clear_pnc_id(); r->mutable_header()->mutable_subject()->set_childrens_case_id("cs-1001"); }), "membership.child.childrens_case_id"},
      {"membership ending ref missing", Break<EH>(ValidMembershipEnding(), [](EH* r) { r->mutable_ending()->clear_membership_ref(); }), "ending.membership_ref"},
  };
}

TEST_F(ChildrensCommandsTest, EveryBadInputIsRefusedNamingItsFieldAndWritesNothing) {
  ExpectEveryBadInputRefused(BadInputs());
}

TEST_F(ChildrensCommandsTest, ChildAndAdultAreFiledUnderTheirOwnKeys) {
  auto child = Run(testing::ValidReferral());
  ASSERT_THAT(child, IsOk());
  EXPECT_EQ(child->stream_id(), "childrens/childrens:CS-1001");
  auto adult = Run(testing::ValidConcern());
  ASSERT_THAT(adult, IsOk());
  EXPECT_EQ(adult->stream_id(), "childrens/pnc:2019/0012345X");
}

TEST_F(ChildrensCommandsTest, LifecyclesFollowTheRecord) {
  EXPECT_THAT(Run(testing::ValidConclusion()), StatusIs(absl::StatusCode::kFailedPrecondition, "conclusion.enquiry_ref"));
  ASSERT_THAT(Run(testing::ValidEnquiry()), IsOk());
  EXPECT_THAT(Run(testing::ValidEnquiry("cmd-s47-start-2")), StatusIs(absl::StatusCode::kAlreadyExists, "enquiry.enquiry_ref"));
  ASSERT_THAT(Run(testing::ValidConclusion()), IsOk());
  EXPECT_THAT(Run(testing::ValidConclusion("cmd-s47-end-2")), StatusIs(absl::StatusCode::kFailedPrecondition, "already ended"));

  EXPECT_THAT(Run(testing::ValidPlanEnding()), StatusIs(absl::StatusCode::kFailedPrecondition, "ending.plan_ref"));
  ASSERT_THAT(Run(testing::ValidPlan()), IsOk());
  ASSERT_THAT(Run(testing::ValidPlanEnding()), IsOk());
  EXPECT_THAT(Run(testing::ValidPlanEnding("cmd-plan-end-2")), StatusIs(absl::StatusCode::kFailedPrecondition, "already ended"));

  EXPECT_THAT(Run(testing::ValidMembershipEnding()), StatusIs(absl::StatusCode::kFailedPrecondition, "ending.membership_ref"));
  ASSERT_THAT(Run(testing::ValidMembership()), IsOk());
  EXPECT_THAT(Run(testing::ValidMembership("cmd-household-2")), StatusIs(absl::StatusCode::kAlreadyExists, "membership.membership_ref"));
  ASSERT_THAT(Run(testing::ValidMembershipEnding()), IsOk());
  ASSERT_THAT(Run(testing::ValidReferral()), IsOk());
  EXPECT_THAT(Run(testing::ValidReferral("cmd-referral-2")), StatusIs(absl::StatusCode::kAlreadyExists, "referral.referral_ref"));
  ASSERT_THAT(Run(testing::ValidConcern()), IsOk());
  EXPECT_THAT(Run(testing::ValidConcern("cmd-concern-2")), StatusIs(absl::StatusCode::kAlreadyExists, "concern.concern_ref"));
  EXPECT_EQ(store_->LastSequence(), 8u);
}

// A household membership recorded against the wrong child is amended to the right one; an
// ending retracted leaves the membership current; a membership recorded in error is
// retracted once its ending is, and its reference is free again.
TEST_F(ChildrensCommandsTest, AMembershipAgainstTheWrongChildIsAmendedAndOneInErrorRetracted) {
  auto membership = Run(testing::ValidMembership());
  ASSERT_THAT(membership, IsOk());
  const CommandHeader header = testing::ValidMembership().header();
  RecordCorrectionRequest right_child =
      testing::Correction(header, "cmd-fix-child", membership->event_id(), AMENDED, WRONG_CHILD);
  *right_child.mutable_correction()->mutable_household_membership_recorded() = testing::ValidMembership().membership();
  right_child.mutable_correction()->mutable_household_membership_recorded()->mutable_child()->set_childrens_case_id("cs-1002");
  auto amended = Run(right_child);
  ASSERT_THAT(amended, IsOk());
  auto events = store_->ReadStream(amended->stream_id(), amended->stream_version(), 1);
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ((*events)[0].event_type(), "childrens.FactCorrected");
  EXPECT_EQ((*events)[0].fact_corrected().household_membership_recorded().child().childrens_case_id(), "CS-1002")
      << "the amended fact is normalised as the command's would be";

  auto ending = Run(testing::ValidMembershipEnding());
  ASSERT_THAT(ending, IsOk());
  EXPECT_THAT(Run(testing::ValidMembershipEnding("cmd-household-end-2")), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(Run(testing::Correction(header, "cmd-fix-ending", ending->event_id(), RETRACTED, KEYING_ERROR)), IsOk());
  auto ended_again = Run(testing::ValidMembershipEnding("cmd-household-end-3"));
  ASSERT_THAT(ended_again, IsOk()) << "current again, so it can end";

  // Recorded in error: it goes once its ending has (each retraction decided on its own).
  EXPECT_THAT(Run(testing::Correction(header, "cmd-fix-error", membership->event_id(), RETRACTED, KEYING_ERROR)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "started membership_ref 'HH-1', and what was recorded under it stands: "
                       "HouseholdMembershipEnded " + ended_again->event_id()));
  ASSERT_THAT(Run(testing::Correction(header, "cmd-fix-ending-2", ended_again->event_id(), RETRACTED, KEYING_ERROR)),
              IsOk());
  ASSERT_THAT(Run(testing::Correction(header, "cmd-fix-error", membership->event_id(), RETRACTED, KEYING_ERROR)),
              IsOk());
  EXPECT_THAT(Run(testing::ValidMembership("cmd-household-again")), IsOk()) << "its reference is free again";
}

}  // namespace
}  // namespace safeguard::childrens
