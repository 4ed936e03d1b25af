#include "services/mappa/projection/risk_projection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "absl/strings/str_cat.h"
#include "common/time_util.h"
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

// A registered sexual offender is MAPPA category 1 by statute, with the reason, whether or
// not anyone proposed a category; the s.327A duty is one answer, the flag the view's.
TEST(RiskProjectionTest, ARegisteredSexOffenderIsCategoryOneByStatute) {
  EventFactory f;
  RiskView registered = Project({f.Notification(kPnc, "2024-02-01", "2025-02-01")}, absl::CivilDay(2025, 1, 1));
  EXPECT_TRUE(registered.disclosure_consideration().statutory_category_1());
  EXPECT_THAT(registered.disclosure_consideration().statutory_reason(),
              ::testing::HasSubstr("on the sex offenders register (notified 2024-02-01)"));
  EXPECT_FALSE(registered.disclosure_consideration().duty_applies()) << "no child sexual offence on record";
  EXPECT_FALSE(registered.flags().duty_to_consider_disclosure());

  RiskView child = Project({f.Conviction(kPnc, CHILD_SEXUAL)}, absl::CivilDay(2025, 1, 1));
  EXPECT_TRUE(child.disclosure_consideration().statutory_category_1());
  EXPECT_TRUE(child.disclosure_consideration().duty_applies()) << "before anyone proposes a category";
  EXPECT_EQ(child.flags().duty_to_consider_disclosure(), child.disclosure_consideration().duty_applies());

  RiskView violent = Project({f.Conviction("2020/0000001A", VIOLENT)}, absl::CivilDay(2025, 1, 1));
  EXPECT_FALSE(violent.disclosure_consideration().statutory_category_1());
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

// Corrections: a quashed conviction leaves the picture (and the duty it raised), re-graded
// intelligence shows its new grading where it stood, and each correction is listed with
// what the fact was and is; the events are all still counted.
TEST(RiskProjectionTest, CorrectionsShowTheFactsAsCorrectedAndListEachCorrection) {
  EventFactory f;
  const EventEnvelope conviction = f.Conviction(kPnc, CHILD_SEXUAL);
  const EventEnvelope intel = f.Intelligence(kPnc, "2024-03-03");
  const EventEnvelope quashed = f.Retraction(conviction, QUASHED_ON_APPEAL);
  const EventEnvelope regraded = f.Correction(intel, AMENDED, INTELLIGENCE_REGRADED, [&](FactCorrected* c) {
    *c->mutable_intelligence_recorded() = intel.intelligence_recorded();
    c->mutable_intelligence_recorded()->set_assessment(SUSPECTED_FALSE);
  });
  RiskView view;
  FoldEvents({conviction, intel, quashed, regraded}, &view);
  ComputeAsOf(absl::CivilDay(2025, 1, 1), &view);
  EXPECT_EQ(view.convictions_size(), 0);
  EXPECT_FALSE(view.flags().child_sexual_offence_history());
  EXPECT_FALSE(view.flags().duty_to_consider_disclosure());
  ASSERT_EQ(view.intelligence_size(), 1);
  EXPECT_EQ(view.intelligence(0).grading(), "2/E/P");
  EXPECT_EQ(view.intelligence(0).provenance().event_id(), intel.event_id()) << "the fact is where it was recorded";
  EXPECT_EQ(view.events_applied(), 4u);
  ASSERT_EQ(view.corrections_size(), 2);
  EXPECT_EQ(view.corrections(0).corrected_event_id(), conviction.event_id());
  EXPECT_EQ(view.corrections(0).kind(), RETRACTED);
  EXPECT_THAT(view.corrections(0).was(), ::testing::StartsWith("Conviction: "));
  EXPECT_EQ(view.corrections(0).now(), "");
  EXPECT_EQ(view.corrections(0).provenance().event_id(), quashed.event_id());
  EXPECT_THAT(view.corrections(1).was(), ::testing::HasSubstr("graded 2/C/P"));
  EXPECT_THAT(view.corrections(1).now(), ::testing::HasSubstr("graded 2/E/P"));

  // Before the corrections (what a view as of then folds), the facts stand as recorded.
  RiskView then;
  FoldEvents({conviction, intel}, &then);
  EXPECT_EQ(then.convictions_size(), 1);
  EXPECT_EQ(then.intelligence(0).grading(), "2/C/P");
  EXPECT_EQ(then.corrections_size(), 0);
}

// What a retracted fact said of its subject is no longer who the record is; an amended
// subject is.
TEST(RiskProjectionTest, CorrectedEventsLeaveOutRetractedFactsAndAmendTheRest) {
  EventFactory f;
  EventEnvelope wrong = f.Conviction(kPnc, CHILD_SEXUAL);
  wrong.mutable_subject()->set_given_name("Someone");
  const EventEnvelope intel = f.Intelligence(kPnc, "2024-03-03");
  const EventEnvelope retracted = f.Retraction(wrong, RECORDED_AGAINST_WRONG_PERSON);
  const EventEnvelope renamed = f.Correction(intel, AMENDED, KEYING_ERROR, [&](FactCorrected* c) {
    *c->mutable_amended_subject() = intel.subject();
    c->mutable_amended_subject()->set_date_of_birth("1970-02-03");
  });
  const std::vector<EventEnvelope> corrected = CorrectedEvents({wrong, intel, retracted, renamed});
  ASSERT_EQ(corrected.size(), 1u);
  EXPECT_EQ(corrected[0].event_id(), intel.event_id());
  EXPECT_EQ(corrected[0].subject().date_of_birth(), "1970-02-03");
  RiskView view;
  FoldEvents({wrong, intel, retracted, renamed}, &view);
  EXPECT_NE(view.identity().given_name(), "Someone");
  EXPECT_EQ(view.identity().date_of_birth(), "1970-02-03");
}

// Amendments accumulate: the subject's date of birth corrected, then the grading; or the
// grading, then the date of birth. Either way both stand, and each correction shows the
// fact before and after it. An amended subject given only a date keeps the names.
TEST(RiskProjectionTest, SuccessiveAmendmentsOfOneFactAccumulate) {
  EventFactory f;
  const EventEnvelope intel = f.Intelligence(kPnc, "2024-03-03");
  const EventEnvelope dated = f.Correction(intel, AMENDED, KEYING_ERROR, [&](FactCorrected* c) {
    c->mutable_amended_subject()->set_date_of_birth("1970-02-03");
  });
  const EventEnvelope regraded = f.Correction(intel, AMENDED, INTELLIGENCE_REGRADED, [&](FactCorrected* c) {
    *c->mutable_intelligence_recorded() = intel.intelligence_recorded();
    c->mutable_intelligence_recorded()->set_assessment(SUSPECTED_FALSE);
  });
  for (const auto& events : {std::vector<EventEnvelope>{intel, dated, regraded},
                             std::vector<EventEnvelope>{intel, regraded, dated}}) {
    RiskView view;
    FoldEvents(events, &view);
    ASSERT_EQ(view.intelligence_size(), 1);
    EXPECT_EQ(view.intelligence(0).grading(), "2/E/P") << "the grading stays amended";
    EXPECT_EQ(view.identity().date_of_birth(), "1970-02-03") << "the date stays amended";
    EXPECT_EQ(view.identity().given_name(), intel.subject().given_name()) << "the names stay as recorded";
    ASSERT_EQ(view.corrections_size(), 2);
    EXPECT_EQ(view.corrections(1).was(), view.corrections(0).now().substr(0, view.corrections(1).was().size()))
        << "the second correction starts from where the first left the fact";
    const std::vector<EventEnvelope> corrected = CorrectedEvents(events);
    ASSERT_EQ(corrected.size(), 1u);
    EXPECT_EQ(corrected[0].intelligence_recorded().assessment(), SUSPECTED_FALSE);
    EXPECT_EQ(corrected[0].subject().date_of_birth(), "1970-02-03");
    EXPECT_EQ(corrected[0].subject().pnc_id(), intel.subject().pnc_id());
  }
}

// A correction counts only from the fact's own agency on the fact's own stream: the
// agencies refuse any other, and a log altered to hold one changes nothing.
TEST(RiskProjectionTest, ACorrectionFromAnotherAgencyOrStreamIsNotBelieved) {
  EventFactory f;
  const EventEnvelope conviction = f.Conviction(kPnc, CHILD_SEXUAL);
  EventEnvelope by_probation = f.Retraction(conviction, QUASHED_ON_APPEAL);
  by_probation.set_agency(AGENCY_PROBATION);
  EventEnvelope elsewhere = f.Retraction(conviction, QUASHED_ON_APPEAL);
  elsewhere.set_stream_id("police/pnc:2020/0000001A");
  for (const EventEnvelope& forged : {by_probation, elsewhere}) {
    RiskView view;
    FoldEvents({conviction, forged}, &view);
    EXPECT_EQ(view.convictions_size(), 1);
    EXPECT_EQ(view.corrections_size(), 0);
    EXPECT_EQ(CorrectedEvents({conviction, forged}).size(), 1u);
  }
  RiskView view;
  FoldEvents({conviction, f.Retraction(conviction, QUASHED_ON_APPEAL)}, &view);
  EXPECT_EQ(view.convictions_size(), 0) << "the police's own retraction is";
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

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;

EventEnvelope ProbationEvent(uint64_t version, const std::string& date,
                             void (*set)(EventEnvelope*)) {
  EventEnvelope e;
  e.set_event_id(absl::StrCat("probation-event-", version));
  e.set_agency(AGENCY_PROBATION);
  e.set_subject_key("pnc:2019/0012345X");
  e.set_stream_id("probation/pnc:2019/0012345X");
  e.set_stream_version(version);
  e.mutable_subject()->set_pnc_id("2019/0012345X");
  e.mutable_subject()->set_probation_case_ref("X123456");
  *e.mutable_occurred_at() = ToProtoTimestamp(StartOfDay(*ParseIsoDate(date)));
  set(&e);
  return e;
}

TEST(RiskProjectionProbationTest, SupervisionConditionsBreachesRecallsAndEnding) {
  RiskView view;
  ApplyEvent(ProbationEvent(1, "2023-01-09", [](EventEnvelope* e) {
               auto* s = e->mutable_supervision_started();
               s->set_supervision_ref("LIC-1");
               s->set_kind(LICENCE);
               s->set_start_date("2023-01-09");
               s->set_expected_end_date("2027-01-08");
             }), &view);
  ApplyEvent(ProbationEvent(2, "2023-01-09", [](EventEnvelope* e) {
               auto* c = e->mutable_licence_conditions_set();
               c->set_supervision_ref("LIC-1");
               c->add_conditions()->set_condition_ref("C1");
               c->add_conditions()->set_condition_ref("C2");
             }), &view);
  // A later set replaces the earlier one.
  ApplyEvent(ProbationEvent(3, "2023-06-01", [](EventEnvelope* e) {
               auto* c = e->mutable_licence_conditions_set();
               c->set_supervision_ref("LIC-1");
               c->add_conditions()->set_condition_ref("C3");
             }), &view);
  ComputeAsOf(absl::CivilDay(2024, 1, 1), &view);
  ASSERT_EQ(view.supervisions_size(), 1);
  EXPECT_TRUE(view.supervisions(0).active());
  ASSERT_EQ(view.supervisions(0).conditions().conditions_size(), 1);
  EXPECT_EQ(view.supervisions(0).conditions().conditions(0).condition_ref(), "C3");
  EXPECT_TRUE(view.flags().under_probation_supervision());
  EXPECT_FALSE(view.flags().licence_condition_breached());
  EXPECT_EQ(view.references(1), "probation:X123456");

  ApplyEvent(ProbationEvent(4, "2024-05-05", [](EventEnvelope* e) {
               e->mutable_licence_breach_recorded()->set_supervision_ref("LIC-1");
             }), &view);
  ApplyEvent(ProbationEvent(5, "2024-05-06", [](EventEnvelope* e) {
               e->mutable_recall_recorded()->set_supervision_ref("LIC-1");
             }), &view);
  ComputeAsOf(absl::CivilDay(2024, 6, 1), &view);
  EXPECT_TRUE(view.flags().licence_condition_breached());
  EXPECT_TRUE(view.flags().recalled());
  EXPECT_EQ(view.supervisions(0).breaches(0).provenance().event_id(), "probation-event-4");

  ApplyEvent(ProbationEvent(6, "2024-12-01", [](EventEnvelope* e) {
               e->mutable_supervision_ended()->set_supervision_ref("LIC-1");
             }), &view);
  ComputeAsOf(absl::CivilDay(2025, 1, 1), &view);
  EXPECT_FALSE(view.supervisions(0).active());
  EXPECT_FALSE(view.flags().under_probation_supervision());
}

TEST(RiskProjectionProbationTest, LatestAssessmentPerAgencyAndHighestCurrentRisk) {
  RiskView view;
  auto assessment = [](uint64_t version, const std::string& on, RiskLevel level) {
    EventEnvelope e = ProbationEvent(version, on, [](EventEnvelope*) {});
    auto* a = e.mutable_risk_assessment_completed();
    a->set_assessment_ref(absl::StrCat("A", version));
    a->set_assessed_on(on);
    a->set_rosh_overall(level);
    return e;
  };
  // A very high assessment, superseded by a later medium one: the current risk is medium.
  ApplyEvent(assessment(1, "2022-01-01", RISK_VERY_HIGH), &view);
  ApplyEvent(assessment(2, "2024-01-01", RISK_MEDIUM), &view);
  // Arriving late but dated earlier, it does not supersede.
  ApplyEvent(assessment(3, "2023-01-01", RISK_HIGH), &view);
  ComputeAsOf(absl::CivilDay(2025, 1, 1), &view);
  ASSERT_EQ(view.latest_assessment_by_agency_size(), 1);
  EXPECT_EQ(view.latest_assessment_by_agency(0).assessment().assessment_ref(), "A2");
  EXPECT_EQ(view.highest_current_rosh(), RISK_MEDIUM);
  EXPECT_FALSE(view.flags().high_risk_of_serious_harm());

  ApplyEvent(assessment(4, "2024-06-01", RISK_HIGH), &view);
  ComputeAsOf(absl::CivilDay(2025, 1, 1), &view);
  EXPECT_EQ(view.highest_current_rosh(), RISK_HIGH);
  EXPECT_TRUE(view.flags().high_risk_of_serious_harm());
  EXPECT_EQ(view.risk_assessments_size(), 4);
}

TEST(RiskProjectionProbationTest, LatestMappaProposalByDate) {
  RiskView view;
  auto proposal = [](uint64_t version, const std::string& on, int level) {
    EventEnvelope e = ProbationEvent(version, on, [](EventEnvelope*) {});
    auto* p = e.mutable_mappa_category_level_proposed();
    p->set_category(1);
    p->set_level(level);
    p->set_proposed_on(on);
    return e;
  };
  ApplyEvent(proposal(1, "2024-03-01", 3), &view);
  ApplyEvent(proposal(2, "2023-03-01", 1), &view);
  EXPECT_EQ(view.mappa_proposal().proposal().level(), 3);
  EXPECT_EQ(view.mappa_proposal().provenance().agency(), AGENCY_PROBATION);
}

}  // namespace
}  // namespace safeguard::mappa

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;

TEST(RiskProjectionChildrenTest, ChildrenInContactFromChildrensServicesAndTheRegister) {
  safeguard::testing::EventFactory f;
  RiskView view;
  // The register says he lives with a child; children's services name the child he visits.
  ApplyEvent(f.Notification("2019/0012345X", "2024-02-01", "2025-02-01"), &view);
  EventEnvelope m;
  m.set_agency(AGENCY_CHILDRENS_SERVICES);
  m.set_event_id("membership-1");
  auto* x = m.mutable_household_membership_recorded();
  x->set_membership_ref("HH-1");
  x->mutable_child()->set_childrens_case_id("CS-1001");
  x->set_contact(REGULARLY_VISITS);
  x->set_from_date("2024-06-01");
  x->set_relationship_to_child("mother's partner");
  HouseholdAdult* mother = x->add_other_adults();
  mother->set_given_name("Cara");
  mother->set_family_name("Example");
  mother->set_relationship_to_child("mother");
  ApplyEvent(m, &view);
  ComputeAsOf(absl::CivilDay(2024, 7, 1), &view);
  ASSERT_EQ(view.children_in_contact_size(), 2);
  EXPECT_EQ(view.children_in_contact(0).source(), HOUSEHOLD_MEMBERSHIP);
  // The household's other adults are in the picture: the mother is whom to reach.
  EXPECT_EQ(view.children_in_contact(0).relationship_to_child(), "mother's partner");
  ASSERT_EQ(view.children_in_contact(0).other_adults_size(), 1);
  EXPECT_EQ(view.children_in_contact(0).other_adults(0).relationship_to_child(), "mother");
  EXPECT_EQ(view.children_in_contact(1).source(), REGISTER_NOTIFICATION);
  EXPECT_TRUE(view.flags().child_in_contact());
  // Computing again does not duplicate the register-derived entry.
  ComputeAsOf(absl::CivilDay(2024, 7, 2), &view);
  EXPECT_EQ(view.children_in_contact_size(), 2);

  EventEnvelope end;
  end.mutable_household_membership_ended()->set_membership_ref("HH-1");
  end.mutable_household_membership_ended()->set_end_date("2024-08-01");
  ApplyEvent(end, &view);
  ComputeAsOf(absl::CivilDay(2024, 8, 1), &view);
  EXPECT_TRUE(view.children_in_contact(0).current());   // the end day itself still counts
  ComputeAsOf(absl::CivilDay(2024, 8, 2), &view);
  EXPECT_FALSE(view.children_in_contact(0).current());
  EXPECT_TRUE(view.flags().child_in_contact());          // the register entry remains
}

}  // namespace
}  // namespace safeguard::mappa
