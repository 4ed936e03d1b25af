#include "services/police/police_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/police/police_stream_state.h"
#include "tests/testing/correction_requests.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/agency_commands_fixture.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::police {
namespace {

const PoliceStreamFolder kFolder;

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;

class PoliceCommandsTest : public testing::AgencyCommandsTest<PoliceCommands> {
 protected:
  PoliceCommandsTest() : AgencyCommandsTest(AGENCY_POLICE, "officer-1", &kFolder) {
    call_.actor.set_role("police-records");
  }
};

using BadInput = PoliceCommandsTest::BadInput;
template <typename Request>
auto Break(Request request, std::function<void(Request*)> mutate) {
  return PoliceCommandsTest::Break<Request>(std::move(request), std::move(mutate));
}

std::vector<BadInput> BadInputs() {
  using testing::ValidBreach;
  using testing::ValidConviction;
  using testing::ValidIntelligence;
  using testing::ValidNotification;
  using testing::ValidOrder;
  using testing::ValidPoliceAssessment;
  using AR = RecordPoliceRiskAssessmentRequest;
  using CR = RecordConvictionRequest;
  using NR = RecordRegisterNotificationRequest;
  using OR = RecordOrderRequest;
  using BR = RecordOrderBreachRequest;
  using IR = RecordIntelligenceRequest;
  return {
      // Header and subject, on every command.
      {"missing command id", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->clear_command_id(); }), "header.command_id"},
      {"short command id", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->set_command_id("abc"); }), "header.command_id"},
      {"command id with spaces", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->set_command_id("has spaces here"); }), "header.command_id"},
      {"bad causation id", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->set_causation_id("x y"); }), "header.causation_id"},
      {"missing subject", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->clear_subject(); }), "header.subject"},
      {"no national identifier", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_header()->mutable_subject()->clear_pnc_id(); }), "header.subject.pnc_id"},
      {"malformed PNC id", Break<OR>(ValidOrder(), [](OR* r) { r->mutable_header()->mutable_subject()->set_pnc_id("19/12345"); }), "header.subject.pnc_id"},
      {"PNC id without check letter", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->mutable_subject()->set_pnc_id("2019/0012345"); }), "header.subject.pnc_id"},
      {"malformed ViSOR ref", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->mutable_subject()->set_visor_ref("a b"); }), "header.subject.visor_ref"},
      {"probation CRN free text", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->mutable_subject()->set_probation_case_ref("../../etc/passwd"); }), "header.subject.probation_case_ref"},
      {"order ref free text", Break<OR>(ValidOrder(), [](OR* r) { r->mutable_order()->set_order_ref("order made at court today"); }), "order.order_ref"},
      {"intelligence ref a path", Break<IR>(ValidIntelligence(), [](IR* r) { r->mutable_intelligence()->set_intelligence_ref("..\\..\\boot.ini"); }), "intelligence.intelligence_ref"},
      {"date of birth not a date", Break<BR>(ValidBreach(), [](BR* r) { r->mutable_header()->mutable_subject()->set_date_of_birth("31/01/1970"); }), "header.subject.date_of_birth"},
      {"date of birth in future", Break<IR>(ValidIntelligence(), [](IR* r) { r->mutable_header()->mutable_subject()->set_date_of_birth("2030-01-01"); }), "header.subject.date_of_birth"},
      {"name too long", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->mutable_subject()->set_given_name(std::string(101, 'a')); }), "header.subject.given_name"},
      {"name with control character", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->mutable_subject()->set_family_name("Smith\n"); }), "header.subject.family_name"},
      {"name not UTF-8", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->mutable_subject()->set_family_name("\xc3\x28"); }), "header.subject.family_name"},
      {"empty alias", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->mutable_subject()->add_aliases(" "); }), "header.subject.aliases[0]"},
      {"request too large", Break<CR>(ValidConviction(), [](CR* r) { for (int i = 0; i < 20; ++i) r->mutable_header()->mutable_subject()->add_aliases(std::string(4000, 'x')); }), "request"},
      // Conviction.
      {"conviction missing", Break<CR>(ValidConviction(), [](CR* r) { r->clear_conviction(); }), "conviction"},
      {"disposal unspecified", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_conviction()->set_disposal(DISPOSAL_KIND_UNSPECIFIED); }), "conviction.disposal"},
      {"disposal unknown value", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_conviction()->set_disposal(static_cast<DisposalKind>(42)); }), "conviction.disposal"},
      {"offence missing", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_conviction()->clear_offence(); }), "conviction.offence"},
      {"offence too long", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_conviction()->set_offence(std::string(201, 'x')); }), "conviction.offence"},
      {"classification missing", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_conviction()->clear_classification(); }), "conviction.classification"},
      {"offence date impossible", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_conviction()->set_offence_date("2018-02-30"); }), "conviction.offence_date"},
      {"disposal date in future", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_conviction()->set_disposal_date("2025-01-11"); }), "conviction.disposal_date"},
      {"disposal before offence", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_conviction()->set_disposal_date("2017-01-01"); }), "conviction.disposal_date"},
      // Dates against the subject's date of birth (the offence dated 1980 for a man born 1985 was accepted).
      {"offence before the subject's birth", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_header()->mutable_subject()->set_date_of_birth("2018-06-01"); }), "conviction.offence_date"},
      {"notification before the subject's birth", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_header()->mutable_subject()->set_date_of_birth("2024-03-01"); }), "notification.notification_date"},
      {"conviction without court", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_conviction()->clear_court(); }), "conviction.court"},
      {"conviction without sentence", Break<CR>(ValidConviction(), [](CR* r) { r->mutable_conviction()->clear_sentence(); }), "conviction.sentence"},
      // Register notification.
      {"notification missing", Break<NR>(ValidNotification(), [](NR* r) { r->clear_notification(); }), "notification"},
      {"notification date missing", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->clear_notification_date(); }), "notification.notification_date"},
      {"no address", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->clear_addresses(); }), "notification.addresses"},
      {"address kind missing", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->mutable_addresses(0)->clear_kind(); }), "notification.addresses[0].kind"},
      {"address line missing", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->mutable_addresses(0)->clear_line1(); }), "notification.addresses[0].line1"},
      {"second address bad postcode", Break<NR>(ValidNotification(), [](NR* r) { auto* a = r->mutable_notification()->add_addresses(); *a = r->notification().addresses(0); a->set_postcode("12345"); }), "notification.addresses[1].postcode"},
      {"too many addresses", Break<NR>(ValidNotification(), [](NR* r) { for (int i = 0; i < 20; ++i) *r->mutable_notification()->add_addresses() = r->notification().addresses(0); }), "notification.addresses"},
      {"travel returns before departing", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->mutable_foreign_travel(0)->set_return_date("2024-06-01"); }), "notification.foreign_travel[0].return_date"},
      {"travel country missing", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->mutable_foreign_travel(0)->clear_country(); }), "notification.foreign_travel[0].country"},
      {"online identifier kind missing", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->mutable_online_identifiers(0)->clear_kind(); }), "notification.online_identifiers[0].kind"},
      {"online identifier empty", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->mutable_online_identifiers(0)->clear_value(); }), "notification.online_identifiers[0].value"},
      {"period neither ended nor indefinite", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->set_indefinite(false); }), "notification.register_end_date"},
      {"period both", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->set_register_end_date("2030-01-01"); }), "notification.register_end_date"},
      {"next due missing", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->clear_next_due_date(); }), "notification.next_due_date"},
      {"next due before notification", Break<NR>(ValidNotification(), [](NR* r) { r->mutable_notification()->set_next_due_date("2024-01-01"); }), "notification.next_due_date"},
      // Order.
      {"order missing", Break<OR>(ValidOrder(), [](OR* r) { r->clear_order(); }), "order"},
      {"order ref missing", Break<OR>(ValidOrder(), [](OR* r) { r->mutable_order()->clear_order_ref(); }), "order.order_ref"},
      {"order kind missing", Break<OR>(ValidOrder(), [](OR* r) { r->mutable_order()->clear_kind(); }), "order.kind"},
      {"order court missing", Break<OR>(ValidOrder(), [](OR* r) { r->mutable_order()->clear_court(); }), "order.court"},
      {"order made in future", Break<OR>(ValidOrder(), [](OR* r) { r->mutable_order()->set_made_date("2026-01-01"); }), "order.made_date"},
      {"order expires before made", Break<OR>(ValidOrder(), [](OR* r) { r->mutable_order()->set_expiry_date("2019-01-01"); }), "order.expiry_date"},
      {"order without prohibitions", Break<OR>(ValidOrder(), [](OR* r) { r->mutable_order()->clear_prohibitions(); }), "order.prohibitions"},
      {"blank prohibition", Break<OR>(ValidOrder(), [](OR* r) { r->mutable_order()->add_prohibitions(""); }), "order.prohibitions[1]"},
      // Breach.
      {"breach missing", Break<BR>(ValidBreach(), [](BR* r) { r->clear_breach(); }), "breach"},
      {"breach order ref missing", Break<BR>(ValidBreach(), [](BR* r) { r->mutable_breach()->clear_order_ref(); }), "breach.order_ref"},
      {"breach date malformed", Break<BR>(ValidBreach(), [](BR* r) { r->mutable_breach()->set_breach_date("2024-6-1"); }), "breach.breach_date"},
      {"breach description missing", Break<BR>(ValidBreach(), [](BR* r) { r->mutable_breach()->clear_description(); }), "breach.description"},
      // Intelligence.
      {"intelligence missing", Break<IR>(ValidIntelligence(), [](IR* r) { r->clear_intelligence(); }), "intelligence"},
      {"intelligence ref missing", Break<IR>(ValidIntelligence(), [](IR* r) { r->mutable_intelligence()->clear_intelligence_ref(); }), "intelligence.intelligence_ref"},
      {"intelligence received in future", Break<IR>(ValidIntelligence(), [](IR* r) { r->mutable_intelligence()->set_received_date("2025-02-01"); }), "intelligence.received_date"},
      {"source evaluation missing", Break<IR>(ValidIntelligence(), [](IR* r) { r->mutable_intelligence()->clear_source_evaluation(); }), "intelligence.source_evaluation"},
      {"assessment missing", Break<IR>(ValidIntelligence(), [](IR* r) { r->mutable_intelligence()->clear_assessment(); }), "intelligence.assessment"},
      {"handling code unknown", Break<IR>(ValidIntelligence(), [](IR* r) { r->mutable_intelligence()->set_handling(static_cast<HandlingCode>(9)); }), "intelligence.handling"},
      {"summary too long", Break<IR>(ValidIntelligence(), [](IR* r) { r->mutable_intelligence()->set_summary(std::string(4001, 's')); }), "intelligence.summary"},
      {"assessment missing", Break<AR>(ValidPoliceAssessment(), [](AR* r) { r->clear_assessment(); }), "assessment"},
      {"assessment subject missing", Break<AR>(ValidPoliceAssessment(), [](AR* r) { r->mutable_header()->clear_subject(); }), "header.subject"},
      {"assessment ref missing", Break<AR>(ValidPoliceAssessment(), [](AR* r) { r->mutable_assessment()->clear_assessment_ref(); }), "assessment.assessment_ref"},
      {"assessed in the future", Break<AR>(ValidPoliceAssessment(), [](AR* r) { r->mutable_assessment()->set_assessed_on("2025-01-11"); }), "assessment.assessed_on"},
      {"risk level missing", Break<AR>(ValidPoliceAssessment(), [](AR* r) { r->mutable_assessment()->clear_rosh_overall(); }), "assessment.rosh_overall"},
      {"risk to children unknown", Break<AR>(ValidPoliceAssessment(), [](AR* r) { r->mutable_assessment()->set_rosh_children(static_cast<RiskLevel>(42)); }), "assessment.rosh_children"},
      {"rm2000 unknown", Break<AR>(ValidPoliceAssessment(), [](AR* r) { r->mutable_assessment()->set_rm2000_category(static_cast<RiskLevel>(42)); }), "assessment.rm2000_category"},
  };
}

TEST_F(PoliceCommandsTest, EveryBadInputIsRefusedNamingItsFieldAndWritesNothing) {
  ExpectEveryBadInputRefused(BadInputs());
}

// --- Corrections (corrections.proto) -------------------------------------------------

class PoliceCorrectionsTest : public PoliceCommandsTest {
 protected:
  // Records `request`, returning its event id.
  template <typename Request>
  std::string Record(const Request& request) {
    auto result = Run(request);
    EXPECT_THAT(result, IsOk());
    return result.ok() ? result->event_id() : "";
  }
  RecordCorrectionRequest Retract(const std::string& command_id, const std::string& event_id,
                                  CorrectionReason reason = RECORDED_AGAINST_WRONG_PERSON) {
    return testing::Correction(testing::ValidConviction().header(), command_id, event_id, RETRACTED, reason);
  }
  RecordCorrectionRequest Amend(const std::string& command_id, const std::string& event_id, CorrectionReason reason) {
    return testing::Correction(testing::ValidConviction().header(), command_id, event_id, AMENDED, reason);
  }
};

TEST_F(PoliceCorrectionsTest, EveryBadCorrectionIsRefusedNamingItsFieldAndWritesNothing) {
  const std::string id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  using CR = RecordCorrectionRequest;
  auto amend_conviction = [&] {
    CR r = Amend("cmd-fix-01", id, KEYING_ERROR);
    *r.mutable_correction()->mutable_conviction_recorded() = testing::ValidConviction().conviction();
    return r;
  };
  ExpectEveryBadInputRefused({
      {"no event named", Break<CR>(Retract("cmd-fix-01", id), [](CR* r) { r->mutable_correction()->clear_corrected_event_id(); }), "correction.corrected_event_id"},
      {"not an event id", Break<CR>(Retract("cmd-fix-01", id), [](CR* r) { r->mutable_correction()->set_corrected_event_id("the conviction in 2019"); }), "correction.corrected_event_id"},
      {"no kind", Break<CR>(Retract("cmd-fix-01", id), [](CR* r) { r->mutable_correction()->clear_kind(); }), "correction.kind"},
      {"no reason", Break<CR>(Retract("cmd-fix-01", id), [](CR* r) { r->mutable_correction()->clear_reason(); }), "correction.reason"},
      {"no explanation", Break<CR>(Retract("cmd-fix-01", id), [](CR* r) { r->mutable_correction()->clear_explanation(); }), "correction.explanation"},
      {"nobody decided", Break<CR>(Retract("cmd-fix-01", id), [](CR* r) { r->mutable_correction()->clear_decided_by(); }), "correction.decided_by"},
      {"decided in the future", Break<CR>(Retract("cmd-fix-01", id), [](CR* r) { r->mutable_correction()->set_decided_on("2025-02-01"); }), "correction.decided_on"},
      {"a retraction amending", Break<CR>(Retract("cmd-fix-01", id), [](CR* r) { r->mutable_correction()->mutable_amended_subject()->set_given_name("X"); }), "correction.amended_subject"},
      {"an amendment of nothing", Break<CR>(Amend("cmd-fix-01", id, KEYING_ERROR), [](CR*) {}), "correction.amended_subject"},
      {"an amended fact that is not valid", Break<CR>(amend_conviction(), [](CR* r) { r->mutable_correction()->mutable_conviction_recorded()->set_offence_date("2019-02-30"); }), "correction.conviction_recorded.offence_date"},
      {"an amended fact of another agency", Break<CR>(amend_conviction(), [](CR* r) { r->mutable_correction()->mutable_supervision_started()->set_supervision_ref("LIC-1"); }), "correction.supervision_started"},
      {"an amended subject under another key", Break<CR>(Amend("cmd-fix-01", id, KEYING_ERROR), [](CR* r) { r->mutable_correction()->mutable_amended_subject()->set_pnc_id("2020/0000001A"); }), "correction.amended_subject"},
  });
}

// A conviction quashed on appeal: retracted, once; a retracted fact takes no more.
TEST_F(PoliceCorrectionsTest, AQuashedConvictionIsRetractedOnceAndForAll) {
  const std::string conviction = Record(testing::ValidConviction());
  auto retracted = Run(Retract("cmd-quash-1", conviction, QUASHED_ON_APPEAL));
  ASSERT_THAT(retracted, IsOk());
  auto events = store_->ReadStream(PoliceStreamId("pnc:2019/0012345X"), 2, 1);
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ((*events)[0].event_type(), "police.FactCorrected");
  EXPECT_EQ((*events)[0].fact_corrected().corrected_event_id(), conviction);
  EXPECT_EQ(FormatTimestamp((*events)[0].occurred_at()), "2024-12-01T00:00:00.000Z") << "when it was decided";
  EXPECT_THAT(Run(Retract("cmd-quash-2", conviction, QUASHED_ON_APPEAL)),
              StatusIs(absl::StatusCode::kFailedPrecondition, "correction.corrected_event_id"));
  RecordCorrectionRequest amend = Amend("cmd-quash-3", conviction, KEYING_ERROR);
  *amend.mutable_correction()->mutable_conviction_recorded() = testing::ValidConviction().conviction();
  EXPECT_THAT(Run(amend), StatusIs(absl::StatusCode::kFailedPrecondition, "was retracted"));
  EXPECT_EQ(store_->LastSequence(), 2u);
}

TEST_F(PoliceCorrectionsTest, OnlyTheAgencysOwnFactsOnThisRecordCanBeCorrected) {
  const std::string theirs = Record(testing::ValidConviction("cmd-other-1", "2020/0000001A"));
  EXPECT_THAT(Run(Retract("cmd-fix-1", theirs)), StatusIs(absl::StatusCode::kNotFound, "correction.corrected_event_id"))
      << "another person's fact is not on this record";
  EXPECT_THAT(Run(Retract("cmd-fix-2", "0f8fad5b-d9cb-469f-a165-70867728950e")),
              StatusIs(absl::StatusCode::kNotFound, "correction.corrected_event_id"));
  const std::string mine = Record(testing::ValidConviction());
  const std::string fix = Record(Retract("cmd-fix-3", mine));
  EXPECT_THAT(Run(Retract("cmd-fix-4", fix)), StatusIs(absl::StatusCode::kNotFound, "correction.corrected_event_id"))
      << "a correction is not a fact to correct";
}

// Intelligence re-graded: amended, whole, keeping its reference; of its own kind only;
// for the reason that fits.
TEST_F(PoliceCorrectionsTest, RegradedIntelligenceIsAmendedKeepingItsReference) {
  const std::string intelligence = Record(testing::ValidIntelligence());
  RecordCorrectionRequest regrade = Amend("cmd-regrade-1", intelligence, INTELLIGENCE_REGRADED);
  IntelligenceRecorded* amended = regrade.mutable_correction()->mutable_intelligence_recorded();
  *amended = testing::ValidIntelligence().intelligence();
  amended->set_assessment(SUSPECTED_FALSE);

  RecordCorrectionRequest other_ref = regrade;
  other_ref.mutable_correction()->mutable_intelligence_recorded()->set_intelligence_ref("INT-2");
  EXPECT_THAT(Run(other_ref), StatusIs(absl::StatusCode::kInvalidArgument,
                                       "correction.intelligence_recorded.intelligence_ref: must stay 'INT-1'"));
  RecordCorrectionRequest other_kind = Amend("cmd-regrade-2", intelligence, INTELLIGENCE_REGRADED);
  *other_kind.mutable_correction()->mutable_conviction_recorded() = testing::ValidConviction().conviction();
  EXPECT_THAT(Run(other_kind),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "correction.conviction_recorded: event " + intelligence +
                           " is of kind IntelligenceRecorded: amend it with correction.intelligence_recorded"));
  RecordCorrectionRequest quashed = regrade;
  quashed.mutable_correction()->set_reason(QUASHED_ON_APPEAL);
  quashed.mutable_header()->set_command_id("cmd-regrade-3");
  EXPECT_THAT(Run(quashed), StatusIs(absl::StatusCode::kInvalidArgument, "correction.reason"));
  EXPECT_THAT(Run(regrade), IsOk());
  // Amended again: the latest amendment is how it stands.
  regrade.mutable_header()->set_command_id("cmd-regrade-4");
  regrade.mutable_correction()->mutable_intelligence_recorded()->set_assessment(KNOWN_DIRECTLY);
  EXPECT_THAT(Run(regrade), IsOk());
}

// An order recorded in error: retracted, its reference is free again, and it cannot be
// breached.
TEST_F(PoliceCorrectionsTest, ARetractedOrderFreesItsReferenceAndTakesNoBreach) {
  const std::string order = Record(testing::ValidOrder("cmd-order-a"));
  ASSERT_THAT(Run(Retract("cmd-order-fix", order, KEYING_ERROR)), IsOk());
  EXPECT_THAT(Run(testing::ValidBreach()), StatusIs(absl::StatusCode::kFailedPrecondition, "breach.order_ref"));
  EXPECT_THAT(Run(testing::ValidOrder("cmd-order-b")), IsOk()) << "recorded again, under the same reference";
  EXPECT_THAT(Run(testing::ValidBreach()), IsOk());
}

// An order that was breached goes only once its breach has: otherwise the breach would
// stand under no order, and under the next order recorded with that reference.
TEST_F(PoliceCorrectionsTest, ABreachedOrderIsRetractedOnlyAfterItsBreach) {
  const std::string order = Record(testing::ValidOrder("cmd-order-a"));
  const std::string breach = Record(testing::ValidBreach());
  EXPECT_THAT(Run(Retract("cmd-order-fix-1", order, KEYING_ERROR)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "correction.corrected_event_id: OrderRecorded " + order +
                           " started order_ref 'SHPO-1', and what was recorded under it stands: OrderBreachRecorded " +
                           breach + "; retract those first"));
  EXPECT_EQ(store_->LastSequence(), 2u) << "nothing written";
  ASSERT_THAT(Run(Retract("cmd-breach-fix", breach, KEYING_ERROR)), IsOk()) << "a breach goes on its own";
  ASSERT_THAT(Run(Retract("cmd-order-fix-2", order, KEYING_ERROR)), IsOk());
  // Recorded again under its reference: nothing of the first order's comes back.
  const std::string again = Record(testing::ValidOrder("cmd-order-b"));
  EXPECT_THAT(Run(Retract("cmd-order-fix-3", again, KEYING_ERROR)), IsOk()) << "the new order has no breach";
}

// An order varied or discharged is amended: a discharge brings its expiry forward.
TEST_F(PoliceCorrectionsTest, AnOrderDischargedIsAmendedAndAnAmendmentIsCheckedAsTheFactIs) {
  const std::string order = Record(testing::ValidOrder());
  RecordCorrectionRequest discharge = Amend("cmd-discharge-1", order, ORDER_DISCHARGED);
  OrderRecorded* amended = discharge.mutable_correction()->mutable_order_recorded();
  *amended = testing::ValidOrder().order();
  amended->set_expiry_date("2019-01-01");  // before it was made: refused as a command would be
  EXPECT_THAT(Run(discharge), StatusIs(absl::StatusCode::kInvalidArgument, "correction.order_recorded.expiry_date"));
  amended->set_expiry_date("2024-11-30");
  EXPECT_THAT(Run(discharge), IsOk());
  RecordCorrectionRequest retract = Retract("cmd-discharge-2", order, ORDER_DISCHARGED);
  EXPECT_THAT(Run(retract), StatusIs(absl::StatusCode::kInvalidArgument, "correction.reason"))
      << "a discharged order happened: it is amended, not retracted";
}

// The case: an offence dated 1980-01-01 for a man born 1985-05-05 was recorded.
// Refused now, naming both dates.
TEST_F(PoliceCommandsTest, AnOffenceBeforeTheSubjectWasBornIsRefusedNamingBothDates) {
  RecordConvictionRequest r = testing::ValidConviction();
  r.mutable_header()->mutable_subject()->set_date_of_birth("1985-05-05");
  r.mutable_conviction()->set_offence_date("1980-01-01");
  r.mutable_conviction()->set_disposal_date("1986-01-10");
  EXPECT_THAT(Run(r), StatusIs(absl::StatusCode::kInvalidArgument,
                               "conviction.offence_date: 1980-01-01 is before the subject's date of birth "
                               "(header.subject.date_of_birth 1985-05-05)"));
  r.mutable_conviction()->set_offence_date("1985-06-01");
  EXPECT_THAT(Run(r), IsOk());
}

TEST_F(PoliceCommandsTest, EveryValidCommandIsRecordedWithItsEnvelope) {
  ASSERT_THAT(Run(testing::ValidConviction()), IsOk());
  ASSERT_THAT(Run(testing::ValidNotification()), IsOk());
  ASSERT_THAT(Run(testing::ValidOrder()), IsOk());
  ASSERT_THAT(Run(testing::ValidBreach()), IsOk());
  ASSERT_THAT(Run(testing::ValidIntelligence()), IsOk());
  ASSERT_THAT(Run(testing::ValidPoliceAssessment()), IsOk());
  auto events = store_->ReadStream(PoliceStreamId("pnc:2019/0012345X"), 1, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 6u);
  EXPECT_EQ((*events)[5].event_type(), "police.RiskAssessmentCompleted");
  EXPECT_EQ((*events)[5].risk_assessment_completed().rosh_overall(), RISK_VERY_HIGH);
  const EventEnvelope& e = (*events)[1];
  EXPECT_EQ(e.event_type(), "police.RegisterNotificationRecorded");
  EXPECT_EQ(e.schema_version(), 1u);
  EXPECT_EQ(e.agency(), AGENCY_POLICE);
  EXPECT_EQ(e.subject_key(), "pnc:2019/0012345X");
  EXPECT_EQ(e.actor().user(), "officer-1");
  EXPECT_EQ(e.correlation_id(), "corr-1");
  EXPECT_EQ(e.command_id(), "cmd-notification-1");
  EXPECT_EQ(FormatTimestamp(e.occurred_at()), "2024-02-01T00:00:00.000Z");
  // Postcodes are normalised before they are stored.
  EXPECT_EQ(e.register_notification_recorded().addresses(0).postcode(), "LS1 4AP");
}

TEST_F(PoliceCommandsTest, IdentifiersAreNormalisedSoOneSubjectIsOneStream) {
  ASSERT_THAT(Run(testing::ValidConviction("cmd-norm-0001", "2019/0012345X")), IsOk());
  auto second = Run(testing::ValidIntelligence("cmd-norm-0002", " 2019/12345x "));
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->stream_id(), "police/pnc:2019/0012345X");
  EXPECT_EQ(second->stream_version(), 2u);
}

TEST_F(PoliceCommandsTest, BreachOfUnrecordedOrderIsFailedPrecondition) {
  EXPECT_THAT(Run(testing::ValidBreach()),
              StatusIs(absl::StatusCode::kFailedPrecondition, "breach.order_ref"));
  EXPECT_EQ(store_->LastSequence(), 0u);
  ASSERT_THAT(Run(testing::ValidOrder()), IsOk());
  EXPECT_THAT(Run(testing::ValidBreach()), IsOk());
}

TEST_F(PoliceCommandsTest, OrderAndIntelligenceRefsAreRecordedOncePerSubject) {
  ASSERT_THAT(Run(testing::ValidOrder("cmd-order-0001")), IsOk());
  EXPECT_THAT(Run(testing::ValidOrder("cmd-order-0002")),
              StatusIs(absl::StatusCode::kAlreadyExists, "order.order_ref"));
  ASSERT_THAT(Run(testing::ValidPoliceAssessment("cmd-arms-0001")), IsOk());
  EXPECT_THAT(Run(testing::ValidPoliceAssessment("cmd-arms-0002")),
              StatusIs(absl::StatusCode::kAlreadyExists, "assessment.assessment_ref"));
  ASSERT_THAT(Run(testing::ValidIntelligence("cmd-intel-0001")), IsOk());
  EXPECT_THAT(Run(testing::ValidIntelligence("cmd-intel-0002")),
              StatusIs(absl::StatusCode::kAlreadyExists, "intelligence.intelligence_ref"));
  // The same reference for another subject is fine.
  EXPECT_THAT(Run(testing::ValidOrder("cmd-order-0003", "2020/0000001A")), IsOk());
  EXPECT_EQ(store_->LastSequence(), 4u);
}

TEST_F(PoliceCommandsTest, RepeatedCommandReturnsOriginalEvenWhereItsRuleNowRefuses) {
  auto first = Run(testing::ValidOrder("cmd-order-again"));
  ASSERT_THAT(first, IsOk());
  auto again = Run(testing::ValidOrder("cmd-order-again"));
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->idempotent_replay());
  EXPECT_EQ(again->event_id(), first->event_id());
  // A different command under the same id is refused.
  auto different = testing::ValidOrder("cmd-order-again", "2019/0012345X", "SHPO-2");
  EXPECT_THAT(Run(different), StatusIs(absl::StatusCode::kAlreadyExists, "command_id"));
  EXPECT_EQ(store_->LastSequence(), 1u);
}

TEST_F(PoliceCommandsTest, CallerExpectedVersionIsEnforced) {
  auto first = testing::ValidConviction("cmd-expect-01");
  first.mutable_header()->set_expected_version(0);
  ASSERT_THAT(Run(first), IsOk());
  auto stale = testing::ValidOrder("cmd-expect-02");
  stale.mutable_header()->set_expected_version(0);
  EXPECT_THAT(Run(stale), StatusIs(absl::StatusCode::kAborted));
  stale.mutable_header()->set_expected_version(1);
  // Same command id, different content (the expected version is part of the command).
  stale.mutable_header()->set_command_id("cmd-expect-03");
  EXPECT_THAT(Run(stale), IsOk());
}

// Officers recording intelligence about one man at once. Each command's rule (the
// reference is new for him) is checked by the store's writer in the same step as its
// append, against the entry for that reference alone: no command is refused for a
// conflict it did not ask about (there was a read-then-append race, retried five times,
// then ABORTED: 7.5% of calls with three writers), and none reads the man's record,
// however long it grows.
TEST_F(PoliceCommandsTest, ConcurrentRecordsAboutOneManAreNeverAbortedAndReadOnlyTheirOwnEntry) {
  constexpr int kOfficers = 8, kEach = 40;
  std::vector<std::thread> officers;
  std::atomic<int> recorded{0}, aborted{0}, other{0};
  for (int o = 0; o < kOfficers; ++o) {
    officers.emplace_back([&, o] {
      for (int i = 0; i < kEach; ++i) {
        auto r = testing::ValidIntelligence();
        r.mutable_header()->set_command_id(absl::StrCat("cmd-intel-", o, "-", i));
        r.mutable_intelligence()->set_intelligence_ref(absl::StrCat("INT-", o, "-", i));
        absl::Status st = Run(r).status();
        (st.ok() ? recorded : absl::IsAborted(st) ? aborted : other)++;
      }
    });
  }
  for (std::thread& t : officers) t.join();
  EXPECT_EQ(aborted.load(), 0);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(recorded.load(), kOfficers * kEach);
  EXPECT_EQ(*store_->StreamVersion(PoliceStreamId("pnc:2019/0012345X")), static_cast<uint64_t>(kOfficers * kEach));

  // One more, on a record of 320 events: a few point look-ups, no scan of the record.
  const uint64_t seeks = statistics_->getTickerCount(rocksdb::NUMBER_DB_SEEK);
  const uint64_t nexts = statistics_->getTickerCount(rocksdb::NUMBER_DB_NEXT);
  const uint64_t reads = statistics_->getTickerCount(rocksdb::NUMBER_KEYS_READ);
  auto one_more = testing::ValidIntelligence();
  one_more.mutable_header()->set_command_id("cmd-intel-last");
  one_more.mutable_intelligence()->set_intelligence_ref("INT-LAST");
  ASSERT_THAT(Run(one_more), IsOk());
  auto duplicate = one_more;
  duplicate.mutable_header()->set_command_id("cmd-intel-duplicate");
  EXPECT_THAT(Run(duplicate), StatusIs(absl::StatusCode::kAlreadyExists, "intelligence.intelligence_ref"));
  EXPECT_EQ(statistics_->getTickerCount(rocksdb::NUMBER_DB_SEEK) - seeks, 0u);
  EXPECT_EQ(statistics_->getTickerCount(rocksdb::NUMBER_DB_NEXT) - nexts, 0u);
  EXPECT_LE(statistics_->getTickerCount(rocksdb::NUMBER_KEYS_READ) - reads, 8u);
}

}  // namespace
}  // namespace safeguard::police
