#include "services/safeguardctl/render.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/enum_name.h"
#include "common/security/access_policy.h"
#include "common/time_util.h"
#include "google/protobuf/util/json_util.h"
#include "services/mappa/projection/risk_projection.h"
#include "absl/strings/str_format.h"
#include "safeguard/v1/agency_records.pb.h"
#include "safeguard/v1/disclosure_reads.pb.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/police_service.pb.h"
#include "safeguard/v1/screening_service.pb.h"

namespace safeguard::cli {
namespace {

using namespace safeguard::v1;

// Who recorded or read something: the user, and the service they came through.
std::string Who(const Actor& a) {
  return a.has_via() ? absl::StrCat(a.user(), " via ", a.via().user()) : a.user();
}

std::string Source(const Provenance& p) {
  return absl::StrCat("[", EnumName(p.agency()), " ", p.event_type(), " ",
                      p.event_id(), "; occurred ", FormatTimestamp(p.occurred_at()).substr(0, 10),
                      ", recorded ", FormatTimestamp(p.recorded_at()), " by ", Who(p.recorded_by()),
                      "]");
}

// A comparison's weight and each reason, indented.
std::string MatchLines(const MatchScore& m, const std::string& indent) {
  std::string out = absl::StrCat(indent, "match weight ", absl::StrFormat("%.1f", m.weight()), " (probability ",
                                 absl::StrFormat("%.4g", m.probability()), ")",
                                 m.ruled_out().empty() ? "" : absl::StrCat("; RULED OUT: ", m.ruled_out()), "\n");
  for (const MatchReason& reason : m.reasons()) {
    absl::StrAppend(&out, indent, "  ", absl::StrFormat("%+6.1f", reason.weight()), "  ", reason.comparison(), ": ",
                    reason.level(), reason.detail().empty() ? "" : absl::StrCat(" [", reason.detail(), "]"), "\n");
  }
  return out;
}

// A correction, for the view and the timeline.
std::string CorrectionLines(const CorrectionFact& c, const std::string& indent) {
  return absl::StrCat(indent, c.kind() == RETRACTED ? "RETRACTED" : "AMENDED", " on ", c.decided_on(), " by ",
                      c.decided_by(), " (", EnumName(c.reason()), "): ", c.explanation(), "\n", indent, "  was: ", c.was(),
                      "\n", c.now().empty() ? "" : absl::StrCat(indent, "  now: ", c.now(), "\n"), indent,
                      "  correction event ", c.provenance().event_id(), ", recorded ",
                      FormatTimestamp(c.provenance().recorded_at()), " by ", Who(c.provenance().recorded_by()), "\n");
}

std::string RenderRiskView(const RiskView& v) {
  std::string out;
  const SubjectRef& id = v.identity();
  absl::StrAppend(&out, "Risk view of ", v.subject_key(), " (as of ", v.as_of_date(), ")\n");
  absl::StrAppend(&out, "  Name:        ", id.given_name(), " ", id.family_name(),
                  id.date_of_birth().empty() ? "" : absl::StrCat(", born ", id.date_of_birth()), "\n");
  absl::StrAppend(&out, "  References:  ", absl::StrJoin(v.references(), ", "), "\n");
  if (id.aliases_size() > 0) absl::StrAppend(&out, "  Aliases:     ", absl::StrJoin(id.aliases(), ", "), "\n");
  if (v.linked_records_size() > 1) {
    absl::StrAppend(&out, "  Combines:    ", absl::StrJoin(v.linked_records(), ", "), "\n");
  }
  for (const DataProtectionNotice& n : v.data_protection()) {
    absl::StrAppend(&out, "  DATA PROTECTION: ", security::AgencyName(n.agency()), "'s record of ", n.record_key(), " was ",
                    n.notice(), "\n");
  }
  for (const auto& l : v.identity_links()) {
    if (l.status() == LINKED) continue;  // shown as Combines
    absl::StrAppend(&out, "  Identity:    ", l.record_a(), " / ", l.record_b(), " ", EnumName(l.status()),
                    " (", l.link_id(), ")\n");
  }

  const RiskFlags& f = v.flags();
  std::vector<std::string> flags;
  if (f.duty_to_consider_disclosure()) flags.push_back("DUTY TO CONSIDER DISCLOSURE (CJA 2003 s.327A)");
  if (f.child_sexual_offence_history()) flags.push_back("child sexual offence history");
  if (f.register_notification_overdue()) flags.push_back("register notification OVERDUE");
  if (f.active_order_prohibits_child_contact()) flags.push_back("active order prohibits contact with children");
  if (f.order_breached()) flags.push_back("order breached");
  if (f.household_with_child()) flags.push_back("lives with a child under 18");
  if (f.unproven_intelligence_concerning_children()) flags.push_back("unproven intelligence concerning children");
  if (f.high_risk_of_serious_harm()) flags.push_back(absl::StrCat("risk of serious harm ", EnumName(v.highest_current_rosh())));
  if (f.under_probation_supervision()) flags.push_back("under probation supervision");
  if (f.licence_condition_breached()) flags.push_back("licence condition breached");
  if (f.recalled()) flags.push_back("recalled");
  if (f.child_in_contact()) flags.push_back("CHILD IN CONTACT");
  if (f.child_in_contact_has_open_protection_plan()) flags.push_back("a child in contact is on a CHILD PROTECTION PLAN");
  if (f.concern_about_contact_with_child()) flags.push_back("children's services concern");
  if (f.on_child_protection_plan()) flags.push_back("(this child) on a child protection plan");
  absl::StrAppend(&out, "  Flags:       ", flags.empty() ? "none" : absl::StrJoin(flags, "; "), "\n");
  for (const auto& a : v.alerts()) {
    absl::StrAppend(&out, "  ALERT ", EnumName(a.rule()), ": ", a.summary(), "\n      raised by events ",
                    absl::StrJoin(a.raised_by_event_ids(), ", "), "\n");
  }

  absl::StrAppend(&out, "\nConvictions and cautions (", v.convictions_size(), ")\n");
  for (const auto& c : v.by_classification()) {
    absl::StrAppend(&out, "  ", EnumName(c.classification()), ": ",
                    c.convictions(), " conviction(s), ", c.cautions(), " caution(s)\n");
  }
  for (const auto& c : v.convictions()) {
    const auto& k = c.conviction();
    absl::StrAppend(&out, "  - ", k.disposal_date(), " ", EnumName(k.disposal()),
                    ": ", k.offence(), " [", EnumName(k.classification()),
                    "]", k.court().empty() ? "" : absl::StrCat(", ", k.court()),
                    k.sentence().empty() ? "" : absl::StrCat(", ", k.sentence()), "\n      ",
                    Source(c.provenance()), "\n");
  }

  const RegisterStatus& r = v.register_();
  absl::StrAppend(&out, "\nSex offender register\n");
  if (!r.registered()) {
    absl::StrAppend(&out, "  no notification recorded\n");
  } else {
    const auto& n = r.latest();
    absl::StrAppend(&out, "  last notification ", n.notification_date(), "; next due ", n.next_due_date(),
                    r.register_period_ended() ? " (notification period ended)"
                    : r.notification_overdue()
                        ? absl::StrCat(" (OVERDUE by ", -r.days_until_due(), " days)")
                        : absl::StrCat(" (in ", r.days_until_due(), " days)"),
                    "; period ", n.indefinite() ? "indefinite" : absl::StrCat("ends ", n.register_end_date()),
                    "\n");
    for (const auto& a : n.addresses()) {
      absl::StrAppend(&out, "  ", EnumName(a.kind()), ": ", a.line1(),
                      a.line2().empty() ? "" : absl::StrCat(", ", a.line2()), ", ", a.town(), " ",
                      a.postcode(), "\n");
    }
    absl::StrAppend(&out, "  household with a child under 18: ", n.household_with_child() ? "YES" : "no", "\n");
    for (const auto& t : n.foreign_travel()) {
      absl::StrAppend(&out, "  travel: ", t.country(), " ", t.depart_date(), " to ", t.return_date(), "\n");
    }
    for (const auto& o : n.online_identifiers()) {
      absl::StrAppend(&out, "  online: ", EnumName(o.kind()), " ", o.value(),
                      o.platform().empty() ? "" : absl::StrCat(" (", o.platform(), ")"), "\n");
    }
    absl::StrAppend(&out, "      ", Source(r.provenance()), "\n");
  }

  absl::StrAppend(&out, "\nOrders (", v.orders_size(), ")\n");
  for (const auto& o : v.orders()) {
    const auto& k = o.order();
    absl::StrAppend(&out, "  - ", k.order_ref(), " ", EnumName(k.kind()), " made ",
                    k.made_date(), " by ", k.court(),
                    k.expiry_date().empty() ? ", indefinite" : absl::StrCat(", expires ", k.expiry_date()),
                    o.active() ? " [ACTIVE]" : " [not in force]", "\n");
    for (const auto& p : k.prohibitions()) absl::StrAppend(&out, "      prohibits: ", p, "\n");
    absl::StrAppend(&out, "      ", Source(o.provenance()), "\n");
    for (const auto& b : o.breaches()) {
      absl::StrAppend(&out, "      BREACH ", b.breach().breach_date(), ": ", b.breach().description(),
                      "\n        ", Source(b.provenance()), "\n");
    }
  }
  for (const auto& b : v.unmatched_breaches()) {
    absl::StrAppend(&out, "  - BREACH of unrecorded order ", b.breach().order_ref(), " ",
                    b.breach().breach_date(), ": ", b.breach().description(), "\n      ",
                    Source(b.provenance()), "\n");
  }

  absl::StrAppend(&out, "\nProbation\n");
  if (v.has_mappa_proposal()) {
    const auto& p = v.mappa_proposal().proposal();
    absl::StrAppend(&out, "  MAPPA proposal: category ", p.category(), ", level ", p.level(), " (",
                    p.proposed_on(), "): ", p.rationale(), "\n      ", Source(v.mappa_proposal().provenance()), "\n");
  }
  absl::StrAppend(&out, "  Highest current risk of serious harm: ",
                  v.highest_current_rosh() == RISK_LEVEL_UNSPECIFIED ? "not assessed"
                                                                     : EnumName(v.highest_current_rosh()),
                  "\n");
  for (const auto& a : v.latest_assessment_by_agency()) {
    const auto& k = a.assessment();
    absl::StrAppend(&out, "  Latest assessment (", EnumName(a.provenance().agency()), ") ", k.assessed_on(),
                    " ", k.assessment_ref(), ": RoSH ", EnumName(k.rosh_overall()), ", to children ",
                    EnumName(k.rosh_children()),
                    k.rm2000_category() == RISK_LEVEL_UNSPECIFIED ? "" : absl::StrCat(", RM2000 ", EnumName(k.rm2000_category())),
                    "\n      ", Source(a.provenance()), "\n");
  }
  for (const auto& sv : v.supervisions()) {
    const auto& k = sv.supervision();
    absl::StrAppend(&out, "  - ", k.supervision_ref(), " ", EnumName(k.kind()), " from ", k.start_date(),
                    " to ", k.expected_end_date(), sv.active() ? " [ACTIVE]" : " [ended]", ", ",
                    k.offender_manager(), "\n      ", Source(sv.provenance()), "\n");
    for (const auto& c : sv.conditions().conditions()) {
      absl::StrAppend(&out, "      condition ", c.condition_ref(), " (", EnumName(c.kind()), "): ", c.text(), "\n");
    }
    for (const auto& b : sv.breaches()) {
      absl::StrAppend(&out, "      BREACH ", b.breach().breach_date(), " of ", b.breach().condition_ref(), ": ",
                      b.breach().description(), "\n        ", Source(b.provenance()), "\n");
    }
    for (const auto& r : sv.recalls()) {
      absl::StrAppend(&out, "      RECALL ", r.recall().recall_date(), " (", EnumName(r.recall().kind()), "): ",
                      r.recall().reason(), "\n        ", Source(r.provenance()), "\n");
    }
    if (sv.has_ending()) {
      absl::StrAppend(&out, "      ended ", sv.ending().end_date(), " (", EnumName(sv.ending().reason()), ")\n");
    }
  }

  absl::StrAppend(&out, "\nChildren in contact (", v.children_in_contact_size(), ")\n");
  for (const auto& c : v.children_in_contact()) {
    const auto& k = c.child();
    absl::StrAppend(&out, "  - ", c.source() == REGISTER_NOTIFICATION ? "register notification: " : "",
                    EnumName(c.contact()),
                    k.childrens_case_id().empty() ? " a child under 18"
                                                  : absl::StrCat(" child ", k.childrens_case_id(), " ",
                                                                 k.given_name(), " ", k.family_name(),
                                                                 k.date_of_birth().empty() ? "" : absl::StrCat(" born ", k.date_of_birth())),
                    " from ", c.from_date(), c.end_date().empty() ? "" : absl::StrCat(" to ", c.end_date()),
                    c.current() ? " [CURRENT]" : "", "\n      ", Source(c.provenance()), "\n");
    for (const auto& p : c.open_plans()) {
      absl::StrAppend(&out, "      OPEN CHILD PROTECTION PLAN ", p.plan().plan_ref(), " (",
                      EnumName(p.plan().category()), ") since ", p.plan().start_date(), "\n        ",
                      Source(p.provenance()), "\n");
    }
  }
  for (const auto& c : v.concerns()) {
    absl::StrAppend(&out, "  CONCERN ", c.concern().recorded_date(), " about contact with child ",
                    c.concern().child().childrens_case_id(), ": ", c.concern().concern(), "\n      ",
                    Source(c.provenance()), "\n");
  }
  if (v.referrals_size() + v.section47_enquiries_size() + v.child_protection_plans_size() > 0) {
    absl::StrAppend(&out, "\nAs a child (children's services)\n");
    for (const auto& r : v.referrals()) {
      absl::StrAppend(&out, "  referral ", r.referral().received_date(), " from ", r.referral().source(), ": ",
                      r.referral().concern(), "\n      ", Source(r.provenance()), "\n");
    }
    for (const auto& e : v.section47_enquiries()) {
      absl::StrAppend(&out, "  Section 47 enquiry ", e.enquiry().enquiry_ref(), " from ", e.enquiry().start_date(),
                      e.has_conclusion() ? absl::StrCat(": ", EnumName(e.conclusion().outcome())) : " (open)",
                      "\n      ", Source(e.provenance()), "\n");
    }
    for (const auto& p : v.child_protection_plans()) {
      absl::StrAppend(&out, "  child protection plan ", p.plan().plan_ref(), " (", EnumName(p.plan().category()),
                      ") from ", p.plan().start_date(), p.has_ending() ? absl::StrCat(" to ", p.ending().end_date()) : " [OPEN]",
                      "\n      ", Source(p.provenance()), "\n");
    }
  }

  absl::StrAppend(&out, "\nIntelligence (", v.intelligence_size(), ", all UNPROVEN)\n");
  for (const auto& i : v.intelligence()) {
    absl::StrAppend(&out, "  - ", i.intelligence().received_date(), " ", i.intelligence().intelligence_ref(),
                    " graded ", i.grading(), i.intelligence().concerns_children() ? ", concerns children" : "",
                    ": ", i.intelligence().summary(), "\n      ", Source(i.provenance()), "\n");
  }
  if (v.shortened_sections_size() > 0) {
    absl::StrAppend(&out, "\nShortened to the most recent entries (read the rest with get-risk-view-section):\n");
    for (const SectionShown& s : v.shortened_sections()) {
      absl::StrAppend(&out, "  ", EnumName(s.section()), ": ", s.shown(), " of ", s.total(), " shown\n");
    }
  }
  absl::StrAppend(&out, "\n", v.events_applied(), " event(s) applied; last updated ",
                  FormatTimestamp(v.last_updated()), "\n");
  if (v.corrections_size() > 0) {
    absl::StrAppend(&out, "  Corrections (", v.corrections_size(), "; the facts above are as corrected):\n");
    for (const CorrectionFact& c : v.corrections()) {
      absl::StrAppend(&out, "    ", c.corrected_event_type(), " ", c.corrected_event_id(), "\n",
                      CorrectionLines(c, "      "));
    }
  }
  return out;
}

std::string RenderSectionPage(const RiskViewSectionPage& p) {
  std::string out = absl::StrCat(EnumName(p.section()), " of ", p.subject_key(), ": ", p.total(),
                                 " in all, most recent first\n");
  absl::StrAppend(&out, RenderJson(p.entries()));
  if (!p.next_page_token().empty()) absl::StrAppend(&out, "More: add page_token=", p.next_page_token(), "\n");
  return out;
}

std::string RenderTimeline(const GetTimelineResponse& t) {
  std::string out = absl::StrCat("Timeline of ", t.subject_key(), "\n");
  for (const auto& e : t.entries()) {
    const Provenance& p = e.provenance();
    absl::StrAppend(&out, FormatTimestamp(p.occurred_at()).substr(0, 10), "  ",
                    EnumName(p.agency()), "  ", e.summary(), "\n            event ",
                    p.event_id(), " (", p.stream_id(), " v", p.stream_version(), "), recorded ",
                    FormatTimestamp(p.recorded_at()), " by ", Who(p.recorded_by()), "\n");
    if (e.has_correction()) absl::StrAppend(&out, CorrectionLines(e.correction(), "            "));
  }
  if (t.entries_size() == 0) out += "(no entries)\n";
  if (!t.next_page_token().empty()) {
    absl::StrAppend(&out, "More: add page_token=", t.next_page_token(), "\n");
  }
  return out;
}

std::string RenderAgencyRecord(const AgencyRecord& r) {
  std::string out = absl::StrCat("Record held under ", absl::StrJoin(r.subject_keys(), ", "), "\n");
  for (const EventEnvelope& e : r.events()) {
    absl::StrAppend(&out, FormatTimestamp(e.occurred_at()).substr(0, 10), "  ", mappa::TimelineSummary(e),
                    "\n            ", e.event_type(), " ", e.event_id(), " (", e.stream_id(), " v",
                    e.stream_version(), ", log ", e.log_sequence(), "), recorded ", FormatTimestamp(e.recorded_at()),
                    " by ", Who(e.actor()), " (", e.actor().role(), ")\n");
  }
  if (!r.next_page_token().empty()) absl::StrAppend(&out, "More: add page_token=", r.next_page_token(), "\n");
  return out;
}

std::string AlertLine(const Alert& a) {
  return absl::StrCat(a.subject_key(), "  ", EnumName(a.rule()), ": ", a.summary(), "\n      raised ",
                      FormatTimestamp(a.raised_at()), " by events ", absl::StrJoin(a.raised_by_event_ids(), ", "),
                      a.withdrawal_id().empty() ? "" : absl::StrCat("\n      withdrawal id ", a.withdrawal_id()),
                      "\n");
}

std::string RenderAlerts(const ListAlertsResponse& r) {
  std::string out = absl::StrCat("Current alerts (", r.alerts_size(), "; change sequence ", r.sequence(), ")\n");
  for (const auto& a : r.alerts()) absl::StrAppend(&out, "  ", AlertLine(a));
  if (!r.next_page_token().empty()) absl::StrAppend(&out, "More: add page_token=", r.next_page_token(), "\n");
  return out;
}

std::string RenderAlertChange(const AlertChange& c) {
  static constexpr const char* kKind[] = {"?", "RAISED", "CLEARED", "UPDATED", "CURRENT", "WITHDRAWN", "REINSTATED"};
  const int k = static_cast<int>(c.kind());
  const std::string head = absl::StrCat("#", c.sequence(), " ", FormatTimestamp(c.at()), " ",
                                        k >= 0 && k < static_cast<int>(std::size(kKind)) ? kKind[k] : "?", "  ");
  if (c.kind() == ALERT_WITHDRAWN) {
    return absl::StrCat(head, "withdrawal id ", c.alert().withdrawal_id(),
                        ": take the alert down (a data protection decision covers its subject)\n");
  }
  return absl::StrCat(head, AlertLine(c.alert()));
}

std::string RenderCandidates(const FindPersonResponse& r) {
  std::string out = absl::StrCat("People who compare (", r.candidates_size(), "), best first\n");
  for (const PersonCandidate& c : r.candidates()) {
    const SubjectRef& id = c.identity();
    absl::StrAppend(&out, "  ", c.person_key(), "  ", id.given_name(), " ", id.family_name(),
                    id.date_of_birth().empty() ? "" : absl::StrCat(", born ", id.date_of_birth()), "\n");
    if (c.linked_records_size() > 1) absl::StrAppend(&out, "      records: ", absl::StrJoin(c.linked_records(), ", "), "\n");
    if (c.data_protection_size() > 0) {
      for (const DataProtectionNotice& n : c.data_protection()) {
        absl::StrAppend(&out, "      DATA PROTECTION: ", security::AgencyName(n.agency()), "'s record is ", n.notice(),
                        ": only its data protection officer may read it\n");
      }
      continue;
    }
    absl::StrAppend(&out, "      compared with ", c.record_key(), ":\n", MatchLines(c.match(), "      "));
  }
  if (r.candidates_size() == 0) out += "(no one compares closely enough)\n";
  return out;
}

std::string RenderLinks(const ListIdentityLinksResponse& r) {
  std::string out = absl::StrCat("Identity links (", r.links_size(), ")\n");
  auto record = [](const IdentityRecord& rec) {
    return absl::StrCat(rec.record_key(), " (", rec.identity().given_name(), " ", rec.identity().family_name(),
                        rec.identity().date_of_birth().empty() ? "" : absl::StrCat(", born ", rec.identity().date_of_birth()),
                        ")");
  };
  for (const auto& d : r.links()) {
    const IdentityLink& l = d.link();
    absl::StrAppend(&out, "  ", l.link_id(), "  ", EnumName(l.status()), "\n      ", record(d.record_a()),
                    "\n      ", record(d.record_b()), "\n");
    if (l.has_match()) absl::StrAppend(&out, MatchLines(l.match(), "      "));
    for (const auto& ref : l.shared_references()) {
      absl::StrAppend(&out, "      same reference: ", ref.reference(), "\n");
    }
    if (l.decisions() > 0) {
      absl::StrAppend(&out, "      decided ", EnumName(l.decision()), " by ", Who(l.decision_provenance().recorded_by()),
                      ": ", l.decision_reason(), "\n");
    }
    if (l.decision() == LINKED && !l.national_identifier_match() && !l.name_match()) {
      absl::StrAppend(&out, "      linked on the decision alone: no shared reference, and the comparison does not "
                            "propose it now\n");
    }
  }
  if (!r.next_page_token().empty()) absl::StrAppend(&out, "More: add page_token=", r.next_page_token(), "\n");
  return out;
}

std::string RenderScreening(const CheckIdentifierResponse& r) {
  return r.held() ? "HELD: this identifier belongs to a registered sex offender under a relevant restriction.\n"
                  : "Not held.\n";
}

std::string RenderResult(const CommandResult& r) {
  return absl::StrCat(r.idempotent_replay() ? "Already recorded (same command_id); original result:\n"
                                            : "Recorded.\n",
                      "  event_id:       ", r.event_id(), "\n  stream:         ", r.stream_id(), " v",
                      r.stream_version(), "\n  log sequence:   ", r.log_sequence(),
                      "\n  recorded at:    ", FormatTimestamp(r.recorded_at()), "\n");
}

std::string Time(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 && t.nanos() == 0 ? "-" : FormatTimestamp(t).substr(0, 16) + "Z";
}

std::string Where(const SchemeArea& a) {
  return a.division().empty() ? a.force() : absl::StrCat(a.force(), "/", a.division());
}

std::string Who(const CaseParty& p) {
  return absl::StrCat(p.given_name(), " ", p.family_name(), " (", p.party_ref(), ", ", p.relationship_to_child(), ")");
}

std::string RenderDeadline(const DisclosureDeadline& d) {
  return absl::StrCat(EnumName(d.stage()), " due ", Time(d.due_at()),
                      d.has_met_at() ? absl::StrCat(", met ", Time(d.met_at())) : std::string(", outstanding"),
                      d.overdue() ? "  OVERDUE" : "");
}

std::string RenderCase(const DisclosureCase& c) {
  std::string out = absl::StrCat("Case ", c.case_ref(), ": ", EnumName(c.state()), " (", c.version(), " steps)\n");
  const auto& e = c.enquiry();
  absl::StrAppend(&out, "  Route:        ", EnumName(e.route()), e.anonymous() ? " (anonymous)" : "", ", handled by ",
                  Where(e.handled_by()), "\n  Enquiry:      ", Time(e.at()), "  ",
                  e.has_enquirer() ? Who(e.enquirer()) : std::string("police"), "\n  Concern:      ", e.concern(),
                  "\n  Subject:      ", e.subject().given_name(), " ", e.subject().family_name(),
                  e.subject().pnc_id().empty() ? "" : absl::StrCat(" (PNC ", e.subject().pnc_id(), ")"), "\n");
  for (const CaseChild& ch : e.children()) {
    absl::StrAppend(&out, "  Child:        ", ch.child_ref(), " ", ch.given_name(), " ", ch.family_name(), ", born ",
                    ch.date_of_birth(), "\n");
  }
  if (c.initial_checks().has_at()) {
    absl::StrAppend(&out, "  Checks:       ", Time(c.initial_checks().at()), "  ",
                    c.initial_checks().in_scope() ? "in scope" : "OUT OF SCOPE", ": ", c.initial_checks().reason(),
                    "\n");
  }
  if (c.application().has_at()) {
    absl::StrAppend(&out, "  Application:  ", Time(c.application().at()), "  ", Who(c.application().applicant()),
                    "; ", c.application().eligible() ? "eligible" : "NOT ELIGIBLE", ": ",
                    c.application().eligibility_reason(), "\n");
  }
  if (c.interview().has_at()) {
    absl::StrAppend(&out, "  Interview:    ", Time(c.interview().at()), "  identity ",
                    c.interview().identity_verified()
                        ? absl::StrCat("verified (", absl::StrJoin(c.interview().documents_seen(), ", "), ")")
                        : std::string("NOT verified"),
                    "\n");
  }
  if (c.risk_assessment().has_at()) {
    const auto& a = c.risk_assessment();
    absl::StrAppend(&out, "  Assessment:   ", Time(a.at()), "  ",
                    a.nothing_held() ? std::string("nothing held")
                                     : absl::StrCat("view of ", a.view().person_key(), " at ",
                                                    a.view().events_applied(), " events, read ", Time(a.view().read_at())),
                    "; ", a.summary(), "\n");
  }
  if (c.decision().has_at()) {
    const auto& d = c.decision();
    absl::StrAppend(&out, "  Decision:     ", Time(d.at()), "  ", EnumName(d.outcome()), " by ", EnumName(d.forum()),
                    d.meeting_ref().empty() ? "" : absl::StrCat(" ", d.meeting_ref()), ": ", d.rationale(), "\n");
    if (!d.approved_wording().empty()) absl::StrAppend(&out, "  Wording:      \"", d.approved_wording(), "\"\n");
    for (const auto& r : d.recipients()) {
      absl::StrAppend(&out, "  Recipient:    ", Who(r.party()), ": ", r.why_best_placed(), "\n");
    }
  }
  for (const auto& d : c.deliveries()) {
    absl::StrAppend(&out, "  Delivered:    ", Time(d.at()), "  to ", d.recipient_ref(), " in person by ",
                    d.delivered_by(), ", undertaking signed; onward: ", d.onward_disclosure_conditions(), "\n");
  }
  if (c.non_disclosure_letter().has_at()) {
    absl::StrAppend(&out, "  Letter:       ", Time(c.non_disclosure_letter().at()), "  to ",
                    c.non_disclosure_letter().addressed_to(), " ", c.non_disclosure_letter().letter_ref(), "\n");
  }
  for (const auto& a : c.protective_actions()) {
    absl::StrAppend(&out, "  Action:       ", Time(a.at()), "  ", EnumName(a.action()), ": ", a.detail(), "\n");
  }
  for (const auto& r : c.safeguarding_referrals()) {
    absl::StrAppend(&out, "  Referral:     ", Time(r.at()), "  ", r.urgent() ? "URGENT " : "", "to ", r.referred_to(),
                    ": ", r.reason(), "\n");
  }
  if (c.closure().has_at()) {
    absl::StrAppend(&out, "  Closed:       ", Time(c.closure().at()), "  ", EnumName(c.closure().closure()),
                    c.closure().note().empty() ? "" : absl::StrCat(": ", c.closure().note()), "\n");
  }
  for (const auto& d : c.deadlines()) absl::StrAppend(&out, "  Deadline:     ", RenderDeadline(d), "\n");
  return out;
}

std::string RenderDeadlines(const ListDisclosureDeadlinesResponse& r) {
  std::string out = absl::StrCat("Deadlines as of ", Time(r.as_of()), "\n");
  if (r.forces().empty()) absl::StrAppend(&out, "  nothing overdue or due soon\n");
  for (const auto& f : r.forces()) {
    absl::StrAppend(&out, f.force(), ":\n");
    for (const auto& e : f.overdue()) {
      absl::StrAppend(&out, "  OVERDUE  ", e.case_ref(), "  ", EnumName(e.state()), "  ", RenderDeadline(e.deadline()), "\n");
    }
    for (const auto& e : f.due_soon()) {
      absl::StrAppend(&out, "  due soon ", e.case_ref(), "  ", EnumName(e.state()), "  ", RenderDeadline(e.deadline()), "\n");
    }
  }
  if (!r.next_page_token().empty()) absl::StrAppend(&out, "More: add page_token=", r.next_page_token(), "\n");
  return out;
}

std::string RenderStatistics(const GetDisclosureStatisticsResponse& r) {
  std::string out = absl::StrFormat("%-28s %9s %7s %12s %11s %8s %7s %9s %12s\n", "force/division", "enquiries",
                                    "RtK", "applications", "disclosures", "partial", "none", "referrals",
                                    "median days");
  auto row = [&](const std::string& name, const DisclosureStatistics& s) {
    absl::StrAppend(&out, absl::StrFormat("%-28s %9d %7d %12d %11d %8d %7d %9d %12s\n", name, s.enquiries(),
                                          s.right_to_know(), s.applications(), s.disclosures(),
                                          s.partial_disclosures(), s.non_disclosures(), s.safeguarding_referrals(),
                                          s.has_median_days_to_decision()
                                              ? absl::StrFormat("%.1f", s.median_days_to_decision())
                                              : std::string("-")));
  };
  for (const auto& s : r.rows()) row(s.division().empty() ? s.force() : absl::StrCat(s.force(), "/", s.division()), s);
  row("total", r.total());
  return out;
}

}  // namespace

std::string RenderJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

std::string Render(const google::protobuf::Message& message) {
  if (const auto* v = dynamic_cast<const RiskView*>(&message)) return RenderRiskView(*v);
  if (const auto* p = dynamic_cast<const RiskViewSectionPage*>(&message)) return RenderSectionPage(*p);
  if (const auto* t = dynamic_cast<const GetTimelineResponse*>(&message)) return RenderTimeline(*t);
  if (const auto* r = dynamic_cast<const AgencyRecord*>(&message)) return RenderAgencyRecord(*r);
  if (const auto* r = dynamic_cast<const CommandResult*>(&message)) return RenderResult(*r);
  if (const auto* r = dynamic_cast<const CheckIdentifierResponse*>(&message)) return RenderScreening(*r);
  if (const auto* r = dynamic_cast<const ListAlertsResponse*>(&message)) return RenderAlerts(*r);
  if (const auto* c = dynamic_cast<const AlertChange*>(&message)) return RenderAlertChange(*c);
  if (const auto* r = dynamic_cast<const ListIdentityLinksResponse*>(&message)) return RenderLinks(*r);
  if (const auto* r = dynamic_cast<const FindPersonResponse*>(&message)) return RenderCandidates(*r);
  if (const auto* c = dynamic_cast<const DisclosureCase*>(&message)) return RenderCase(*c);
  if (const auto* r = dynamic_cast<const ListDisclosureDeadlinesResponse*>(&message)) return RenderDeadlines(*r);
  if (const auto* r = dynamic_cast<const GetDisclosureStatisticsResponse*>(&message)) return RenderStatistics(*r);
  return RenderJson(message);
}

}  // namespace safeguard::cli
