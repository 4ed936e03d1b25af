// The disclosure scheme's commands on a real event store: validation naming the field,
// the case's state machine (an illegal step is FAILED_PRECONDITION and writes nothing),
// eligibility from the configured scheme areas, and the rules that protect the child when
// the applicant cannot be told anything.
#include "services/police/disclosure_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/disclosure/disclosure_case.h"
#include "common/enum_name.h"
#include "common/disclosure/scheme_config.h"
#include "services/police/police_stream_state.h"
#include "tests/testing/agency_commands_fixture.h"
#include "tests/testing/disclosure_requests.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::police {
namespace {

const PoliceStreamFolder kFolder;

using namespace safeguard::v1;
using safeguard::testing::At;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
namespace t = safeguard::testing;

// Hampshire (whole force) and Warwickshire's north division for the pilot's year, with the
// pilot's rule that the subject must live in the area too.
constexpr char kTestScheme[] = R"(
scheme.area = hampshire from 2008-09-15
scheme.area = warwickshire/north from 2008-09-15 until 2009-09-14
scheme.require_subject_in_area = true
)";

class TestDisclosureCommands : public DisclosureCommands {
 public:
  TestDisclosureCommands(EventStore* store, Clock clock)
      : DisclosureCommands(store, *disclosure::ParseSchemeConfig(kTestScheme), std::move(clock)) {}
};

class DisclosureCommandsTest : public t::AgencyCommandsTest<TestDisclosureCommands> {
 protected:
  DisclosureCommandsTest() : AgencyCommandsTest(AGENCY_POLICE, "disclosure-officer-1", &kFolder) {
    call_.actor.set_role("police-disclosure");
  }

  // The case as its stream folds.
  DisclosureCase Case(const std::string& ref) {
    DisclosureCase c;
    auto events = store_->ReadStream(disclosure::CaseStreamId(ref), 1, 1000);
    EXPECT_THAT(events, IsOk());
    if (events.ok()) {
      for (const EventEnvelope& e : *events) disclosure::ApplyStep(e, &c);
    }
    return c;
  }

  // Runs `r` (under a command id of its own) and expects it refused with `code` naming
  // `field`, writing nothing.
  template <typename Request>
  void ExpectRefused(Request r, absl::StatusCode code, const std::string& field) {
    r.mutable_header()->set_command_id(absl::StrCat("refused:", ++refused_));
    const uint64_t before = store_->LastSequence();
    auto result = Run(r);
    EXPECT_THAT(result, StatusIs(code, field + ":"));
    EXPECT_EQ(store_->LastSequence(), before) << "a refused step wrote something";
  }

  // A Right to Ask case walked to just after its risk assessment.
  void WalkToAssessed(const std::string& ref, bool verified = true) {
    ASSERT_THAT(Run(t::Enquiry(ref, At(2024, 11, 1))), IsOk());
    ASSERT_THAT(Run(t::Checks(ref, At(2024, 11, 1, 16))), IsOk());
    ASSERT_THAT(Run(t::Application(ref, At(2024, 11, 4))), IsOk());
    ASSERT_THAT(Run(t::Interview(ref, At(2024, 11, 8), verified)), IsOk());
    ASSERT_THAT(Run(t::Assessment(ref, At(2024, 11, 20))), IsOk());
  }

  int refused_ = 0;
};

using BadInput = DisclosureCommandsTest::BadInput;
template <typename Request>
auto Break(Request request, std::function<void(Request*)> mutate) {
  return DisclosureCommandsTest::Break<Request>(std::move(request), std::move(mutate));
}

std::vector<BadInput> BadInputs() {
  using ER = ReceiveEnquiryRequest;
  using KR = CompleteInitialChecksRequest;
  using AR = RecordApplicationRequest;
  using IR = RecordInterviewRequest;
  using RR = RecordCaseRiskAssessmentRequest;
  using DR = RecordDisclosureDecisionRequest;
  using VR = RecordDeliveryRequest;
  using LR = RecordNonDisclosureLetterRequest;
  using PR = RecordProtectiveActionRequest;
  using SR = MakeSafeguardingReferralRequest;
  using CR = CloseCaseRequest;
  const std::string ref = "CSODS/HAMPSHIRE/0001";
  const absl::Time at = At(2024, 11, 1);
  const ER enquiry = t::Enquiry(ref, at);
  const AR application = t::Application(ref, at);
  const DR disclose = t::Decision(ref, at, DISCLOSE);
  return {
      // Header, on every command.
      {"missing command id", Break<ER>(enquiry, [](ER* r) { r->mutable_header()->clear_command_id(); }), "header.command_id"},
      {"bad causation id", Break<ER>(enquiry, [](ER* r) { r->mutable_header()->set_causation_id("a b"); }), "header.causation_id"},
      {"missing case ref", Break<KR>(t::Checks(ref, at), [](KR* r) { r->mutable_header()->clear_case_ref(); }), "header.case_ref"},
      {"case ref with spaces", Break<ER>(enquiry, [](ER* r) { r->mutable_header()->set_case_ref("CSODS 0001"); }), "header.case_ref"},
      {"case ref too long", Break<ER>(enquiry, [](ER* r) { r->mutable_header()->set_case_ref(std::string(41, 'A')); }), "header.case_ref"},
      // Enquiry.
      {"enquiry missing", Break<ER>(enquiry, [](ER* r) { r->clear_enquiry(); }), "enquiry"},
      {"enquiry time missing", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->clear_at(); }), "enquiry.at"},
      {"enquiry in the future", Break<ER>(enquiry, [](ER* r) { *r->mutable_enquiry()->mutable_at() = ToProtoTimestamp(At(2025, 2, 1)); }), "enquiry.at"},
      {"enquiry before the scheme", Break<ER>(enquiry, [](ER* r) { *r->mutable_enquiry()->mutable_at() = ToProtoTimestamp(At(2001, 2, 1)); }), "enquiry.at"},
      {"route unspecified", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->clear_route(); }), "enquiry.route"},
      {"handling force missing", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->clear_handled_by(); }), "enquiry.handled_by.force"},
      {"handling force unknown", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_handled_by()->set_force("gotham"); }), "enquiry.handled_by.force"},
      {"division malformed", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_handled_by()->set_division("North East"); }), "enquiry.handled_by.division"},
      {"named enquirer missing", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->clear_enquirer(); }), "enquiry.enquirer"},
      {"anonymous with enquirer", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->set_anonymous(true); }), "enquiry.enquirer"},
      {"enquirer without name", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_enquirer()->clear_family_name(); }), "enquiry.enquirer.family_name"},
      {"enquirer bad ref", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_enquirer()->set_party_ref("A 1"); }), "enquiry.enquirer.party_ref"},
      {"enquirer relationship missing", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_enquirer()->clear_relationship_to_child(); }), "enquiry.enquirer.relationship_to_child"},
      {"right to know with enquirer", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->set_route(RIGHT_TO_KNOW); }), "enquiry.enquirer"},
      {"concern missing", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->clear_concern(); }), "enquiry.concern"},
      {"subject missing", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->clear_subject(); }), "enquiry.subject"},
      {"subject unnamed", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_subject()->clear_family_name(); r->mutable_enquiry()->mutable_subject()->clear_given_name(); }), "enquiry.subject.family_name"},
      {"subject PNC malformed", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_subject()->set_pnc_id("12/3"); }), "enquiry.subject.pnc_id"},
      {"no child", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->clear_children(); }), "enquiry.children"},
      {"child ref twice", Break<ER>(enquiry, [](ER* r) { *r->mutable_enquiry()->add_children() = r->enquiry().children(0); }), "enquiry.children[1].child_ref"},
      {"an enquiry before its subject was born", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_subject()->set_date_of_birth("2024-12-01"); }), "enquiry.at"},
      {"child an adult", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_children(0)->set_date_of_birth("1990-01-01"); }), "enquiry.children[0].date_of_birth"},
      {"child born in future", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_children(0)->set_date_of_birth("2026-01-01"); }), "enquiry.children[0].date_of_birth"},
      {"child unnamed", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_children(0)->clear_given_name(); }), "enquiry.children[0].given_name"},
      {"child case id malformed", Break<ER>(enquiry, [](ER* r) { r->mutable_enquiry()->mutable_children(0)->set_childrens_case_id("!!"); }), "enquiry.children[0].childrens_case_id"},
      // Initial checks.
      {"checks missing", Break<KR>(t::Checks(ref, at), [](KR* r) { r->clear_checks(); }), "checks"},
      {"checks reason missing", Break<KR>(t::Checks(ref, at), [](KR* r) { r->mutable_checks()->clear_reason(); }), "checks.reason"},
      {"checks time missing", Break<KR>(t::Checks(ref, at), [](KR* r) { r->mutable_checks()->clear_at(); }), "checks.at"},
      // Application.
      {"applicant missing", Break<AR>(application, [](AR* r) { r->mutable_application()->clear_applicant(); }), "application.applicant"},
      {"applicant relationship missing", Break<AR>(application, [](AR* r) { r->mutable_application()->mutable_applicant()->clear_relationship_to_child(); }), "application.applicant.relationship_to_child"},
      {"application child's area missing", Break<AR>(application, [](AR* r) { r->mutable_application()->mutable_children(0)->clear_lives_in(); }), "application.children[0].lives_in.force"},
      {"subject's area missing where required", Break<AR>(application, [](AR* r) { r->mutable_application()->clear_subject_lives_in(); }), "application.subject_lives_in.force"},
      {"declaration unsigned", Break<AR>(application, [](AR* r) { r->mutable_application()->set_declaration_signed(false); }), "application.declaration_signed"},
      {"declaration signed after the application", Break<AR>(application, [](AR* r) { r->mutable_application()->set_declaration_signed_on("2024-11-02"); }), "application.declaration_signed_on"},
      {"declaration date missing", Break<AR>(application, [](AR* r) { r->mutable_application()->clear_declaration_signed_on(); }), "application.declaration_signed_on"},
      {"eligibility given by caller", Break<AR>(application, [](AR* r) { r->mutable_application()->set_eligible(true); }), "application.eligible"},
      // Interview.
      {"verified without documents", Break<IR>(t::Interview(ref, at), [](IR* r) { r->mutable_interview()->clear_documents_seen(); }), "interview.documents_seen"},
      {"blank document", Break<IR>(t::Interview(ref, at), [](IR* r) { r->mutable_interview()->add_documents_seen(" "); }), "interview.documents_seen[2]"},
      // Risk assessment.
      {"view missing", Break<RR>(t::Assessment(ref, at, "person:1"), [](RR* r) { r->mutable_assessment()->clear_view(); }), "assessment.view"},
      {"view and nothing held", Break<RR>(t::Assessment(ref, at, "person:1"), [](RR* r) { r->mutable_assessment()->set_nothing_held(true); }), "assessment.view"},
      {"view without events", Break<RR>(t::Assessment(ref, at, "person:1"), [](RR* r) { r->mutable_assessment()->mutable_view()->set_events_applied(0); }), "assessment.view.events_applied"},
      {"view read time missing", Break<RR>(t::Assessment(ref, at, "person:1"), [](RR* r) { r->mutable_assessment()->mutable_view()->clear_read_at(); }), "assessment.view.read_at"},
      {"no agency consulted", Break<RR>(t::Assessment(ref, at), [](RR* r) { r->mutable_assessment()->clear_agencies_consulted(); }), "assessment.agencies_consulted"},
      {"agency named twice", Break<RR>(t::Assessment(ref, at), [](RR* r) { r->mutable_assessment()->add_agencies_consulted(AGENCY_POLICE); }), "assessment.agencies_consulted[3]"},
      {"assessment summary missing", Break<RR>(t::Assessment(ref, at), [](RR* r) { r->mutable_assessment()->clear_summary(); }), "assessment.summary"},
      // Decision.
      {"outcome missing", Break<DR>(disclose, [](DR* r) { r->mutable_decision()->clear_outcome(); }), "decision.outcome"},
      {"rationale missing", Break<DR>(disclose, [](DR* r) { r->mutable_decision()->clear_rationale(); }), "decision.rationale"},
      {"forum missing", Break<DR>(disclose, [](DR* r) { r->mutable_decision()->clear_forum(); }), "decision.forum"},
      {"MAPPA forum without meeting", Break<DR>(disclose, [](DR* r) { r->mutable_decision()->set_forum(FORUM_MAPPA_MEETING); }), "decision.meeting_ref"},
      {"meeting without MAPPA forum", Break<DR>(disclose, [](DR* r) { r->mutable_decision()->set_meeting_ref("MTG-0001"); }), "decision.meeting_ref"},
      {"disclosure without wording", Break<DR>(disclose, [](DR* r) { r->mutable_decision()->clear_approved_wording(); }), "decision.approved_wording"},
      {"disclosure without recipient", Break<DR>(disclose, [](DR* r) { r->mutable_decision()->clear_recipients(); }), "decision.recipients"},
      {"recipient twice", Break<DR>(disclose, [](DR* r) { *r->mutable_decision()->add_recipients() = r->decision().recipients(0); }), "decision.recipients[1].party.party_ref"},
      {"recipient not why best placed", Break<DR>(disclose, [](DR* r) { r->mutable_decision()->mutable_recipients(0)->clear_why_best_placed(); }), "decision.recipients[0].why_best_placed"},
      {"no disclosure with wording", Break<DR>(disclose, [](DR* r) { r->mutable_decision()->set_outcome(NO_DISCLOSURE); r->mutable_decision()->clear_recipients(); }), "decision.approved_wording"},
      {"no disclosure with recipients", Break<DR>(disclose, [](DR* r) { r->mutable_decision()->set_outcome(NO_DISCLOSURE); r->mutable_decision()->clear_approved_wording(); }), "decision.recipients"},
      // Delivery.
      {"delivery not in person", Break<VR>(t::Delivery(ref, at), [](VR* r) { r->mutable_delivery()->set_in_person(false); }), "delivery.in_person"},
      {"undertaking unsigned", Break<VR>(t::Delivery(ref, at), [](VR* r) { r->mutable_delivery()->set_undertaking_signed(false); }), "delivery.undertaking_signed"},
      {"onward conditions missing", Break<VR>(t::Delivery(ref, at), [](VR* r) { r->mutable_delivery()->clear_onward_disclosure_conditions(); }), "delivery.onward_disclosure_conditions"},
      {"delivered by nobody", Break<VR>(t::Delivery(ref, at), [](VR* r) { r->mutable_delivery()->clear_delivered_by(); }), "delivery.delivered_by"},
      // Letter, action, referral, closure.
      {"letter to nobody", Break<LR>(t::Letter(ref, at), [](LR* r) { r->mutable_letter()->clear_addressed_to(); }), "letter.addressed_to"},
      {"action unspecified", Break<PR>(t::Action(ref, at, PROTECTIVE_ADVICE), [](PR* r) { r->mutable_action()->clear_action(); }), "action.action"},
      {"action without detail", Break<PR>(t::Action(ref, at, PROTECTIVE_ADVICE), [](PR* r) { r->mutable_action()->clear_detail(); }), "action.detail"},
      {"referral to nobody", Break<SR>(t::Referral(ref, at), [](SR* r) { r->mutable_referral()->clear_referred_to(); }), "referral.referred_to"},
      {"referral child ref malformed", Break<SR>(t::Referral(ref, at), [](SR* r) { r->mutable_referral()->add_child_refs("C 2"); }), "referral.child_refs[1]"},
      {"closure unspecified", Break<CR>(t::Closure(ref, at), [](CR* r) { r->mutable_closure()->clear_closure(); }), "closure.closure"},
      {"withdrawal without note", Break<CR>(t::Closure(ref, at, CASE_WITHDRAWN), [](CR* r) { r->mutable_closure()->clear_note(); }), "closure.note"},
  };
}

TEST_F(DisclosureCommandsTest, EveryBadInputIsRefusedNamingItsFieldAndWritesNothing) {
  ExpectEveryBadInputRefused(BadInputs());
}

TEST_F(DisclosureCommandsTest, RightToAskWalksToDeliveryToEveryRecipientAndCloses) {
  const std::string ref = "CSODS/HAMPSHIRE/0001";
  WalkToAssessed(ref);
  auto decision = t::Decision(ref, At(2024, 12, 2), PARTIAL_DISCLOSURE);
  auto* grandmother = decision.mutable_decision()->add_recipients();
  *grandmother->mutable_party() = t::Party("G1", "Gwen", "Applicant", "grandmother");
  grandmother->set_why_best_placed("Looks after the child after school.");
  ASSERT_THAT(Run(decision), IsOk());
  ASSERT_THAT(Run(t::Delivery(ref, At(2024, 12, 4), "A1")), IsOk());
  EXPECT_EQ(Case(ref).state(), DECIDED) << "one recipient still to be told";
  ExpectRefused(t::Closure(ref, At(2024, 12, 5)), absl::StatusCode::kFailedPrecondition, "closure.closure");
  ASSERT_THAT(Run(t::Delivery(ref, At(2024, 12, 5), "G1")), IsOk());
  ASSERT_THAT(Run(t::Action(ref, At(2024, 12, 5), PROTECTIVE_ADVICE)), IsOk());
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 12, 6))), IsOk());

  const DisclosureCase c = Case(ref);
  EXPECT_EQ(c.case_ref(), ref);
  EXPECT_EQ(c.state(), CLOSED);
  EXPECT_EQ(c.version(), 10u);
  EXPECT_EQ(c.history_size(), 10);
  EXPECT_TRUE(c.application().eligible());
  EXPECT_THAT(c.application().eligibility_reason(), ::testing::HasSubstr("hampshire"));
  EXPECT_EQ(c.deliveries_size(), 2);
  EXPECT_EQ(c.protective_actions(0).action(), PROTECTIVE_ADVICE);

  auto events = store_->ReadStream(disclosure::CaseStreamId(ref), 1, 100);
  ASSERT_THAT(events, IsOk());
  const EventEnvelope& first = events->front();
  EXPECT_EQ(first.event_type(), "police.DisclosureEnquiryReceived");
  EXPECT_EQ(first.subject_key(), "disclosure:CSODS/HAMPSHIRE/0001");
  EXPECT_EQ(FormatTimestamp(first.occurred_at()), "2024-11-01T10:00:00.000Z") << "the step's own moment";
  EXPECT_EQ((*events)[4].event_type(), "police.DisclosureRiskAssessed");
}

// An aunt applies about her sister's new partner; the disclosure goes to the sister, who is
// best placed to protect the child. The aunt is told that action was taken (never what was
// disclosed), and the case cannot be completed until she has been.
TEST_F(DisclosureCommandsTest, AnApplicantWhoIsNotTheRecipientIsToldTheOutcomeBeforeTheCaseCloses) {
  const std::string ref = "CSODS/HAMPSHIRE/0010";
  WalkToAssessed(ref);
  auto decision = t::Decision(ref, At(2024, 12, 2), DISCLOSE);
  *decision.mutable_decision()->mutable_recipients(0)->mutable_party() = t::Party("S1", "Sue", "Sister", "mother");
  ASSERT_THAT(Run(decision), IsOk());
  // Before the decision is delivered, what is owed is both outcomes.
  EXPECT_THAT(Case(ref).outcomes_owed(),
              ::testing::UnorderedElementsAre(::testing::HasSubstr("applicant A1"), ::testing::HasSubstr("recipient S1")));
  ASSERT_THAT(Run(t::Delivery(ref, At(2024, 12, 3), "S1")), IsOk());
  EXPECT_EQ(Case(ref).state(), DISCLOSURE_DELIVERED);
  ExpectRefused(t::Closure(ref, At(2024, 12, 4)), absl::StatusCode::kFailedPrecondition, "closure.closure");
  // A non-disclosure letter is not what she is owed: something was disclosed.
  ExpectRefused(t::Letter(ref, At(2024, 12, 4)), absl::StatusCode::kFailedPrecondition, "letter");
  ExpectRefused(t::Informed(ref, At(2024, 12, 4), TOLD_SHARED_WITH_ANOTHER, "S1"), absl::StatusCode::kInvalidArgument,
                "outcome.party_ref");
  ExpectRefused(t::Informed(ref, At(2024, 12, 4), TOLD_NO_DISCLOSURE), absl::StatusCode::kInvalidArgument,
                "outcome.outcome");
  ASSERT_THAT(Run(t::Informed(ref, At(2024, 12, 4), TOLD_SHARED_WITH_ANOTHER)), IsOk());
  ExpectRefused(t::Informed(ref, At(2024, 12, 4, 11), TOLD_SHARED_WITH_ANOTHER), absl::StatusCode::kFailedPrecondition,
                "outcome.party_ref");
  const DisclosureCase told = Case(ref);
  EXPECT_THAT(told.outcomes_owed(), ::testing::IsEmpty());
  ASSERT_EQ(told.applicant_outcomes_size(), 1);
  EXPECT_EQ(told.applicant_outcomes(0).party_ref(), "A1");
  EXPECT_EQ(told.applicant_outcomes(0).outcome(), TOLD_SHARED_WITH_ANOTHER);
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 12, 5))), IsOk());
}

// An applicant who is a recipient has their outcome in the disclosure itself.
TEST_F(DisclosureCommandsTest, AnApplicantWhoReceivedTheDisclosureHasHadTheirOutcome) {
  const std::string ref = "CSODS/HAMPSHIRE/0011";
  WalkToAssessed(ref);
  ASSERT_THAT(Run(t::Decision(ref, At(2024, 12, 2), DISCLOSE)), IsOk());
  ExpectRefused(t::Informed(ref, At(2024, 12, 3), TOLD_SHARED_WITH_ANOTHER), absl::StatusCode::kFailedPrecondition,
                "outcome");
  ASSERT_THAT(Run(t::Delivery(ref, At(2024, 12, 3), "A1")), IsOk());
  EXPECT_THAT(Case(ref).outcomes_owed(), ::testing::IsEmpty());
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 12, 4))), IsOk());
}

// Not disclosing: told in writing (the letter) or otherwise, once.
TEST_F(DisclosureCommandsTest, NoDisclosureIsToldByLetterOrOtherwiseOnce) {
  const std::string ref = "CSODS/HAMPSHIRE/0012";
  WalkToAssessed(ref);
  ASSERT_THAT(Run(t::Decision(ref, At(2024, 12, 2), NO_DISCLOSURE)), IsOk());
  ExpectRefused(t::Closure(ref, At(2024, 12, 3)), absl::StatusCode::kFailedPrecondition, "closure.closure");
  auto told = t::Informed(ref, At(2024, 12, 3), TOLD_NO_DISCLOSURE);
  told.mutable_outcome()->set_how(INFORMED_IN_PERSON);
  told.mutable_outcome()->clear_letter_ref();
  ASSERT_THAT(Run(told), IsOk());
  ExpectRefused(t::Letter(ref, At(2024, 12, 3, 12)), absl::StatusCode::kFailedPrecondition, "letter");
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 12, 4))), IsOk());
}

TEST_F(DisclosureCommandsTest, CaseRefIsNormalisedSoOneCaseIsOneStream) {
  ASSERT_THAT(Run(t::Enquiry("csods/hampshire/0002", At(2024, 11, 1))), IsOk());
  auto request = t::Checks("csods/hampshire/0002", At(2024, 11, 2));
  request.mutable_header()->set_case_ref(" CSODS/Hampshire/0002 ");
  auto checks = Run(request);
  ASSERT_THAT(checks, IsOk());
  EXPECT_EQ(checks->stream_id(), "disclosure/CSODS/HAMPSHIRE/0002");
  EXPECT_EQ(checks->stream_version(), 2u);
}

// Every step the state machine forbids, from the state it is forbidden in.
TEST_F(DisclosureCommandsTest, EveryIllegalStepIsFailedPreconditionAndWritesNothing) {
  using S = absl::StatusCode;
  const std::string ref = "CSODS/HAMPSHIRE/0003";
  const absl::Time d = At(2024, 12, 1);
  // No case yet.
  ExpectRefused(t::Checks(ref, d), S::kNotFound, "header.case_ref");
  ExpectRefused(t::Referral(ref, d), S::kNotFound, "header.case_ref");
  ASSERT_THAT(Run(t::Enquiry(ref, At(2024, 11, 1))), IsOk());
  // ENQUIRY_RECEIVED.
  ExpectRefused(t::Enquiry(ref, d), S::kAlreadyExists, "header.case_ref");
  ExpectRefused(t::Application(ref, d), S::kFailedPrecondition, "application");
  ExpectRefused(t::Interview(ref, d), S::kFailedPrecondition, "interview");
  ExpectRefused(t::Assessment(ref, d), S::kFailedPrecondition, "assessment");
  ExpectRefused(t::Decision(ref, d, NO_DISCLOSURE), S::kFailedPrecondition, "decision");
  ExpectRefused(t::Delivery(ref, d), S::kFailedPrecondition, "delivery");
  ExpectRefused(t::Letter(ref, d), S::kFailedPrecondition, "letter");
  ExpectRefused(t::Closure(ref, d), S::kFailedPrecondition, "closure.closure");
  ExpectRefused(t::Checks(ref, At(2024, 10, 31)), S::kInvalidArgument, "at");
  ASSERT_THAT(Run(t::Checks(ref, At(2024, 11, 1, 15))), IsOk());
  // INITIAL_CHECKS_COMPLETE.
  ExpectRefused(t::Checks(ref, d), S::kFailedPrecondition, "checks");
  ExpectRefused(t::Interview(ref, d), S::kFailedPrecondition, "interview");
  ExpectRefused(t::Assessment(ref, d), S::kFailedPrecondition, "assessment");
  ASSERT_THAT(Run(t::Application(ref, At(2024, 11, 3))), IsOk());
  // APPLICATION_RECEIVED.
  ExpectRefused(t::Application(ref, d), S::kFailedPrecondition, "application");
  ExpectRefused(t::Assessment(ref, d), S::kFailedPrecondition, "assessment");
  ExpectRefused(t::Decision(ref, d, DISCLOSE), S::kFailedPrecondition, "decision");
  ASSERT_THAT(Run(t::Interview(ref, At(2024, 11, 5))), IsOk());
  // APPLICANT_INTERVIEWED.
  ExpectRefused(t::Interview(ref, d), S::kFailedPrecondition, "interview");
  ExpectRefused(t::Decision(ref, d, DISCLOSE), S::kFailedPrecondition, "decision");
  ASSERT_THAT(Run(t::Assessment(ref, At(2024, 11, 20))), IsOk());
  // RISK_ASSESSED.
  ExpectRefused(t::Assessment(ref, d), S::kFailedPrecondition, "assessment");
  ExpectRefused(t::Delivery(ref, d), S::kFailedPrecondition, "delivery");
  ExpectRefused(t::Letter(ref, d), S::kFailedPrecondition, "letter");
  ExpectRefused(t::Closure(ref, d), S::kFailedPrecondition, "closure.closure");
  ASSERT_THAT(Run(t::Decision(ref, At(2024, 11, 25), DISCLOSE)), IsOk());
  // DECIDED (disclose).
  ExpectRefused(t::Decision(ref, d, NO_DISCLOSURE), S::kFailedPrecondition, "decision");
  ExpectRefused(t::Letter(ref, d), S::kFailedPrecondition, "letter");
  ExpectRefused(t::Delivery(ref, d, "X9"), S::kInvalidArgument, "delivery.recipient_ref");
  ExpectRefused(t::Delivery(ref, d, "A1", "Dennis Partner is a risk."), S::kFailedPrecondition,
                "delivery.wording_delivered");
  ASSERT_THAT(Run(t::Delivery(ref, d)), IsOk());
  // DISCLOSURE_DELIVERED.
  ExpectRefused(t::Delivery(ref, At(2024, 12, 2)), S::kFailedPrecondition, "delivery");
  auto referral = t::Referral(ref, d);
  referral.mutable_referral()->add_child_refs("C7");
  ExpectRefused(referral, S::kInvalidArgument, "referral.child_refs");
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 12, 3))), IsOk());
  // CLOSED: nothing but a safeguarding referral.
  ExpectRefused(t::Action(ref, d, WARNING_LETTER), S::kFailedPrecondition, "header.case_ref");
  ExpectRefused(t::Closure(ref, At(2024, 12, 4), CASE_WITHDRAWN), S::kFailedPrecondition, "header.case_ref");
  EXPECT_THAT(Run(t::Referral(ref, At(2024, 12, 5))), IsOk());
  EXPECT_EQ(Case(ref).safeguarding_referrals_size(), 1);
  EXPECT_EQ(Case(ref).state(), CLOSED);
}

TEST_F(DisclosureCommandsTest, UrgentReferralIsTakenFromEveryState) {
  const std::string ref = "CSODS/HAMPSHIRE/0004";
  int made = 0;
  auto refer = [&](absl::Time at) {
    ASSERT_THAT(Run(t::Referral(ref, at)), IsOk()) << EnumName(Case(ref).state());
    ++made;
  };
  ASSERT_THAT(Run(t::Enquiry(ref, At(2024, 11, 1))), IsOk());
  refer(At(2024, 11, 1, 11));
  ASSERT_THAT(Run(t::Checks(ref, At(2024, 11, 1, 16))), IsOk());
  refer(At(2024, 11, 1, 17));
  ASSERT_THAT(Run(t::Application(ref, At(2024, 11, 4))), IsOk());
  refer(At(2024, 11, 4, 11));
  ASSERT_THAT(Run(t::Interview(ref, At(2024, 11, 8))), IsOk());
  refer(At(2024, 11, 8, 11));
  ASSERT_THAT(Run(t::Assessment(ref, At(2024, 11, 20))), IsOk());
  refer(At(2024, 11, 20, 11));
  ASSERT_THAT(Run(t::Decision(ref, At(2024, 11, 25), NO_DISCLOSURE)), IsOk());
  refer(At(2024, 11, 25, 11));
  ASSERT_THAT(Run(t::Letter(ref, At(2024, 11, 26))), IsOk());
  refer(At(2024, 11, 26, 11));
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 11, 27))), IsOk());
  refer(At(2024, 11, 27, 11));
  EXPECT_EQ(Case(ref).safeguarding_referrals_size(), made);
  EXPECT_EQ(made, 8);
}

TEST_F(DisclosureCommandsTest, AnonymousEnquiryGetsNoDisclosureButSafeguardingContinues) {
  const std::string ref = "CSODS/HAMPSHIRE/0005";
  auto enquiry = t::Enquiry(ref, At(2024, 11, 1));
  enquiry.mutable_enquiry()->clear_enquirer();
  enquiry.mutable_enquiry()->set_anonymous(true);
  ASSERT_THAT(Run(enquiry), IsOk());
  ASSERT_THAT(Run(t::Checks(ref, At(2024, 11, 1, 16))), IsOk());
  ASSERT_THAT(Run(t::Assessment(ref, At(2024, 11, 10), "person:7")), IsOk()) << "no interview is possible";
  ExpectRefused(t::Decision(ref, At(2024, 11, 12), DISCLOSE), absl::StatusCode::kFailedPrecondition,
                "decision.outcome");
  ExpectRefused(t::Decision(ref, At(2024, 11, 12), PARTIAL_DISCLOSURE), absl::StatusCode::kFailedPrecondition,
                "decision.outcome");
  ASSERT_THAT(Run(t::Decision(ref, At(2024, 11, 12), NO_DISCLOSURE)), IsOk());
  EXPECT_THAT(Run(t::Referral(ref, At(2024, 11, 12, 12))), IsOk());
  EXPECT_THAT(Run(t::Action(ref, At(2024, 11, 13), SUBJECT_TOLD_TO_STAY_AWAY)), IsOk());
  ExpectRefused(t::Letter(ref, At(2024, 11, 13)), absl::StatusCode::kFailedPrecondition, "letter");
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 11, 14))), IsOk()) << "no letter is owed to nobody";
}

TEST_F(DisclosureCommandsTest, UnverifiedApplicantGetsNoDisclosureAndALetter) {
  const std::string ref = "CSODS/HAMPSHIRE/0006";
  WalkToAssessed(ref, /*verified=*/false);
  ExpectRefused(t::Decision(ref, At(2024, 11, 25), DISCLOSE), absl::StatusCode::kFailedPrecondition,
                "decision.outcome");
  ASSERT_THAT(Run(t::Decision(ref, At(2024, 11, 25), NO_DISCLOSURE)), IsOk());
  EXPECT_THAT(Run(t::Action(ref, At(2024, 11, 26), CHILD_PROTECTION_INVESTIGATION)), IsOk());
  ExpectRefused(t::Closure(ref, At(2024, 11, 26)), absl::StatusCode::kFailedPrecondition, "closure.closure");
  ExpectRefused(t::Letter(ref, At(2024, 11, 27), "G1"), absl::StatusCode::kInvalidArgument, "letter.addressed_to");
  ASSERT_THAT(Run(t::Letter(ref, At(2024, 11, 27))), IsOk());
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 11, 28))), IsOk());
  EXPECT_EQ(Case(ref).non_disclosure_letter().addressed_to(), "A1");
}

TEST_F(DisclosureCommandsTest, RightToKnowGoesFromChecksToAssessmentWithoutAnApplication) {
  const std::string ref = "CSODS/HAMPSHIRE/0007";
  ASSERT_THAT(Run(t::Enquiry(ref, At(2024, 11, 1), RIGHT_TO_KNOW)), IsOk());
  ASSERT_THAT(Run(t::Checks(ref, At(2024, 11, 1, 12))), IsOk());
  ExpectRefused(t::Application(ref, At(2024, 11, 2)), absl::StatusCode::kFailedPrecondition, "application");
  ASSERT_THAT(Run(t::Assessment(ref, At(2024, 11, 5), "person:3")), IsOk());
  ASSERT_THAT(Run(t::Decision(ref, At(2024, 11, 6), DISCLOSE)), IsOk());
  ASSERT_THAT(Run(t::Delivery(ref, At(2024, 11, 7))), IsOk());
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 11, 8))), IsOk());
}

TEST_F(DisclosureCommandsTest, OutOfScopeEnquiryClosesAfterChecks) {
  const std::string ref = "CSODS/HAMPSHIRE/0008";
  ASSERT_THAT(Run(t::Enquiry(ref, At(2024, 11, 1))), IsOk());
  ASSERT_THAT(Run(t::Checks(ref, At(2024, 11, 1, 12), /*in_scope=*/false)), IsOk());
  EXPECT_EQ(Case(ref).state(), OUT_OF_SCOPE);
  ExpectRefused(t::Application(ref, At(2024, 11, 2)), absl::StatusCode::kFailedPrecondition, "application");
  // The enquirer is told why before the case is completed.
  EXPECT_THAT(Case(ref).outcomes_owed(), ::testing::ElementsAre(::testing::HasSubstr("enquirer A1")));
  ExpectRefused(t::Closure(ref, At(2024, 11, 2)), absl::StatusCode::kFailedPrecondition, "closure.closure");
  ExpectRefused(t::Informed(ref, At(2024, 11, 2), TOLD_NO_DISCLOSURE), absl::StatusCode::kInvalidArgument,
                "outcome.outcome");
  ASSERT_THAT(Run(t::Informed(ref, At(2024, 11, 2), TOLD_OUT_OF_SCOPE)), IsOk());
  EXPECT_THAT(Case(ref).outcomes_owed(), ::testing::IsEmpty());
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 11, 2))), IsOk());
}

TEST_F(DisclosureCommandsTest, EligibilityComesFromTheConfiguredAreasAndDates) {
  struct Row {
    std::string name;
    std::function<void(RecordApplicationRequest*)> change;
    absl::Time at;
    bool eligible;
    std::string reason;
  };
  const std::vector<Row> rows = {
      {"child and subject in a whole-force area", [](auto*) {}, At(2024, 11, 4), true, "lives in hampshire"},
      {"child outside every area", [](auto* r) { *r->mutable_application()->mutable_children(0)->mutable_lives_in() = t::Area("kent"); },
       At(2024, 11, 4), false, "no child lives in an area"},
      {"subject outside, where the scheme requires it", [](auto* r) { *r->mutable_application()->mutable_subject_lives_in() = t::Area("kent"); },
       At(2024, 11, 4), false, "the subject does not live"},
      {"division in the pilot", [](auto* r) {
         *r->mutable_application()->mutable_children(0)->mutable_lives_in() = t::Area("warwickshire", "north");
         *r->mutable_application()->mutable_subject_lives_in() = t::Area("warwickshire", "north"); },
       At(2009, 3, 2), true, "warwickshire/north, in the scheme since 2008-09-15"},
      {"another division of the pilot force", [](auto* r) {
         *r->mutable_application()->mutable_children(0)->mutable_lives_in() = t::Area("warwickshire", "south");
         *r->mutable_application()->mutable_subject_lives_in() = t::Area("warwickshire", "south"); },
       At(2009, 3, 2), false, "no child lives in an area"},
      {"division after its period ended", [](auto* r) {
         *r->mutable_application()->mutable_children(0)->mutable_lives_in() = t::Area("warwickshire", "north");
         *r->mutable_application()->mutable_subject_lives_in() = t::Area("warwickshire", "north"); },
       At(2009, 9, 15), false, "2009-09-15"},
      {"before the scheme began", [](auto*) {}, At(2008, 9, 14), false, "2008-09-14"},
  };
  int n = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const std::string ref = absl::StrCat("CSODS/ELIG/", ++n);
    ASSERT_THAT(Run(t::Enquiry(ref, row.at - absl::Hours(48))), IsOk());
    ASSERT_THAT(Run(t::Checks(ref, row.at - absl::Hours(24))), IsOk());
    auto application = t::Application(ref, row.at);
    row.change(&application);
    ASSERT_THAT(Run(application), IsOk());
    const DisclosureCase c = Case(ref);
    EXPECT_EQ(c.application().eligible(), row.eligible);
    EXPECT_EQ(c.state(), row.eligible ? APPLICATION_RECEIVED : INELIGIBLE);
    EXPECT_THAT(c.application().eligibility_reason(), ::testing::HasSubstr(row.reason));
    if (!row.eligible) {
      EXPECT_THAT(Run(t::Interview(ref, row.at + absl::Hours(1))), StatusIs(absl::StatusCode::kFailedPrecondition));
      EXPECT_THAT(Run(t::Informed(ref, row.at + absl::Hours(1), TOLD_NOT_ELIGIBLE)), IsOk());
      EXPECT_THAT(Run(t::Closure(ref, row.at + absl::Hours(2))), IsOk()) << "an ineligible case completes";
    }
  }
}

TEST_F(DisclosureCommandsTest, RepeatedCommandReturnsTheOriginalAndWithdrawalClosesAnyOpenCase) {
  const std::string ref = "CSODS/HAMPSHIRE/0009";
  auto first = Run(t::Enquiry(ref, At(2024, 11, 1)));
  ASSERT_THAT(first, IsOk());
  auto again = Run(t::Enquiry(ref, At(2024, 11, 1)));
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->idempotent_replay());
  EXPECT_EQ(again->event_id(), first->event_id());
  ASSERT_THAT(Run(t::Checks(ref, At(2024, 11, 1, 12))), IsOk());
  ASSERT_THAT(Run(t::Application(ref, At(2024, 11, 2))), IsOk());
  ASSERT_THAT(Run(t::Closure(ref, At(2024, 11, 3), CASE_WITHDRAWN)), IsOk());
  EXPECT_EQ(Case(ref).closure().closure(), CASE_WITHDRAWN);
  EXPECT_EQ(store_->LastSequence(), 4u);
}

TEST(SchemeConfigTest, ParsesAreasRulesAndDeadlines) {
  auto config = disclosure::ParseSchemeConfig(R"(
bus.kind = embedded
scheme.area = cleveland from 2008-09-15
scheme.area = hampshire/southampton from 2008-09-15 until 2009-09-14   # the pilot's division
scheme.require_subject_in_area = true
disclosure.deadline.initial_checks = 48h
disclosure.deadline.whole_case = 60d
)");
  ASSERT_THAT(config, IsOk());
  ASSERT_EQ(config->areas.size(), 2u);
  EXPECT_EQ(config->areas[1].force, "hampshire");
  EXPECT_EQ(config->areas[1].division, "southampton");
  EXPECT_EQ(*config->areas[1].until, absl::CivilDay(2009, 9, 14));
  EXPECT_TRUE(config->require_subject_in_area);
  EXPECT_EQ(config->deadlines.initial_checks, absl::Hours(48));
  EXPECT_EQ(config->deadlines.interview, absl::Hours(24 * 10)) << "unchanged default";
  EXPECT_EQ(config->deadlines.whole_case, absl::Hours(24 * 60));
  EXPECT_NE(disclosure::AreaInScheme(*config, t::Area("cleveland", "east"), absl::CivilDay(2030, 1, 1)), nullptr);
  EXPECT_EQ(disclosure::AreaInScheme(*config, t::Area("hampshire"), absl::CivilDay(2009, 1, 1)), nullptr)
      << "only the division was in the pilot";
}

TEST(SchemeConfigTest, DefaultIsEveryForceSinceNationalRollOut) {
  auto config = disclosure::ParseSchemeConfig("");
  ASSERT_THAT(config, IsOk());
  for (const std::string& force : disclosure::Forces()) {
    EXPECT_NE(disclosure::AreaInScheme(*config, t::Area(force), absl::CivilDay(2011, 4, 1)), nullptr) << force;
    EXPECT_EQ(disclosure::AreaInScheme(*config, t::Area(force), absl::CivilDay(2011, 3, 31)), nullptr) << force;
  }
  EXPECT_EQ(disclosure::Forces().size(), 43u);
}

TEST(SchemeConfigTest, BadLinesAreNamed) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"scheme.area = gotham from 2008-09-15", "config line 1: scheme.area"},
      {"scheme.area = kent", "config line 1: scheme.area"},
      {"\nscheme.area = kent from 2008-02-30", "config line 2: scheme.area"},
      {"scheme.area = kent from 2009-01-01 until 2008-01-01", "config line 1: scheme.area"},
      {"scheme.require_subject_in_area = yes", "config line 1: scheme.require_subject_in_area"},
      {"disclosure.deadline.interview = 10 weeks", "config line 1: disclosure.deadline.interview"},
      {"disclosure.deadline.lunch = 1h", "config line 1: disclosure.deadline.lunch"},
  };
  for (const auto& [text, message] : rows) {
    EXPECT_THAT(disclosure::ParseSchemeConfig(text), StatusIs(absl::StatusCode::kInvalidArgument, message)) << text;
  }
}

}  // namespace
}  // namespace safeguard::police
