#include "services/mappa/projection/risk_projection.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/agency/corrections.h"
#include "common/enum_name.h"
#include "common/time_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;

absl::CivilDay DayOrMin(const std::string& iso) { return ParseIsoDateOr(iso, absl::CivilDay(1900, 1, 1)); }

std::string Grading(const IntelligenceRecorded& i) {
  static constexpr const char* kSource[] = {"?", "1", "2", "3"};
  static constexpr const char* kAssess[] = {"?", "A", "B", "C", "D", "E"};
  static constexpr const char* kHandling[] = {"?", "P", "C"};
  auto pick = [](auto& table, int v) {
    return (v >= 0 && v < static_cast<int>(std::size(table))) ? table[v] : "?";
  };
  return absl::StrCat(pick(kSource, i.source_evaluation()), "/", pick(kAssess, i.assessment()),
                      "/", pick(kHandling, i.handling()));
}

// The supervision `ref` in `view`, created as a placeholder if its start has not been seen
// (probation-service refuses that, so it can only come from an altered log; the facts are
// kept rather than lost).
SupervisionFact* FindSupervision(RiskView* view, const std::string& ref) {
  for (SupervisionFact& s : *view->mutable_supervisions()) {
    if (s.supervision().supervision_ref() == ref) return &s;
  }
  SupervisionFact* s = view->add_supervisions();
  s->mutable_supervision()->set_supervision_ref(ref);
  return s;
}

ChildProtectionPlanFact* FindPlan(RiskView* view, const std::string& ref) {
  for (ChildProtectionPlanFact& p : *view->mutable_child_protection_plans()) {
    if (p.plan().plan_ref() == ref) return &p;
  }
  ChildProtectionPlanFact* p = view->add_child_protection_plans();
  p->mutable_plan()->set_plan_ref(ref);
  return p;
}

Section47Fact* FindEnquiry(RiskView* view, const std::string& ref) {
  for (Section47Fact& f : *view->mutable_section47_enquiries()) {
    if (f.enquiry().enquiry_ref() == ref) return &f;
  }
  Section47Fact* f = view->add_section47_enquiries();
  f->mutable_enquiry()->set_enquiry_ref(ref);
  return f;
}

ChildInContact* FindMembership(RiskView* view, const std::string& ref) {
  for (ChildInContact& c : *view->mutable_children_in_contact()) {
    if (c.source() == HOUSEHOLD_MEMBERSHIP && c.membership_ref() == ref) return &c;
  }
  ChildInContact* c = view->add_children_in_contact();
  c->set_source(HOUSEHOLD_MEMBERSHIP);
  c->set_membership_ref(ref);
  return c;
}

// What every event does to a picture, whatever it records: it is counted.
void Count(const EventEnvelope& e, RiskView* view) {
  if (view->subject_key().empty()) view->set_subject_key(e.subject_key());
  view->set_events_applied(view->events_applied() + 1);
  *view->mutable_last_updated() = e.recorded_at();
}

// " (subject recorded as Michael O'Connor, born 1968-11-23)" when `now`'s subject is not
// `was`'s.
std::string SubjectNote(const EventEnvelope& was, const EventEnvelope& now) {
  if (google::protobuf::util::MessageDifferencer::Equals(was.subject(), now.subject())) return "";
  const SubjectRef& s = now.subject();
  std::vector<std::string> parts;
  const std::string name = absl::StrCat(s.given_name(), s.given_name().empty() || s.family_name().empty() ? "" : " ",
                                        s.family_name());
  if (!name.empty()) parts.push_back(absl::StrCat("as ", name));
  if (!s.date_of_birth().empty()) parts.push_back(absl::StrCat("born ", s.date_of_birth()));
  for (const std::string& r : ReferencesOf(s)) parts.push_back(r);
  return absl::StrCat(" (subject recorded ", absl::StrJoin(parts, ", "), ")");
}

}  // namespace

EventEnvelope Amended(const EventEnvelope& fact, const FactCorrected& c) {
  EventEnvelope out = fact;
  const google::protobuf::Reflection* cr = c.GetReflection();
  if (const google::protobuf::FieldDescriptor* amended =
          cr->GetOneofFieldDescriptor(c, FactCorrected::descriptor()->FindOneofByName("amended"))) {
    const google::protobuf::Descriptor* type = amended->message_type();
    const google::protobuf::OneofDescriptor* payload = EventEnvelope::descriptor()->FindOneofByName("payload");
    for (int i = 0; i < payload->field_count(); ++i) {
      if (payload->field(i)->message_type() != type) continue;
      out.GetReflection()->MutableMessage(&out, payload->field(i))->CopyFrom(cr->GetMessage(c, amended));
      break;
    }
  }
  if (c.has_amended_subject()) *out.mutable_subject() = agency::OverlaySubject(fact.subject(), c.amended_subject());
  return out;
}

bool Corrects(const EventEnvelope& correction, const EventEnvelope& fact) {
  return correction.has_fact_corrected() && !fact.has_fact_corrected() &&
         correction.fact_corrected().corrected_event_id() == fact.event_id() && correction.agency() == fact.agency() &&
         correction.stream_id() == fact.stream_id();
}

CorrectionFact CorrectionFactOf(const EventEnvelope& correction, const EventEnvelope& was,
                                const std::optional<EventEnvelope>& now) {
  const FactCorrected& c = correction.fact_corrected();
  CorrectionFact f;
  f.set_corrected_event_id(c.corrected_event_id());
  f.set_corrected_event_type(was.event_type());
  f.set_kind(c.kind());
  f.set_reason(c.reason());
  f.set_explanation(c.explanation());
  f.set_decided_by(c.decided_by());
  f.set_decided_on(c.decided_on());
  *f.mutable_provenance() = ProvenanceOf(correction);
  f.set_was(TimelineSummary(was));
  if (now.has_value()) f.set_now(absl::StrCat(TimelineSummary(*now), SubjectNote(was, *now)));
  return f;
}

std::optional<EventEnvelope> Correct(const std::optional<EventEnvelope>& standing, const FactCorrected& c) {
  if (!standing.has_value() || c.kind() == RETRACTED) return std::nullopt;
  return Amended(*standing, c);
}

namespace {

// Each corrected fact of `events` as it stands after all of its corrections, in recorded
// order, by its event id: nullopt once retracted. Only a correction by the fact's own
// agency on the fact's own stream counts (the agencies refuse any other; a log altered to
// hold one is not believed), and nothing after a retraction.
std::map<std::string, std::optional<EventEnvelope>> Standing(const std::vector<EventEnvelope>& events) {
  std::map<std::string, const EventEnvelope*> facts;
  for (const EventEnvelope& e : events) {
    if (e.has_fact_corrected()) facts.emplace(e.fact_corrected().corrected_event_id(), nullptr);
  }
  for (const EventEnvelope& e : events) {
    if (auto it = facts.find(e.event_id()); it != facts.end() && !e.has_fact_corrected()) it->second = &e;
  }
  std::map<std::string, std::optional<EventEnvelope>> standing;
  for (const EventEnvelope& e : events) {
    if (!e.has_fact_corrected()) continue;
    const EventEnvelope* fact = facts[e.fact_corrected().corrected_event_id()];
    if (fact == nullptr || !Corrects(e, *fact)) continue;
    auto [it, first] = standing.try_emplace(fact->event_id(), *fact);
    it->second = Correct(it->second, e.fact_corrected());
  }
  return standing;
}

}  // namespace

void FoldEvents(const std::vector<EventEnvelope>& events, RiskView* view) {
  const std::map<std::string, std::optional<EventEnvelope>> now = Standing(events);
  std::map<std::string, std::optional<EventEnvelope>> so_far;  // each corrected fact as it stood so far
  for (const EventEnvelope& e : events) {
    if (e.has_fact_corrected()) {
      Count(e, view);
      const FactCorrected& c = e.fact_corrected();
      auto it = so_far.find(c.corrected_event_id());
      // Not one of these records' facts (nothing to show), or not a correction they take.
      if (it == so_far.end() || !it->second.has_value() || !Corrects(e, *it->second)) continue;
      std::optional<EventEnvelope> after = Correct(it->second, c);
      *view->add_corrections() = CorrectionFactOf(e, *it->second, after);
      it->second = std::move(after);
      continue;
    }
    auto corrected = now.find(e.event_id());
    if (corrected == now.end()) {
      ApplyEvent(e, view);
      continue;
    }
    so_far.emplace(e.event_id(), e);
    if (corrected->second.has_value()) {
      ApplyEvent(*corrected->second, view);
    } else {
      Count(e, view);
    }
  }
}

std::vector<EventEnvelope> CorrectedEvents(const std::vector<EventEnvelope>& events) {
  const std::map<std::string, std::optional<EventEnvelope>> now = Standing(events);
  std::vector<EventEnvelope> out;
  out.reserve(events.size());
  for (const EventEnvelope& e : events) {
    if (e.has_fact_corrected()) continue;
    auto corrected = now.find(e.event_id());
    if (corrected == now.end()) {
      out.push_back(e);
    } else if (corrected->second.has_value()) {
      out.push_back(*corrected->second);
    }
  }
  return out;
}

bool MergeIdentity(const SubjectRef& from, SubjectRef* id, google::protobuf::RepeatedPtrField<std::string>* references) {
  bool changed = false;
  auto fill = [&](const std::string& value, std::string* into) {
    if (into->empty() && !value.empty()) {
      *into = value;
      changed = true;
    }
  };
  fill(from.pnc_id(), id->mutable_pnc_id());
  fill(from.visor_ref(), id->mutable_visor_ref());
  fill(from.probation_case_ref(), id->mutable_probation_case_ref());
  fill(from.childrens_case_id(), id->mutable_childrens_case_id());
  fill(from.given_name(), id->mutable_given_name());
  fill(from.family_name(), id->mutable_family_name());
  fill(from.date_of_birth(), id->mutable_date_of_birth());
  for (const std::string& alias : from.aliases()) {
    if (std::find(id->aliases().begin(), id->aliases().end(), alias) == id->aliases().end()) {
      id->add_aliases(alias);
      changed = true;
    }
  }
  for (std::string& ref : ReferencesOf(from)) {
    if (std::find(references->begin(), references->end(), ref) == references->end()) {
      references->Add(std::move(ref));
      changed = true;
    }
  }
  return changed;
}

std::vector<std::string> ReferencesOf(const SubjectRef& s) {
  std::vector<std::string> refs;
  if (!s.pnc_id().empty()) refs.push_back(absl::StrCat("pnc:", s.pnc_id()));
  if (!s.visor_ref().empty()) refs.push_back(absl::StrCat("visor:", s.visor_ref()));
  if (!s.probation_case_ref().empty()) refs.push_back(absl::StrCat("probation:", s.probation_case_ref()));
  if (!s.childrens_case_id().empty()) refs.push_back(absl::StrCat("childrens:", s.childrens_case_id()));
  return refs;
}

void ApplyEvent(const EventEnvelope& e, RiskView* view) {
  if (view->subject_key().empty()) view->set_subject_key(e.subject_key());
  MergeIdentity(e.subject(), view->mutable_identity(), view->mutable_references());
  view->set_events_applied(view->events_applied() + 1);
  *view->mutable_last_updated() = e.recorded_at();

  switch (e.payload_case()) {
    case EventEnvelope::kConvictionRecorded: {
      ConvictionFact* f = view->add_convictions();
      *f->mutable_conviction() = e.conviction_recorded();
      *f->mutable_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kRegisterNotificationRecorded: {
      const auto& n = e.register_notification_recorded();
      RegisterStatus* reg = view->mutable_register_();
      // The latest notification by its own date wins, whatever order they arrive in; a tie
      // goes to the one recorded later (a correction).
      if (!reg->registered() ||
          DayOrMin(n.notification_date()) >= DayOrMin(reg->latest().notification_date())) {
        *reg->mutable_latest() = n;
        *reg->mutable_provenance() = ProvenanceOf(e);
      }
      reg->set_registered(true);
      break;
    }
    case EventEnvelope::kOrderRecorded: {
      OrderFact* f = view->add_orders();
      *f->mutable_order() = e.order_recorded();
      *f->mutable_provenance() = ProvenanceOf(e);
      // Breaches recorded before their order arrived now attach to it.
      auto* unmatched = view->mutable_unmatched_breaches();
      for (int i = 0; i < unmatched->size();) {
        if (unmatched->Get(i).breach().order_ref() == e.order_recorded().order_ref()) {
          *f->add_breaches() = unmatched->Get(i);
          unmatched->DeleteSubrange(i, 1);
        } else {
          ++i;
        }
      }
      break;
    }
    case EventEnvelope::kOrderBreachRecorded: {
      OrderBreachFact fact;
      *fact.mutable_breach() = e.order_breach_recorded();
      *fact.mutable_provenance() = ProvenanceOf(e);
      OrderFact* order = nullptr;
      for (OrderFact& o : *view->mutable_orders()) {
        if (o.order().order_ref() == e.order_breach_recorded().order_ref()) order = &o;
      }
      if (order != nullptr) {
        *order->add_breaches() = std::move(fact);
      } else {
        *view->add_unmatched_breaches() = std::move(fact);
      }
      break;
    }
    case EventEnvelope::kIntelligenceRecorded: {
      IntelligenceFact* f = view->add_intelligence();
      *f->mutable_intelligence() = e.intelligence_recorded();
      *f->mutable_provenance() = ProvenanceOf(e);
      f->set_unproven(true);
      f->set_grading(Grading(e.intelligence_recorded()));
      break;
    }
    case EventEnvelope::kSupervisionStarted: {
      SupervisionFact* f = FindSupervision(view, e.supervision_started().supervision_ref());
      *f->mutable_supervision() = e.supervision_started();
      *f->mutable_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kSupervisionEnded: {
      SupervisionFact* f = FindSupervision(view, e.supervision_ended().supervision_ref());
      *f->mutable_ending() = e.supervision_ended();
      *f->mutable_ending_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kLicenceConditionsSet: {
      SupervisionFact* f = FindSupervision(view, e.licence_conditions_set().supervision_ref());
      *f->mutable_conditions() = e.licence_conditions_set();
      *f->mutable_conditions_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kLicenceBreachRecorded: {
      LicenceBreachFact* b =
          FindSupervision(view, e.licence_breach_recorded().supervision_ref())->add_breaches();
      *b->mutable_breach() = e.licence_breach_recorded();
      *b->mutable_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kRecallRecorded: {
      RecallFact* r = FindSupervision(view, e.recall_recorded().supervision_ref())->add_recalls();
      *r->mutable_recall() = e.recall_recorded();
      *r->mutable_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kRiskAssessmentCompleted: {
      RiskAssessmentFact* f = view->add_risk_assessments();
      *f->mutable_assessment() = e.risk_assessment_completed();
      *f->mutable_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kMappaCategoryLevelProposed: {
      const auto& p = e.mappa_category_level_proposed();
      // The latest proposal by its own date wins; a tie goes to the one recorded later.
      if (!view->has_mappa_proposal() ||
          DayOrMin(p.proposed_on()) >= DayOrMin(view->mappa_proposal().proposal().proposed_on())) {
        *view->mutable_mappa_proposal()->mutable_proposal() = p;
        *view->mutable_mappa_proposal()->mutable_provenance() = ProvenanceOf(e);
      }
      break;
    }
    case EventEnvelope::kMappaSubjectReviewed: {
      const auto& r = e.mappa_subject_reviewed();
      // The latest review by its own date wins; a tie goes to the one recorded later.
      if (!view->has_latest_mappa_review() ||
          DayOrMin(r.reviewed_on()) >= DayOrMin(view->latest_mappa_review().review().reviewed_on())) {
        *view->mutable_latest_mappa_review()->mutable_review() = r;
        *view->mutable_latest_mappa_review()->mutable_provenance() = ProvenanceOf(e);
      }
      break;
    }
    case EventEnvelope::kReferralReceived: {
      ReferralFact* f = view->add_referrals();
      *f->mutable_referral() = e.referral_received();
      *f->mutable_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kSection47EnquiryStarted: {
      Section47Fact* f = FindEnquiry(view, e.section47_enquiry_started().enquiry_ref());
      *f->mutable_enquiry() = e.section47_enquiry_started();
      *f->mutable_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kSection47EnquiryConcluded: {
      Section47Fact* f = FindEnquiry(view, e.section47_enquiry_concluded().enquiry_ref());
      *f->mutable_conclusion() = e.section47_enquiry_concluded();
      *f->mutable_conclusion_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kChildProtectionPlanStarted: {
      ChildProtectionPlanFact* f = FindPlan(view, e.child_protection_plan_started().plan_ref());
      *f->mutable_plan() = e.child_protection_plan_started();
      *f->mutable_provenance() = ProvenanceOf(e);
      f->set_child_case_id(e.subject().childrens_case_id());
      break;
    }
    case EventEnvelope::kChildProtectionPlanEnded: {
      ChildProtectionPlanFact* f = FindPlan(view, e.child_protection_plan_ended().plan_ref());
      *f->mutable_ending() = e.child_protection_plan_ended();
      *f->mutable_ending_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kConcernAboutAdultRecorded: {
      ConcernFact* f = view->add_concerns();
      *f->mutable_concern() = e.concern_about_adult_recorded();
      *f->mutable_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kHouseholdMembershipRecorded: {
      const auto& m = e.household_membership_recorded();
      ChildInContact* c = FindMembership(view, m.membership_ref());
      *c->mutable_child() = m.child();
      c->set_contact(m.contact());
      c->set_from_date(m.from_date());
      c->set_relationship_to_child(m.relationship_to_child());
      *c->mutable_other_adults() = m.other_adults();
      *c->mutable_household_address() = m.household_address();
      *c->mutable_provenance() = ProvenanceOf(e);
      break;
    }
    case EventEnvelope::kHouseholdMembershipEnded: {
      ChildInContact* c = FindMembership(view, e.household_membership_ended().membership_ref());
      c->set_end_date(e.household_membership_ended().end_date());
      *c->mutable_ending_provenance() = ProvenanceOf(e);
      break;
    }
    // A correction changes the fact it corrects: FoldEvents applies it there.
    case EventEnvelope::kFactCorrected:
    // Identity decisions change which records form a person, not a record's facts
    // (RiskViewStore applies them to the identity index).
    case EventEnvelope::kIdentityLinkConfirmed:
    case EventEnvelope::kIdentityLinkRejected:
    case EventEnvelope::kIdentityUnlinked:
    // Disclosure cases and MAPPA meetings are folded into their own read models
    // (RiskViewStore): an enquiry is not a fact about its subject. A meeting's review of
    // a subject is (handled above).
    case EventEnvelope::kDisclosureEnquiryReceived:
    case EventEnvelope::kDisclosureInitialChecksCompleted:
    case EventEnvelope::kDisclosureApplicationMade:
    case EventEnvelope::kDisclosureApplicantInterviewed:
    case EventEnvelope::kDisclosureRiskAssessed:
    case EventEnvelope::kDisclosureDecided:
    case EventEnvelope::kDisclosureDelivered:
    case EventEnvelope::kNonDisclosureLetterSent:
    case EventEnvelope::kProtectiveActionTaken:
    case EventEnvelope::kSafeguardingReferralMade:
    case EventEnvelope::kDisclosureCaseClosed:
    case EventEnvelope::kDisclosureApplicantInformed:
    case EventEnvelope::kMappaMeetingScheduled:
    case EventEnvelope::kMeetingAttendanceRecorded:
    case EventEnvelope::kMeetingAgendaItemAdded:
    case EventEnvelope::kMeetingDisclosureCaseDiscussed:
    case EventEnvelope::kMeetingMinutesRecorded:
    case EventEnvelope::PAYLOAD_NOT_SET:
      break;
  }
}

void ComputeAsOf(absl::CivilDay today, RiskView* view) {
  view->set_as_of_date(FormatIsoDate(today));
  RiskFlags* flags = view->mutable_flags();
  flags->Clear();

  std::map<int, ClassificationCount> counts;
  for (const ConvictionFact& f : view->convictions()) {
    ClassificationCount& c = counts[f.conviction().classification()];
    c.set_classification(f.conviction().classification());
    if (f.conviction().disposal() == CAUTION) {
      c.set_cautions(c.cautions() + 1);
    } else {
      c.set_convictions(c.convictions() + 1);
    }
    if (f.conviction().classification() == CHILD_SEXUAL) flags->set_child_sexual_offence_history(true);
  }
  view->clear_by_classification();
  for (auto& [_, c] : counts) *view->add_by_classification() = c;

  // Contacts derived from the register are recomputed on every read; membership ones stay.
  auto* contacts = view->mutable_children_in_contact();
  for (int i = contacts->size() - 1; i >= 0; --i) {
    if (contacts->Get(i).source() == REGISTER_NOTIFICATION) contacts->DeleteSubrange(i, 1);
  }

  RegisterStatus* reg = view->mutable_register_();
  if (reg->registered()) {
    const auto& n = reg->latest();
    const bool ended = !n.indefinite() && DayOrMin(n.register_end_date()) < today;
    reg->set_register_period_ended(ended);
    const int64_t days = DayOrMin(n.next_due_date()) - today;
    reg->set_days_until_due(static_cast<int32_t>(days));
    reg->set_notification_overdue(!ended && days < 0);
    flags->set_register_notification_overdue(reg->notification_overdue());
    flags->set_household_with_child(!ended && n.household_with_child());
    if (!ended && n.household_with_child()) {
      ChildInContact* c = view->add_children_in_contact();
      c->set_source(REGISTER_NOTIFICATION);
      c->set_contact(LIVES_WITH);
      c->set_from_date(n.notification_date());
      *c->mutable_provenance() = reg->provenance();
    }
  }
  for (ChildInContact& c : *view->mutable_children_in_contact()) {
    c.set_current(c.end_date().empty() || DayOrMin(c.end_date()) >= today);
    if (c.current()) flags->set_child_in_contact(true);
  }
  if (view->concerns_size() > 0) flags->set_concern_about_contact_with_child(true);
  for (const ChildProtectionPlanFact& p : view->child_protection_plans()) {
    if (!p.has_ending()) flags->set_on_child_protection_plan(true);
  }

  for (OrderFact& o : *view->mutable_orders()) {
    const bool started = DayOrMin(o.order().made_date()) <= today;
    const bool expired =
        !o.order().expiry_date().empty() && DayOrMin(o.order().expiry_date()) < today;
    o.set_active(started && !expired);
    if (o.active() && o.order().prohibits_unsupervised_contact_with_children()) {
      flags->set_active_order_prohibits_child_contact(true);
    }
    if (o.breaches_size() > 0) flags->set_order_breached(true);
  }
  if (view->unmatched_breaches_size() > 0) flags->set_order_breached(true);

  for (const IntelligenceFact& i : view->intelligence()) {
    if (i.intelligence().concerns_children()) {
      flags->set_unproven_intelligence_concerning_children(true);
    }
  }

  for (SupervisionFact& s : *view->mutable_supervisions()) {
    const bool started = s.supervision().kind() != SUPERVISION_KIND_UNSPECIFIED &&
                         DayOrMin(s.supervision().start_date()) <= today;
    s.set_active(started && !s.has_ending());
    if (s.active()) flags->set_under_probation_supervision(true);
    if (s.breaches_size() > 0) flags->set_licence_condition_breached(true);
    if (s.recalls_size() > 0) flags->set_recalled(true);
  }

  // Each agency's latest assessment (by assessment date; a tie goes to the later recorded).
  std::map<int, const RiskAssessmentFact*> latest;
  for (const RiskAssessmentFact& a : view->risk_assessments()) {
    const RiskAssessmentFact*& best = latest[a.provenance().agency()];
    if (best == nullptr ||
        DayOrMin(a.assessment().assessed_on()) >= DayOrMin(best->assessment().assessed_on())) {
      best = &a;
    }
  }
  view->clear_latest_assessment_by_agency();
  RiskLevel highest = RISK_LEVEL_UNSPECIFIED;
  for (const auto& [agency, fact] : latest) {
    *view->add_latest_assessment_by_agency() = *fact;
    highest = std::max(highest, fact->assessment().rosh_overall());
  }
  view->set_highest_current_rosh(highest);
  flags->set_high_risk_of_serious_harm(highest >= RISK_HIGH);

  *view->mutable_disclosure_consideration() = DisclosureConsiderationOf(*view);
  flags->set_duty_to_consider_disclosure(view->disclosure_consideration().duty_applies());
}

DisclosureConsideration DisclosureConsiderationOf(const RiskView& facts) {
  // s.327A: a child sex offender managed under MAPPA must have disclosure considered; a
  // registered sexual offender is managed under MAPPA (category 1) by statute.
  bool child_sexual = false;
  const ConvictionFact* sexual = nullptr;  // the earliest sexual offence, for the reason
  for (const ConvictionFact& c : facts.convictions()) {
    const OffenceClassification k = c.conviction().classification();
    child_sexual = child_sexual || k == CHILD_SEXUAL;
    if ((k == CHILD_SEXUAL || k == ADULT_SEXUAL) &&
        (sexual == nullptr || DayOrMin(c.conviction().disposal_date()) < DayOrMin(sexual->conviction().disposal_date()))) {
      sexual = &c;
    }
  }
  DisclosureConsideration d;
  if (facts.register_().registered()) {
    d.set_statutory_category_1(true);
    d.set_statutory_reason(absl::StrCat("on the sex offenders register (notified ",
                                        facts.register_().latest().notification_date(),
                                        "): MAPPA category 1 by statute (CJA 2003 s.325, s.327(2))"));
  } else if (sexual != nullptr) {
    const auto& c = sexual->conviction();
    d.set_statutory_category_1(true);
    d.set_statutory_reason(absl::StrCat(c.disposal() == CAUTION ? "cautioned" : "convicted", " for a ",
                                        c.classification() == CHILD_SEXUAL ? "child" : "adult", " sexual offence (",
                                        c.disposal_date(),
                                        "), which brings the notification requirements of the Sexual Offences Act "
                                        "2003 unless below Schedule 3's thresholds: MAPPA category 1 by statute"));
  }
  d.set_duty_applies(child_sexual &&
                     (d.statutory_category_1() || facts.has_mappa_proposal() || facts.has_latest_mappa_review()));
  if (facts.has_latest_mappa_review()) {
    const MappaSubjectReviewed& r = facts.latest_mappa_review().review();
    d.set_considered_at_latest_review(r.disclosure_considered());
    d.set_latest_review_meeting(r.meeting_ref());
    d.set_latest_review_on(r.reviewed_on());
  }
  return d;
}

std::string TimelineSummary(const EventEnvelope& e) {
  switch (e.payload_case()) {
    case EventEnvelope::kConvictionRecorded: {
      const auto& c = e.conviction_recorded();
      return absl::StrCat(c.disposal() == CAUTION ? "Caution: " : "Conviction: ", c.offence(),
                          " [", EnumName(c.classification()),
                          "]", c.court().empty() ? "" : absl::StrCat(", ", c.court()),
                          c.sentence().empty() ? "" : absl::StrCat(", ", c.sentence()));
    }
    case EventEnvelope::kRegisterNotificationRecorded: {
      const auto& n = e.register_notification_recorded();
      std::vector<std::string> postcodes;
      for (const auto& a : n.addresses()) postcodes.push_back(a.postcode());
      return absl::StrCat("Register notification: addresses ", absl::StrJoin(postcodes, ", "),
                          n.household_with_child() ? "; household with a child under 18" : "",
                          n.foreign_travel_size() > 0
                              ? absl::StrCat("; ", n.foreign_travel_size(), " foreign trip(s)")
                              : "",
                          "; next due ", n.next_due_date());
    }
    case EventEnvelope::kOrderRecorded: {
      const auto& o = e.order_recorded();
      return absl::StrCat("Order made: ", EnumName(o.kind()), " ",
                          o.order_ref(), " by ", o.court(),
                          o.expiry_date().empty() ? " (indefinite)"
                                                  : absl::StrCat(" until ", o.expiry_date()),
                          "; ", o.prohibitions_size(), " prohibition(s)",
                          o.prohibits_unsupervised_contact_with_children()
                              ? ", including unsupervised contact with children"
                              : "");
    }
    case EventEnvelope::kOrderBreachRecorded: {
      const auto& b = e.order_breach_recorded();
      return absl::StrCat("Breach of order ", b.order_ref(), ": ", b.description());
    }
    case EventEnvelope::kIntelligenceRecorded: {
      const auto& i = e.intelligence_recorded();
      return absl::StrCat("Intelligence (unproven, graded ", Grading(i), ") ",
                          i.intelligence_ref(), ": ", i.summary());
    }
    case EventEnvelope::kSupervisionStarted: {
      const auto& s = e.supervision_started();
      return absl::StrCat("Supervision started: ", EnumName(s.kind()), " ", s.supervision_ref(),
                          " until ", s.expected_end_date(), ", ", s.probation_region(),
                          " (offender manager ", s.offender_manager(), ")");
    }
    case EventEnvelope::kSupervisionEnded: {
      const auto& s = e.supervision_ended();
      return absl::StrCat("Supervision ended: ", s.supervision_ref(), " (", EnumName(s.reason()), ")");
    }
    case EventEnvelope::kRiskAssessmentCompleted: {
      const auto& a = e.risk_assessment_completed();
      return absl::StrCat("Risk assessment ", a.assessment_ref(), ": risk of serious harm ",
                          EnumName(a.rosh_overall()), " (to children ", EnumName(a.rosh_children()), ")",
                          a.rm2000_category() == RISK_LEVEL_UNSPECIFIED
                              ? ""
                              : absl::StrCat(", RM2000 ", EnumName(a.rm2000_category())));
    }
    case EventEnvelope::kLicenceConditionsSet: {
      const auto& c = e.licence_conditions_set();
      return absl::StrCat("Licence conditions set for ", c.supervision_ref(), ": ", c.conditions_size(),
                          " condition(s)");
    }
    case EventEnvelope::kLicenceBreachRecorded: {
      const auto& b = e.licence_breach_recorded();
      return absl::StrCat("Licence breach of ", b.supervision_ref(), " condition ", b.condition_ref(), ": ",
                          b.description());
    }
    case EventEnvelope::kRecallRecorded: {
      const auto& r = e.recall_recorded();
      return absl::StrCat("Recall (", EnumName(r.kind()), ") on ", r.supervision_ref(), ": ", r.reason());
    }
    case EventEnvelope::kMappaCategoryLevelProposed: {
      const auto& p = e.mappa_category_level_proposed();
      return absl::StrCat("MAPPA category ", p.category(), " level ", p.level(), " proposed: ", p.rationale());
    }
    case EventEnvelope::kReferralReceived: {
      const auto& r = e.referral_received();
      return absl::StrCat("Referral ", r.referral_ref(), " from ", r.source(), ": ", r.concern());
    }
    case EventEnvelope::kSection47EnquiryStarted: {
      const auto& x = e.section47_enquiry_started();
      return absl::StrCat("Section 47 enquiry ", x.enquiry_ref(), " started: ", x.reason());
    }
    case EventEnvelope::kSection47EnquiryConcluded: {
      const auto& x = e.section47_enquiry_concluded();
      return absl::StrCat("Section 47 enquiry ", x.enquiry_ref(), " concluded: ", EnumName(x.outcome()), "; ",
                          x.summary());
    }
    case EventEnvelope::kChildProtectionPlanStarted: {
      const auto& x = e.child_protection_plan_started();
      return absl::StrCat("Child protection plan ", x.plan_ref(), " started (", EnumName(x.category()), ")");
    }
    case EventEnvelope::kChildProtectionPlanEnded: {
      const auto& x = e.child_protection_plan_ended();
      return absl::StrCat("Child protection plan ", x.plan_ref(), " ended: ", x.reason());
    }
    case EventEnvelope::kConcernAboutAdultRecorded: {
      const auto& x = e.concern_about_adult_recorded();
      return absl::StrCat("Concern about contact with child ", x.child().childrens_case_id(), ": ", x.concern());
    }
    case EventEnvelope::kHouseholdMembershipRecorded: {
      const auto& x = e.household_membership_recorded();
      return absl::StrCat("Household: ", EnumName(x.contact()), " child ", x.child().childrens_case_id(),
                          " from ", x.from_date());
    }
    case EventEnvelope::kHouseholdMembershipEnded: {
      const auto& x = e.household_membership_ended();
      return absl::StrCat("Household membership ", x.membership_ref(), " ended ", x.end_date());
    }
    case EventEnvelope::kIdentityLinkConfirmed: {
      const auto& x = e.identity_link_confirmed();
      return absl::StrCat("Records ", x.record_a(), " and ", x.record_b(), " linked as one person (",
                          x.link_id(), "): ", x.reason());
    }
    case EventEnvelope::kIdentityLinkRejected: {
      const auto& x = e.identity_link_rejected();
      return absl::StrCat("Proposed match of ", x.record_a(), " and ", x.record_b(), " rejected (",
                          x.link_id(), "): ", x.reason());
    }
    case EventEnvelope::kIdentityUnlinked: {
      const auto& x = e.identity_unlinked();
      return absl::StrCat("Records ", x.record_a(), " and ", x.record_b(), " separated (", x.link_id(),
                          "): ", x.reason());
    }
    case EventEnvelope::kFactCorrected: {
      const auto& x = e.fact_corrected();
      return absl::StrCat("Correction: ", x.kind() == RETRACTED ? "retracted" : "amended", " event ",
                          x.corrected_event_id(), " (", EnumName(x.reason()), "), decided by ", x.decided_by(), " on ",
                          x.decided_on(), ": ", x.explanation());
    }
    case EventEnvelope::kMappaSubjectReviewed: {
      const auto& x = e.mappa_subject_reviewed();
      return absl::StrCat("Reviewed at MAPPA meeting ", x.meeting_ref(), ": category ", x.category(), ", level ",
                          x.level(), "; disclosure ",
                          x.disclosure_considered() ? absl::StrCat("considered (", EnumName(x.disclosure_decision()), ")")
                                                    : std::string("not considered"));
    }
    case EventEnvelope::PAYLOAD_NOT_SET:
      break;
    default:
      break;
  }
  return absl::StrCat(e.event_type(), " (not understood by this version)");
}

}  // namespace safeguard::mappa
