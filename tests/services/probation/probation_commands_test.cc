#include "services/probation/probation_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/correction_requests.h"
#include "tests/testing/probation_requests.h"
#include "services/probation/probation_stream_state.h"
#include "tests/testing/agency_commands_fixture.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::probation {
namespace {

const ProbationStreamFolder kFolder;

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;

class ProbationCommandsTest : public testing::AgencyCommandsTest<ProbationCommands> {
 protected:
  ProbationCommandsTest() : AgencyCommandsTest(AGENCY_PROBATION, "om-1", &kFolder) {
  }
};

using BadInput = ProbationCommandsTest::BadInput;
template <typename Request>
auto Break(Request request, std::function<void(Request*)> mutate) {
  return ProbationCommandsTest::Break<Request>(std::move(request), std::move(mutate));
}

std::vector<BadInput> BadInputs() {
  using namespace safeguard::testing;
  using SS = StartSupervisionRequest;
  using ES = EndSupervisionRequest;
  using RA = RecordRiskAssessmentRequest;
  using LC = SetLicenceConditionsRequest;
  using LB = RecordLicenceBreachRequest;
  using RR = RecordRecallRequest;
  using MP = ProposeMappaCategoryLevelRequest;
  return {
      {"no reference at all", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_header()->mutable_subject()->clear_probation_case_ref(); }), "header.subject.probation_case_ref"},
      {"malformed case reference", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_header()->mutable_subject()->set_probation_case_ref("12345"); }), "header.subject.probation_case_ref"},
      {"malformed PNC id", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_header()->mutable_subject()->set_pnc_id("nope"); }), "header.subject.pnc_id"},
      {"missing command id", Break<RA>(ValidAssessment(), [](RA* r) { r->mutable_header()->clear_command_id(); }), "header.command_id"},
      {"supervision missing", Break<SS>(ValidSupervision(), [](SS* r) { r->clear_supervision(); }), "supervision"},
      {"supervision ref missing", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_supervision()->clear_supervision_ref(); }), "supervision.supervision_ref"},
      {"supervision ref with a direction override", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_supervision()->set_supervision_ref("LIC-\u202e10-CIL"); }), "supervision.supervision_ref"},
      {"supervision ref a path", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_supervision()->set_supervision_ref("../../etc/passwd"); }), "supervision.supervision_ref"},
      {"supervision kind missing", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_supervision()->clear_kind(); }), "supervision.kind"},
      {"supervision starts in future", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_supervision()->set_start_date("2025-02-01"); }), "supervision.start_date"},
      {"supervision starts before the subject's birth", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_header()->mutable_subject()->set_date_of_birth("2024-01-01"); }), "supervision.start_date"},
      {"supervision ends before start", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_supervision()->set_expected_end_date("2022-01-01"); }), "supervision.expected_end_date"},
      {"supervision region missing", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_supervision()->clear_probation_region(); }), "supervision.probation_region"},
      {"offender manager missing", Break<SS>(ValidSupervision(), [](SS* r) { r->mutable_supervision()->clear_offender_manager(); }), "supervision.offender_manager"},
      {"ending missing", Break<ES>(ValidEnding(), [](ES* r) { r->clear_ending(); }), "ending"},
      {"ending date impossible", Break<ES>(ValidEnding(), [](ES* r) { r->mutable_ending()->set_end_date("2024-02-30"); }), "ending.end_date"},
      {"ending reason missing", Break<ES>(ValidEnding(), [](ES* r) { r->mutable_ending()->clear_reason(); }), "ending.reason"},
      {"assessment ref missing", Break<RA>(ValidAssessment(), [](RA* r) { r->mutable_assessment()->clear_assessment_ref(); }), "assessment.assessment_ref"},
      {"assessment in future", Break<RA>(ValidAssessment(), [](RA* r) { r->mutable_assessment()->set_assessed_on("2025-06-01"); }), "assessment.assessed_on"},
      {"overall RoSH missing", Break<RA>(ValidAssessment(), [](RA* r) { r->mutable_assessment()->clear_rosh_overall(); }), "assessment.rosh_overall"},
      {"RoSH to children missing", Break<RA>(ValidAssessment(), [](RA* r) { r->mutable_assessment()->clear_rosh_children(); }), "assessment.rosh_children"},
      {"RM2000 unknown value", Break<RA>(ValidAssessment(), [](RA* r) { r->mutable_assessment()->set_rm2000_category(static_cast<RiskLevel>(9)); }), "assessment.rm2000_category"},
      {"summary too long", Break<RA>(ValidAssessment(), [](RA* r) { r->mutable_assessment()->set_summary(std::string(4001, 's')); }), "assessment.summary"},
      {"conditions missing", Break<LC>(ValidConditions(), [](LC* r) { r->clear_conditions(); }), "conditions"},
      {"no conditions listed", Break<LC>(ValidConditions(), [](LC* r) { r->mutable_conditions()->clear_conditions(); }), "conditions.conditions"},
      {"condition kind missing", Break<LC>(ValidConditions(), [](LC* r) { r->mutable_conditions()->mutable_conditions(1)->clear_kind(); }), "conditions.conditions[1].kind"},
      {"condition text missing", Break<LC>(ValidConditions(), [](LC* r) { r->mutable_conditions()->mutable_conditions(0)->clear_text(); }), "conditions.conditions[0].text"},
      {"condition ref repeated", Break<LC>(ValidConditions(), [](LC* r) { r->mutable_conditions()->mutable_conditions(1)->set_condition_ref("C1"); }), "conditions.conditions[1].condition_ref"},
      {"conditions effective date malformed", Break<LC>(ValidConditions(), [](LC* r) { r->mutable_conditions()->set_effective_date("9 Jan 2023"); }), "conditions.effective_date"},
      {"breach condition missing", Break<LB>(ValidLicenceBreach(), [](LB* r) { r->mutable_breach()->clear_condition_ref(); }), "breach.condition_ref"},
      {"breach description missing", Break<LB>(ValidLicenceBreach(), [](LB* r) { r->mutable_breach()->clear_description(); }), "breach.description"},
      {"recall kind missing", Break<RR>(ValidRecall(), [](RR* r) { r->mutable_recall()->clear_kind(); }), "recall.kind"},
      {"recall reason missing", Break<RR>(ValidRecall(), [](RR* r) { r->mutable_recall()->clear_reason(); }), "recall.reason"},
      {"MAPPA category out of range", Break<MP>(ValidProposal(), [](MP* r) { r->mutable_proposal()->set_category(4); }), "proposal.category"},
      {"MAPPA level missing", Break<MP>(ValidProposal(), [](MP* r) { r->mutable_proposal()->set_level(0); }), "proposal.level"},
      {"proposal rationale missing", Break<MP>(ValidProposal(), [](MP* r) { r->mutable_proposal()->clear_rationale(); }), "proposal.rationale"},
  };
}

TEST_F(ProbationCommandsTest, EveryBadInputIsRefusedNamingItsFieldAndWritesNothing) {
  ExpectEveryBadInputRefused(BadInputs());
}

TEST_F(ProbationCommandsTest, SubjectIsFiledUnderPncWhenKnownElseCaseReference) {
  auto by_crn = Run(testing::ValidSupervision("cmd-crn-000001", " x123456 "));
  ASSERT_THAT(by_crn, IsOk());
  EXPECT_EQ(by_crn->stream_id(), "probation/probation:X123456");
  auto with_pnc = testing::ValidAssessment("cmd-pnc-000001", "Y654321");
  with_pnc.mutable_header()->mutable_subject()->set_pnc_id("2019/12345x");
  auto r = Run(with_pnc);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->stream_id(), "probation/pnc:2019/0012345X");
}

TEST_F(ProbationCommandsTest, SupervisionRulesFollowTheRecord) {
  // Nothing can happen under a supervision not yet started.
  EXPECT_THAT(Run(testing::ValidConditions()), StatusIs(absl::StatusCode::kFailedPrecondition, "conditions.supervision_ref"));
  EXPECT_THAT(Run(testing::ValidEnding()), StatusIs(absl::StatusCode::kFailedPrecondition, "ending.supervision_ref"));
  ASSERT_THAT(Run(testing::ValidSupervision()), IsOk());
  EXPECT_THAT(Run(testing::ValidSupervision("cmd-supervision-2")),
              StatusIs(absl::StatusCode::kAlreadyExists, "supervision.supervision_ref"));
  // A breach must name a current condition.
  EXPECT_THAT(Run(testing::ValidLicenceBreach()), StatusIs(absl::StatusCode::kFailedPrecondition, "breach.condition_ref"));
  ASSERT_THAT(Run(testing::ValidConditions()), IsOk());
  EXPECT_THAT(Run(testing::ValidLicenceBreach("cmd-licence-breach-9", "X123456", "LIC-1", "C9")),
              StatusIs(absl::StatusCode::kFailedPrecondition, "C9"));
  ASSERT_THAT(Run(testing::ValidLicenceBreach()), IsOk());
  ASSERT_THAT(Run(testing::ValidRecall()), IsOk());
  ASSERT_THAT(Run(testing::ValidEnding()), IsOk());
  // Once ended, nothing more happens under it.
  EXPECT_THAT(Run(testing::ValidRecall("cmd-recall-2")), StatusIs(absl::StatusCode::kFailedPrecondition, "has ended"));
  EXPECT_THAT(Run(testing::ValidEnding("cmd-ending-2")), StatusIs(absl::StatusCode::kFailedPrecondition, "has ended"));
  EXPECT_EQ(store_->LastSequence(), 5u);
}

TEST_F(ProbationCommandsTest, OnlyALicenceCanBeRecalled) {
  ASSERT_THAT(Run(testing::ValidSupervision("cmd-co-000001", "X123456", "CO-1", COMMUNITY_ORDER)), IsOk());
  EXPECT_THAT(Run(testing::ValidRecall("cmd-recall-co", "X123456", "CO-1")),
              StatusIs(absl::StatusCode::kFailedPrecondition, "not a licence"));
}

TEST_F(ProbationCommandsTest, AssessmentReferencesAreRecordedOnce) {
  ASSERT_THAT(Run(testing::ValidAssessment()), IsOk());
  EXPECT_THAT(Run(testing::ValidAssessment("cmd-assessment-2")),
              StatusIs(absl::StatusCode::kAlreadyExists, "assessment.assessment_ref"));
  // The same command again is a replay, not a conflict.
  auto replay = Run(testing::ValidAssessment());
  ASSERT_THAT(replay, IsOk());
  EXPECT_TRUE(replay->idempotent_replay());
  ASSERT_THAT(Run(testing::ValidProposal()), IsOk());
  EXPECT_EQ(store_->LastSequence(), 2u);
}

// Corrections of probation's facts keep its rules' state true: an ending recorded in error
// reopens the supervision; a set of conditions retracted gives back the set before it; a
// start retracted (once what was recorded under it is) is as if never recorded, so it can
// be recorded again.
TEST_F(ProbationCommandsTest, CorrectionsUndoWhatTheFactsSetInTheRules) {
  auto started = Run(testing::ValidSupervision());
  ASSERT_THAT(started, IsOk());
  auto first_set = Run(testing::ValidConditions());
  ASSERT_THAT(first_set, IsOk());
  SetLicenceConditionsRequest second = testing::ValidConditions("cmd-conditions-2");
  second.mutable_conditions()->mutable_conditions(0)->set_condition_ref("C3");
  auto second_set = Run(second);
  ASSERT_THAT(second_set, IsOk());
  EXPECT_THAT(Run(testing::ValidLicenceBreach()), StatusIs(absl::StatusCode::kFailedPrecondition, "C1"))
      << "C1 is not in the current set";
  const CommandHeader header = testing::ValidSupervision().header();
  ASSERT_THAT(Run(testing::Correction(header, "cmd-fix-conditions", second_set->event_id(), RETRACTED, KEYING_ERROR)),
              IsOk());
  auto breach = Run(testing::ValidLicenceBreach());
  ASSERT_THAT(breach, IsOk()) << "the first set is current again";

  auto ended = Run(testing::ValidEnding());
  ASSERT_THAT(ended, IsOk());
  EXPECT_THAT(Run(testing::ValidLicenceBreach("cmd-licence-breach-2")),
              StatusIs(absl::StatusCode::kFailedPrecondition, "has ended"));
  ASSERT_THAT(Run(testing::Correction(header, "cmd-fix-ending", ended->event_id(), RETRACTED, KEYING_ERROR)), IsOk());
  auto breach_again = Run(testing::ValidLicenceBreach("cmd-licence-breach-3"));
  ASSERT_THAT(breach_again, IsOk()) << "the supervision is open again";

  // An amended start (a licence recorded as a community order, say) changes its kind.
  RecordCorrectionRequest kind = testing::Correction(header, "cmd-fix-kind", started->event_id(), AMENDED, KEYING_ERROR);
  *kind.mutable_correction()->mutable_supervision_started() = testing::ValidSupervision().supervision();
  kind.mutable_correction()->mutable_supervision_started()->set_kind(COMMUNITY_ORDER);
  ASSERT_THAT(Run(kind), IsOk());
  EXPECT_THAT(Run(testing::ValidRecall()), StatusIs(absl::StatusCode::kFailedPrecondition, "not a licence"));

  // Recorded against the wrong person: the start goes once what was recorded under it has.
  auto retract = [&](const std::string& command_id, const std::string& event_id) {
    return Run(testing::Correction(header, command_id, event_id, RETRACTED, RECORDED_AGAINST_WRONG_PERSON));
  };
  EXPECT_THAT(retract("cmd-fix-start", started->event_id()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "what was recorded under it stands: LicenceConditionsSet " + first_set->event_id() +
                           ", LicenceBreachRecorded " + breach->event_id() + ", LicenceBreachRecorded " +
                           breach_again->event_id() + "; retract those first"));
  for (const std::string& id : {first_set->event_id(), breach->event_id(), breach_again->event_id()}) {
    ASSERT_THAT(retract("cmd-fix-" + id, id), IsOk());
  }
  ASSERT_THAT(retract("cmd-fix-start", started->event_id()), IsOk());
  EXPECT_THAT(Run(testing::ValidLicenceBreach("cmd-licence-breach-4")),
              StatusIs(absl::StatusCode::kFailedPrecondition, "no supervision"));
  EXPECT_THAT(Run(testing::ValidSupervision("cmd-supervision-again")), IsOk()) << "recorded again, afresh";
}

}  // namespace
}  // namespace safeguard::probation
