#include "services/mappa/alerts/alert_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/enum_name.h"
#include "common/time_util.h"
#include "services/mappa/projection/risk_projection.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;

Alert Make(const RiskView& view, AlertRule rule, std::string summary, std::vector<std::string> events) {
  Alert a;
  a.set_alert_id(absl::StrCat(view.subject_key(), "/", EnumName(rule)));
  a.set_subject_key(view.subject_key());
  a.set_rule(rule);
  a.set_summary(std::move(summary));
  std::sort(events.begin(), events.end());
  events.erase(std::unique(events.begin(), events.end()), events.end());
  for (auto& e : events) a.add_raised_by_event_ids(std::move(e));
  return a;
}

void RestrictedPersonInContact(const RiskView& view, std::vector<Alert>* out) {
  std::vector<std::string> restrictions, contacts;
  std::vector<std::string> why;
  for (const ConvictionFact& c : view.convictions()) {
    if (c.conviction().classification() == CHILD_SEXUAL) {
      restrictions.push_back(c.provenance().event_id());
      if (why.empty() || why.back() != "a child sexual offence") why.push_back("a child sexual offence");
    }
  }
  for (const OrderFact& o : view.orders()) {
    if (o.active() && o.order().prohibits_unsupervised_contact_with_children()) {
      restrictions.push_back(o.provenance().event_id());
      why.push_back(absl::StrCat("order ", o.order().order_ref(), " forbidding contact with children"));
    }
  }
  for (const SupervisionFact& s : view.supervisions()) {
    if (!s.active()) continue;
    for (const LicenceCondition& c : s.conditions().conditions()) {
      if (c.kind() == NO_UNSUPERVISED_CONTACT_WITH_CHILDREN) {
        restrictions.push_back(s.conditions_provenance().event_id());
        why.push_back(absl::StrCat("licence condition ", c.condition_ref(), " forbidding contact with children"));
      }
    }
  }
  for (const ChildInContact& c : view.children_in_contact()) {
    if (c.current()) contacts.push_back(c.provenance().event_id());
  }
  if (restrictions.empty() || contacts.empty()) return;
  std::vector<std::string> events = restrictions;
  events.insert(events.end(), contacts.begin(), contacts.end());
  out->push_back(Make(view, RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD,
                      absl::StrCat("In contact with a child despite ", absl::StrJoin(why, "; ")),
                      std::move(events)));
}

void RegisterOverdue(const RiskView& view, std::vector<Alert>* out) {
  const RegisterStatus& r = view.register_();
  if (!r.registered() || !r.notification_overdue()) return;
  out->push_back(Make(view, REGISTER_NOTIFICATION_OVERDUE,
                      absl::StrCat("Register notification was due ", r.latest().next_due_date(),
                                   " and none has been recorded since"),
                      {r.provenance().event_id()}));
}

void RiskLevelsDisagree(const RiskView& view, std::vector<Alert>* out) {
  const auto& latest = view.latest_assessment_by_agency();
  if (latest.size() < 2) return;
  // The most recent assessment, and any agency still holding the risk lower than it.
  const RiskAssessmentFact* newest = &latest[0];
  for (const RiskAssessmentFact& a : latest) {
    if (ParseIsoDateOr(a.assessment().assessed_on(), absl::CivilDay(1900)) >
        ParseIsoDateOr(newest->assessment().assessed_on(), absl::CivilDay(1900))) {
      newest = &a;
    }
  }
  std::vector<std::string> events = {newest->provenance().event_id()};
  std::vector<std::string> lower;
  for (const RiskAssessmentFact& a : latest) {
    if (a.assessment().rosh_overall() < newest->assessment().rosh_overall()) {
      events.push_back(a.provenance().event_id());
      lower.push_back(absl::StrCat(EnumName(a.provenance().agency()), " holds ", EnumName(a.assessment().rosh_overall())));
    }
  }
  if (lower.empty()) return;
  out->push_back(Make(view, RISK_LEVELS_DISAGREE,
                      absl::StrCat(EnumName(newest->provenance().agency()), " assessed ",
                                   EnumName(newest->assessment().rosh_overall()), " on ",
                                   newest->assessment().assessed_on(), "; ", absl::StrJoin(lower, ", ")),
                      std::move(events)));
}

void LicenceBreachWithChildInContact(const RiskView& view, std::vector<Alert>* out) {
  std::vector<std::string> events;
  for (const SupervisionFact& s : view.supervisions()) {
    for (const LicenceBreachFact& b : s.breaches()) {
      const absl::CivilDay on = ParseIsoDateOr(b.breach().breach_date(), absl::CivilDay(1900));
      for (const ChildInContact& c : view.children_in_contact()) {
        const absl::CivilDay from = ParseIsoDateOr(c.from_date(), absl::CivilDay(9999));
        const absl::CivilDay to = c.end_date().empty() ? absl::CivilDay(9999) : ParseIsoDateOr(c.end_date(), absl::CivilDay(9999));
        if (on >= from && on <= to) {
          events.push_back(b.provenance().event_id());
          events.push_back(c.provenance().event_id());
        }
      }
    }
  }
  if (events.empty()) return;
  out->push_back(Make(view, LICENCE_BREACH_WHILE_CHILD_IN_CONTACT,
                      "A licence condition was breached while a child was in contact", std::move(events)));
}

}  // namespace

std::vector<Alert> ComputeAlerts(const RiskView& view) {
  std::vector<Alert> out;
  RestrictedPersonInContact(view, &out);
  RegisterOverdue(view, &out);
  RiskLevelsDisagree(view, &out);
  LicenceBreachWithChildInContact(view, &out);
  return out;
}

std::vector<Alert> AlertsAsOf(const RiskView& facts, absl::CivilDay today) {
  // The rules read only these parts of a picture: copying just them, not the reports
  // (intelligence, concerns, the timeline's worth of facts no rule reads), keeps judging
  // a person's alerts as cheap as their restrictions and contacts, not their history.
  RiskView view;
  view.set_subject_key(facts.subject_key());
  *view.mutable_convictions() = facts.convictions();
  *view.mutable_orders() = facts.orders();
  *view.mutable_supervisions() = facts.supervisions();
  *view.mutable_children_in_contact() = facts.children_in_contact();
  *view.mutable_register_() = facts.register_();
  *view.mutable_risk_assessments() = facts.risk_assessments();
  ComputeAsOf(today, &view);
  std::vector<Alert> alerts = ComputeAlerts(view);
  for (Alert& a : alerts) a.set_as_of_date(view.as_of_date());
  return alerts;
}

}  // namespace safeguard::mappa
