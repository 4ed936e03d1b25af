#include "services/mappa/alerts/alert_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/mappa/projection/risk_projection.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Provenance From(const std::string& event_id, Agency agency = AGENCY_POLICE) {
  Provenance p;
  p.set_event_id(event_id);
  p.set_agency(agency);
  return p;
}

std::vector<AlertRule> Rules(const std::vector<Alert>& alerts) {
  std::vector<AlertRule> out;
  for (const auto& a : alerts) out.push_back(a.rule());
  return out;
}

const Alert* Find(const std::vector<Alert>& alerts, AlertRule rule) {
  for (const auto& a : alerts) {
    if (a.rule() == rule) return &a;
  }
  return nullptr;
}

// A view with the computed fields a rule reads, set directly.
RiskView View() {
  RiskView v;
  v.set_subject_key("pnc:2019/0012345X");
  return v;
}

void AddContact(RiskView* v, const std::string& event_id, bool current, const std::string& from = "2024-01-01",
                const std::string& to = "") {
  ChildInContact* c = v->add_children_in_contact();
  c->set_source(HOUSEHOLD_MEMBERSHIP);
  c->mutable_child()->set_childrens_case_id("CS-1");
  c->set_from_date(from);
  c->set_end_date(to);
  c->set_current(current);
  *c->mutable_provenance() = From(event_id, AGENCY_CHILDRENS_SERVICES);
}

TEST(AlertsTest, NothingHoldsForAnEmptyView) { EXPECT_THAT(ComputeAlerts(View()), IsEmpty()); }

TEST(AlertsTest, ChildSexualOffenderInContactWithAChild) {
  RiskView v = View();
  ConvictionFact* c = v.add_convictions();
  c->mutable_conviction()->set_classification(CHILD_SEXUAL);
  *c->mutable_provenance() = From("conviction-1");
  EXPECT_THAT(ComputeAlerts(v), IsEmpty()) << "no child in contact";
  AddContact(&v, "membership-1", /*current=*/true);
  auto alerts = ComputeAlerts(v);
  ASSERT_THAT(Rules(alerts), ElementsAre(RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD));
  EXPECT_THAT(alerts[0].raised_by_event_ids(), UnorderedElementsAre("conviction-1", "membership-1"));
  EXPECT_EQ(alerts[0].alert_id(), "pnc:2019/0012345X/RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD");
  // The contact ends: the alert clears.
  v.mutable_children_in_contact(0)->set_current(false);
  EXPECT_THAT(ComputeAlerts(v), IsEmpty());
}

TEST(AlertsTest, AdultOffenceOnlyDoesNotRaiseButAnOrderForbiddingContactDoes) {
  RiskView v = View();
  ConvictionFact* c = v.add_convictions();
  c->mutable_conviction()->set_classification(ADULT_SEXUAL);
  *c->mutable_provenance() = From("conviction-1");
  AddContact(&v, "membership-1", true);
  EXPECT_THAT(ComputeAlerts(v), IsEmpty());
  OrderFact* o = v.add_orders();
  o->mutable_order()->set_order_ref("SHPO-1");
  o->mutable_order()->set_prohibits_unsupervised_contact_with_children(true);
  o->set_active(false);  // expired
  *o->mutable_provenance() = From("order-1");
  EXPECT_THAT(ComputeAlerts(v), IsEmpty()) << "an expired order forbids nothing";
  o->set_active(true);
  auto alerts = ComputeAlerts(v);
  ASSERT_THAT(Rules(alerts), ElementsAre(RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD));
  EXPECT_THAT(alerts[0].raised_by_event_ids(), UnorderedElementsAre("order-1", "membership-1"));
}

TEST(AlertsTest, LicenceConditionForbiddingContactCountsWhileTheSupervisionIsActive) {
  RiskView v = View();
  AddContact(&v, "membership-1", true);
  SupervisionFact* s = v.add_supervisions();
  s->set_active(true);
  auto* cond = s->mutable_conditions()->add_conditions();
  cond->set_condition_ref("C1");
  cond->set_kind(NO_UNSUPERVISED_CONTACT_WITH_CHILDREN);
  *s->mutable_conditions_provenance() = From("conditions-1", AGENCY_PROBATION);
  EXPECT_THAT(Rules(ComputeAlerts(v)), ElementsAre(RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD));
  s->set_active(false);
  EXPECT_THAT(ComputeAlerts(v), IsEmpty());
}

TEST(AlertsTest, RegisterNotificationOverdue) {
  RiskView v = View();
  v.mutable_register_()->set_registered(true);
  v.mutable_register_()->mutable_latest()->set_next_due_date("2025-01-01");
  *v.mutable_register_()->mutable_provenance() = From("notification-1");
  v.mutable_register_()->set_days_until_due(3);
  EXPECT_THAT(ComputeAlerts(v), IsEmpty());
  v.mutable_register_()->set_notification_overdue(true);
  v.mutable_register_()->set_days_until_due(-9);
  auto alerts = ComputeAlerts(v);
  ASSERT_THAT(Rules(alerts), ElementsAre(REGISTER_NOTIFICATION_OVERDUE));
  EXPECT_THAT(alerts[0].summary(), ::testing::HasSubstr("was due"));
  EXPECT_THAT(alerts[0].raised_by_event_ids(), ElementsAre("notification-1"));
}

TEST(AlertsTest, AgenciesRiskLevelsDisagree) {
  RiskView v = View();
  auto assess = [&](const std::string& id, Agency agency, const std::string& on, RiskLevel level) {
    RiskAssessmentFact* a = v.add_latest_assessment_by_agency();
    a->mutable_assessment()->set_assessed_on(on);
    a->mutable_assessment()->set_rosh_overall(level);
    *a->mutable_provenance() = From(id, agency);
  };
  assess("probation-a", AGENCY_PROBATION, "2024-06-01", RISK_HIGH);
  EXPECT_THAT(ComputeAlerts(v), IsEmpty()) << "one agency cannot disagree with itself";
  assess("police-a", AGENCY_POLICE, "2023-01-01", RISK_MEDIUM);
  auto alerts = ComputeAlerts(v);
  ASSERT_THAT(Rules(alerts), ElementsAre(RISK_LEVELS_DISAGREE));
  EXPECT_THAT(alerts[0].raised_by_event_ids(), UnorderedElementsAre("probation-a", "police-a"));
  EXPECT_THAT(alerts[0].summary(), ::testing::HasSubstr("AGENCY_POLICE holds RISK_MEDIUM"));
  // The police reassess at the same level: agreement clears it.
  v.mutable_latest_assessment_by_agency(1)->mutable_assessment()->set_rosh_overall(RISK_HIGH);
  v.mutable_latest_assessment_by_agency(1)->mutable_assessment()->set_assessed_on("2024-07-01");
  EXPECT_THAT(ComputeAlerts(v), IsEmpty());
  // An agency lowering its level below an older higher one is not a raise by another.
  v.mutable_latest_assessment_by_agency(1)->mutable_assessment()->set_rosh_overall(RISK_LOW);
  EXPECT_THAT(ComputeAlerts(v), IsEmpty());
}

TEST(AlertsTest, LicenceBreachOnADayAChildWasInContact) {
  RiskView v = View();
  SupervisionFact* s = v.add_supervisions();
  LicenceBreachFact* b = s->add_breaches();
  b->mutable_breach()->set_breach_date("2024-05-05");
  *b->mutable_provenance() = From("breach-1", AGENCY_PROBATION);
  AddContact(&v, "membership-1", false, "2024-06-01", "2024-08-01");
  EXPECT_THAT(ComputeAlerts(v), IsEmpty()) << "the contact began after the breach";
  AddContact(&v, "membership-2", false, "2024-01-01", "2024-05-05");
  auto alerts = ComputeAlerts(v);
  ASSERT_THAT(Rules(alerts), ElementsAre(LICENCE_BREACH_WHILE_CHILD_IN_CONTACT));
  EXPECT_THAT(alerts[0].raised_by_event_ids(), UnorderedElementsAre("breach-1", "membership-2"));
}

TEST(AlertsTest, ComputedFromRealEventsThroughTheProjection) {
  // The demo's shape: a child sexual offender, an overdue notification, a household
  // membership with a child: two alerts, each naming real event ids.
  RiskView v;
  EventEnvelope conviction;
  conviction.set_event_id("e-conviction");
  conviction.set_subject_key("pnc:2019/0012345X");
  conviction.mutable_conviction_recorded()->set_classification(CHILD_SEXUAL);
  ApplyEvent(conviction, &v);
  EventEnvelope notification;
  notification.set_event_id("e-notification");
  auto* n = notification.mutable_register_notification_recorded();
  n->set_notification_date("2023-01-01");
  n->set_next_due_date("2024-01-01");
  n->set_indefinite(true);
  ApplyEvent(notification, &v);
  EventEnvelope membership;
  membership.set_event_id("e-membership");
  membership.mutable_household_membership_recorded()->set_membership_ref("HH-1");
  membership.mutable_household_membership_recorded()->set_from_date("2024-06-01");
  ApplyEvent(membership, &v);
  ComputeAsOf(absl::CivilDay(2025, 1, 1), &v);
  auto alerts = ComputeAlerts(v);
  EXPECT_THAT(Rules(alerts), ElementsAre(RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD, REGISTER_NOTIFICATION_OVERDUE));
  EXPECT_THAT(Find(alerts, RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD)->raised_by_event_ids(),
              UnorderedElementsAre("e-conviction", "e-membership"));
  // A new notification clears the overdue alert.
  EventEnvelope renewed = notification;
  renewed.set_event_id("e-notification-2");
  renewed.mutable_register_notification_recorded()->set_notification_date("2024-12-20");
  renewed.mutable_register_notification_recorded()->set_next_due_date("2025-12-20");
  ApplyEvent(renewed, &v);
  ComputeAsOf(absl::CivilDay(2025, 1, 1), &v);
  EXPECT_THAT(Rules(ComputeAlerts(v)), ElementsAre(RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD));
}

TEST(AlertsTest, JudgedOnTheRulesInputsAloneAsOnTheWholePicture) {
  // AlertsAsOf copies only the parts of a picture the rules read. A picture where every
  // rule holds, with reports no rule reads beside them, must give the same alerts as the
  // whole picture computed for the day: a rule that starts reading another part fails here
  // until AlertsAsOf copies it.
  RiskView v = View();
  ConvictionFact* c = v.add_convictions();
  c->mutable_conviction()->set_classification(CHILD_SEXUAL);
  *c->mutable_provenance() = From("conviction-1");
  OrderFact* o = v.add_orders();
  o->mutable_order()->set_order_ref("SHPO-1");
  o->mutable_order()->set_made_date("2023-01-01");
  o->mutable_order()->set_prohibits_unsupervised_contact_with_children(true);
  *o->mutable_provenance() = From("order-1");
  SupervisionFact* s = v.add_supervisions();
  s->mutable_supervision()->set_kind(LICENCE);
  s->mutable_supervision()->set_start_date("2023-06-01");
  *s->mutable_provenance() = From("supervision-1", AGENCY_PROBATION);
  LicenceCondition* lc = s->mutable_conditions()->add_conditions();
  lc->set_condition_ref("LC-1");
  lc->set_kind(NO_UNSUPERVISED_CONTACT_WITH_CHILDREN);
  *s->mutable_conditions_provenance() = From("conditions-1", AGENCY_PROBATION);
  LicenceBreachFact* b = s->add_breaches();
  b->mutable_breach()->set_breach_date("2024-03-01");
  *b->mutable_provenance() = From("breach-1", AGENCY_PROBATION);
  AddContact(&v, "membership-1", false, "2024-01-01");
  v.mutable_register_()->set_registered(true);
  v.mutable_register_()->mutable_latest()->set_notification_date("2023-01-01");
  v.mutable_register_()->mutable_latest()->set_next_due_date("2024-01-01");
  v.mutable_register_()->mutable_latest()->set_indefinite(true);
  v.mutable_register_()->mutable_latest()->set_household_with_child(true);
  *v.mutable_register_()->mutable_provenance() = From("notification-1");
  RiskAssessmentFact* high = v.add_risk_assessments();
  high->mutable_assessment()->set_assessed_on("2024-09-01");
  high->mutable_assessment()->set_rosh_overall(RISK_HIGH);
  *high->mutable_provenance() = From("assessment-1", AGENCY_PROBATION);
  RiskAssessmentFact* low = v.add_risk_assessments();
  low->mutable_assessment()->set_assessed_on("2024-02-01");
  low->mutable_assessment()->set_rosh_overall(RISK_LOW);
  *low->mutable_provenance() = From("assessment-2", AGENCY_POLICE);
  IntelligenceFact* i = v.add_intelligence();
  i->mutable_intelligence()->set_concerns_children(true);
  *i->mutable_provenance() = From("intelligence-1");
  *v.add_concerns()->mutable_provenance() = From("concern-1", AGENCY_CHILDRENS_SERVICES);

  const absl::CivilDay today(2025, 1, 1);
  RiskView whole = v;
  ComputeAsOf(today, &whole);
  const std::vector<Alert> expected = ComputeAlerts(whole);
  ASSERT_THAT(Rules(expected), UnorderedElementsAre(RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD, REGISTER_NOTIFICATION_OVERDUE,
                                                    RISK_LEVELS_DISAGREE, LICENCE_BREACH_WHILE_CHILD_IN_CONTACT));
  const std::vector<Alert> judged = AlertsAsOf(v, today);
  ASSERT_EQ(judged.size(), expected.size());
  for (size_t k = 0; k < judged.size(); ++k) {
    Alert want = expected[k];
    want.set_as_of_date(whole.as_of_date());
    EXPECT_EQ(judged[k].SerializeAsString(), want.SerializeAsString()) << judged[k].DebugString();
  }
}

}  // namespace
}  // namespace safeguard::mappa
