#include "services/safeguardd/demo_disclosure.h"

#include <grpcpp/grpcpp.h>

#include <array>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "common/grpc/status_mapping.h"
#include "common/time_util.h"
#include "safeguard/v1/disclosure_service.grpc.pb.h"
#include "safeguard/v1/meeting_service.grpc.pb.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;

google::protobuf::Timestamp T(int y, int m, int d, int h) {
  return ToProtoTimestamp(absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), absl::UTCTimeZone()));
}

SchemeArea Cambs() {
  SchemeArea a;
  a.set_force("cambridgeshire");
  return a;
}

CaseParty Person(const std::string& ref, const std::string& given, const std::string& family,
                 const std::string& relationship) {
  CaseParty p;
  p.set_party_ref(ref);
  p.set_given_name(given);
  p.set_family_name(family);
  p.set_relationship_to_child(relationship);
  p.set_contact("01223 000000");
  *p.mutable_lives_in() = Cambs();
  return p;
}

CaseChild Kid(const std::string& given, const std::string& born) {
  CaseChild c;
  c.set_child_ref("C1");
  c.set_given_name(given);
  c.set_family_name("Demo");
  c.set_date_of_birth(born);
  *c.mutable_lives_in() = Cambs();
  return c;
}

constexpr char kWording[] =
    "John Smith has a conviction for a sexual offence against a child and is subject to a court order "
    "forbidding unsupervised contact with children.";

// How far each demo case goes.
enum class Upto { kEnquiry, kChecks, kOutOfScope, kApplication, kIneligible, kInterview, kAssessed, kDecided,
                  kDelivered, kLetter, kClosed };

struct DemoCase {
  std::string ref;
  Upto upto;
  DisclosureRoute route = RIGHT_TO_ASK;
  bool anonymous = false;
  int month = 11, day = 1;  // of the enquiry, 2026 unless `year`
  int year = 2026;
  std::string born = "2018-03-09";
  std::string subject_pnc;
};

}  // namespace

absl::Status LoadDemoDisclosure(const std::string& police_address, const std::string& mappa_address,
                                const security::CredentialsForRole& as, DemoLoadResult* result) {
  ASSIGN_OR_RETURN(auto disclosure_officer, as("police-disclosure"));
  ASSIGN_OR_RETURN(auto chair, as("mappa-chair"));
  auto police = DisclosureService::NewStub(grpc::CreateChannel(police_address, disclosure_officer));
  auto meetings = MeetingService::NewStub(grpc::CreateChannel(mappa_address, chair));
  // mappa-service resolves agenda items against what it has consumed, which a fresh start
  // may not have yet: NOT_FOUND is retried for a while.
  auto call = [&](auto* stub, auto method, const auto& request) -> absl::Status {
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    for (;;) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      ctx.set_wait_for_ready(true);
      CommandResult response;
      grpc::Status st = (stub->*method)(&ctx, request, &response);
      if (st.error_code() == grpc::StatusCode::NOT_FOUND && absl::Now() < give_up) {
        absl::SleepFor(absl::Milliseconds(50));
        continue;
      }
      if (!st.ok()) {
        return absl::Status(ToAbslStatus(st).code(), absl::StrCat("demo command ", request.header().command_id(),
                                                                  ": ", st.error_message()));
      }
      (response.idempotent_replay() ? result->replayed : result->recorded)++;
      return absl::OkStatus();
    }
  };
  const std::vector<DemoCase> cases = {
      {"DEMO/CAMBS/01", Upto::kEnquiry, RIGHT_TO_ASK, false, 11, 20},
      {"DEMO/CAMBS/02", Upto::kChecks, RIGHT_TO_ASK, false, 11, 12},
      {"DEMO/CAMBS/03", Upto::kOutOfScope, RIGHT_TO_ASK, false, 10, 28},
      {"DEMO/CAMBS/04", Upto::kApplication, RIGHT_TO_ASK, false, 11, 9},
      {"DEMO/CAMBS/05", Upto::kIneligible, RIGHT_TO_ASK, false, 3, 10, 2011, "2005-06-01"},
      {"DEMO/CAMBS/06", Upto::kInterview, RIGHT_TO_ASK, false, 10, 30},
      {"DEMO/CAMBS/07", Upto::kAssessed, RIGHT_TO_KNOW, false, 10, 20},
      {"DEMO/CAMBS/08", Upto::kDecided, RIGHT_TO_ASK, false, 10, 15},
      {"DEMO/CAMBS/09", Upto::kDelivered, RIGHT_TO_ASK, false, 9, 25, 2026, "2017-01-20", "2011/0045123K"},
      {"DEMO/CAMBS/10", Upto::kLetter, RIGHT_TO_ASK, false, 9, 20},
      {"DEMO/CAMBS/11", Upto::kClosed, RIGHT_TO_ASK, true, 9, 1},
  };
  for (const DemoCase& c : cases) {
    const std::string id = absl::StrReplaceAll(c.ref, {{"/", "-"}});
    auto header = [&](auto* r, const std::string& what) {
      r->mutable_header()->set_case_ref(c.ref);
      r->mutable_header()->set_command_id(absl::StrCat("demo-", id, "-", what));
    };
    auto at = [&](int days, int hour = 10) {
      return ToProtoTimestamp(FromProtoTimestamp(T(c.year, c.month, c.day, hour)) + absl::Hours(24 * days));
    };
    auto run = [&](auto method, const auto& r) { return call(police.get(), method, r); };
    {
      ReceiveEnquiryRequest r;
      header(&r, "enquiry");
      auto* e = r.mutable_enquiry();
      *e->mutable_at() = at(0);
      e->set_route(c.route);
      *e->mutable_handled_by() = Cambs();
      e->set_anonymous(c.anonymous);
      if (c.route == RIGHT_TO_ASK && !c.anonymous) *e->mutable_enquirer() = Person("A1", "Sarah", "Demo", "mother");
      e->set_concern(c.route == RIGHT_TO_KNOW ? "Intelligence that the subject is in a relationship with a single mother"
                                              : "My new partner wants to look after my child; I want to know he is safe.");
      SubjectRef* s = e->mutable_subject();
      s->set_given_name(c.subject_pnc.empty() ? "Mark" : "John");
      s->set_family_name(c.subject_pnc.empty() ? "Partner" : "Smith");
      s->set_pnc_id(c.subject_pnc);
      *e->add_children() = Kid("Lily", c.born);
      if (auto st = run(&DisclosureService::Stub::ReceiveEnquiry, r); !st.ok()) return st;
    }
    if (c.upto == Upto::kEnquiry) continue;
    {
      CompleteInitialChecksRequest r;
      header(&r, "checks");
      *r.mutable_checks()->mutable_at() = at(0, 16);
      r.mutable_checks()->set_in_scope(c.upto != Upto::kOutOfScope);
      r.mutable_checks()->set_reason(c.upto == Upto::kOutOfScope ? "The concern is about an adult, not a child."
                                                                 : "A child is in contact with the subject.");
      if (auto st = run(&DisclosureService::Stub::CompleteInitialChecks, r); !st.ok()) return st;
    }
    if (c.upto == Upto::kChecks || c.upto == Upto::kOutOfScope) continue;
    if (c.route == RIGHT_TO_ASK && !c.anonymous) {
      RecordApplicationRequest r;
      header(&r, "application");
      auto* a = r.mutable_application();
      *a->mutable_at() = at(2);
      *a->mutable_applicant() = Person("A1", "Sarah", "Demo", "mother");
      *a->add_children() = Kid("Lily", c.born);
      a->mutable_subject()->set_given_name(c.subject_pnc.empty() ? "Mark" : "John");
      a->mutable_subject()->set_family_name(c.subject_pnc.empty() ? "Partner" : "Smith");
      a->mutable_subject()->set_pnc_id(c.subject_pnc);
      *a->mutable_subject_lives_in() = Cambs();
      a->set_declaration_signed(true);
      a->set_declaration_signed_on(FormatTimestamp(at(2)).substr(0, 10));
      if (auto st = run(&DisclosureService::Stub::RecordApplication, r); !st.ok()) return st;
      if (c.upto == Upto::kApplication || c.upto == Upto::kIneligible) continue;
      RecordInterviewRequest i;
      header(&i, "interview");
      *i.mutable_interview()->mutable_at() = at(6);
      i.mutable_interview()->set_identity_verified(true);
      i.mutable_interview()->add_documents_seen("passport");
      if (auto st = run(&DisclosureService::Stub::RecordInterview, i); !st.ok()) return st;
      if (c.upto == Upto::kInterview) continue;
    }
    {
      RecordCaseRiskAssessmentRequest r;
      header(&r, "assessment");
      auto* a = r.mutable_assessment();
      *a->mutable_at() = at(12);
      if (c.subject_pnc.empty()) {
        a->set_nothing_held(true);
        a->set_summary("No agency holds anything on the subject.");
      } else {
        a->mutable_view()->set_person_key("pnc:" + c.subject_pnc);
        a->mutable_view()->set_events_applied(8);
        *a->mutable_view()->mutable_read_at() = at(12);
        a->set_summary("Registered child sex offender under an SHPO; breached it in 2025.");
      }
      a->add_agencies_consulted(AGENCY_POLICE);
      a->add_agencies_consulted(AGENCY_PROBATION);
      a->add_agencies_consulted(AGENCY_CHILDRENS_SERVICES);
      if (auto st = run(&DisclosureService::Stub::RecordRiskAssessment, r); !st.ok()) return st;
    }
    if (c.upto == Upto::kAssessed) continue;
    const bool disclose = c.upto == Upto::kDecided || c.upto == Upto::kDelivered;
    {
      RecordDisclosureDecisionRequest r;
      header(&r, "decision");
      auto* d = r.mutable_decision();
      *d->mutable_at() = at(14);
      d->set_outcome(disclose ? DISCLOSE : NO_DISCLOSURE);
      d->set_rationale(disclose ? "Presumption to disclose: convictions against a child and a risk of serious harm."
                                : "Nothing held that indicates a risk to the child.");
      d->set_forum(c.upto == Upto::kDelivered ? FORUM_MAPPA_MEETING : FORUM_POLICE_DECISION_MAKER);
      if (c.upto == Upto::kDelivered) d->set_meeting_ref("DEMO/MAPPA/01");
      if (disclose) {
        d->set_approved_wording(kWording);
        auto* mother = d->add_recipients();
        *mother->mutable_party() = Person("A1", "Sarah", "Demo", "mother");
        mother->set_why_best_placed("The child's mother, who decides who looks after her.");
        auto* nan = d->add_recipients();
        *nan->mutable_party() = Person("G1", "Margaret", "Demo", "grandmother");
        nan->set_why_best_placed("Looks after the child three days a week.");
      }
      if (auto st = run(&DisclosureService::Stub::RecordDecision, r); !st.ok()) return st;
    }
    if (disclose) {
      for (const char* who : {"A1", "G1"}) {
        if (c.upto == Upto::kDecided && std::string(who) == "G1") break;  // one still to be told
        RecordDeliveryRequest r;
        header(&r, absl::StrCat("delivery-", who));
        auto* d = r.mutable_delivery();
        *d->mutable_at() = at(16);
        d->set_recipient_ref(who);
        d->set_in_person(true);
        d->set_undertaking_signed(true);
        d->set_onward_disclosure_conditions("Not to be shared beyond the household without police agreement.");
        d->set_wording_delivered(kWording);
        d->set_delivered_by("DC 4411 Evans");
        if (auto st = run(&DisclosureService::Stub::RecordDelivery, r); !st.ok()) return st;
      }
      if (c.upto == Upto::kDelivered) {
        RecordProtectiveActionRequest r;
        header(&r, "advice");
        *r.mutable_action()->mutable_at() = at(16, 12);
        r.mutable_action()->set_action(PROTECTIVE_ADVICE);
        r.mutable_action()->set_detail("Safety plan agreed with the mother and grandmother.");
        if (auto st = run(&DisclosureService::Stub::RecordProtectiveAction, r); !st.ok()) return st;
      }
      continue;
    }
    if (c.upto == Upto::kLetter) {
      RecordNonDisclosureLetterRequest r;
      header(&r, "letter");
      *r.mutable_letter()->mutable_at() = at(15);
      r.mutable_letter()->set_addressed_to("A1");
      r.mutable_letter()->set_letter_ref("NDL-DEMO-10");
      if (auto st = run(&DisclosureService::Stub::RecordNonDisclosureLetter, r); !st.ok()) return st;
      continue;
    }
    // Closed: an anonymous enquiry; no disclosure, but safeguarding went ahead.
    {
      MakeSafeguardingReferralRequest r;
      header(&r, "referral");
      *r.mutable_referral()->mutable_at() = at(1);
      r.mutable_referral()->set_urgent(true);
      r.mutable_referral()->set_referred_to("Cambridgeshire Children's Services MASH");
      r.mutable_referral()->set_reason("Anonymous report of a child left alone with the subject.");
      r.mutable_referral()->add_child_refs("C1");
      if (auto st = run(&DisclosureService::Stub::MakeSafeguardingReferral, r); !st.ok()) return st;
      RecordProtectiveActionRequest a;
      header(&a, "stay-away");
      *a.mutable_action()->mutable_at() = at(15);
      a.mutable_action()->set_action(SUBJECT_TOLD_TO_STAY_AWAY);
      a.mutable_action()->set_detail("Visited and warned to stay away from the family.");
      if (auto st = run(&DisclosureService::Stub::RecordProtectiveAction, a); !st.ok()) return st;
      CloseCaseRequest x;
      header(&x, "closure");
      *x.mutable_closure()->mutable_at() = at(16);
      x.mutable_closure()->set_closure(CASE_COMPLETED);
      if (auto st = run(&DisclosureService::Stub::CloseCase, x); !st.ok()) return st;
    }
  }

  // The MAPPA meeting that reviewed John Smith and recommended case 09's disclosure.
  const std::string meeting = "DEMO/MAPPA/01";
  auto mheader = [&](auto* r, const std::string& what) {
    r->mutable_header()->set_meeting_ref(meeting);
    r->mutable_header()->set_command_id(absl::StrCat("demo-DEMO-MAPPA-01-", what));
  };
  auto run = [&](auto method, const auto& r) { return call(meetings.get(), method, r); };
  {
    ScheduleMeetingRequest r;
    mheader(&r, "schedule");
    *r.mutable_meeting()->mutable_meeting_at() = T(2026, 10, 8, 14);
    r.mutable_meeting()->set_level(2);
    r.mutable_meeting()->set_force("cambridgeshire");
    r.mutable_meeting()->set_chair("DCI Rowe, MAPPA chair");
    r.mutable_meeting()->set_venue("Parkside Police Station");
    if (auto st = run(&MeetingService::Stub::ScheduleMeeting, r); !st.ok()) return st;
  }
  {
    RecordAttendanceRequest r;
    mheader(&r, "attendance");
    for (auto [name, role, agency] : std::vector<std::array<const char*, 3>>{
             {"DCI Rowe", "chair", "police"}, {"PO Khan", "offender manager", "probation"},
             {"Ms Adeyemi", "team manager", "childrens-services"}, {"Mr Price", "housing officer", "housing"}}) {
      auto* a = r.mutable_attendance()->add_attendees();
      a->set_name(name);
      a->set_role(role);
      a->set_agency(agency);
    }
    if (auto st = run(&MeetingService::Stub::RecordAttendance, r); !st.ok()) return st;
  }
  {
    AddAgendaItemRequest r;
    mheader(&r, "item-1");
    r.mutable_item()->set_item_ref("1");
    r.mutable_item()->mutable_subject()->set_pnc_id("2011/0045123K");
    if (auto st = run(&MeetingService::Stub::AddAgendaItem, r); !st.ok()) return st;
    AddAgendaItemRequest c;
    mheader(&c, "item-2");
    c.mutable_item()->set_item_ref("2");
    c.mutable_item()->set_case_ref("DEMO/CAMBS/09");
    if (auto st = run(&MeetingService::Stub::AddAgendaItem, c); !st.ok()) return st;
  }
  {
    RecordSubjectReviewRequest r;
    mheader(&r, "review-1");
    auto* x = r.mutable_review();
    x->set_item_ref("1");
    x->set_category(1);
    x->set_level(2);
    auto* action = x->add_actions();
    action->set_action("Unannounced home visit within 14 days");
    action->set_owner_agency("police");
    x->set_disclosure_considered(true);
    x->set_presumption_to_disclose_noted(true);
    x->set_disclosure_decision(S327A_DISCLOSE);
    x->set_disclosure_rationale("Presumption to disclose to the mother of the child he is in contact with (DEMO/CAMBS/09).");
    x->set_next_review_due("2027-01-08");
    if (auto st = run(&MeetingService::Stub::RecordSubjectReview, r); !st.ok()) return st;
    RecordCaseDiscussionRequest d;
    mheader(&d, "discussion-2");
    d.mutable_discussion()->set_item_ref("2");
    d.mutable_discussion()->set_recommendation(DISCLOSE);
    d.mutable_discussion()->set_rationale("Convictions against a child; risk of serious harm to children.");
    d.mutable_discussion()->set_recommended_wording(kWording);
    d.mutable_discussion()->add_recommended_recipients("the child's mother and grandmother");
    if (auto st = run(&MeetingService::Stub::RecordCaseDiscussion, d); !st.ok()) return st;
    RecordMinutesRequest m;
    mheader(&m, "minutes");
    *m.mutable_minutes()->mutable_at() = T(2026, 10, 8, 17);
    m.mutable_minutes()->set_minutes("Smith reviewed at level 2; disclosure through DEMO/CAMBS/09 recommended.");
    if (auto st = run(&MeetingService::Stub::RecordMinutes, m); !st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace safeguard
