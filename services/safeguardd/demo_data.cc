#include "services/safeguardd/demo_data.h"

#include "services/safeguardd/demo_disclosure.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/progress.h"
#include "common/status_macros.h"
#include "common/grpc/status_mapping.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "safeguard/v1/probation_service.grpc.pb.h"
#include "safeguard/v1/childrens_service.grpc.pb.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;

SubjectRef Subject(const std::string& pnc, const std::string& visor, const std::string& given,
                   const std::string& family, const std::string& dob) {
  SubjectRef s;
  s.set_pnc_id(pnc);
  s.set_visor_ref(visor);
  s.set_given_name(given);
  s.set_family_name(family);
  s.set_date_of_birth(dob);
  return s;
}

template <typename Request>
void SetHeader(Request* r, const std::string& command_id, const SubjectRef& subject) {
  r->mutable_header()->set_command_id(command_id);
  *r->mutable_header()->mutable_subject() = subject;
}

}  // namespace

absl::StatusOr<DemoLoadResult> LoadDemoData(const std::string& police_address,
                                            const std::string& probation_address,
                                            const std::string& childrens_address,
                                            const std::string& mappa_address,
                                            const security::CredentialsForRole& as) {
  ASSIGN_OR_RETURN(auto police_officer, as("police-officer"));
  ASSIGN_OR_RETURN(auto probation_officer, as("probation-officer"));
  ASSIGN_OR_RETURN(auto social_worker, as("social-worker"));
  auto stub = PoliceService::NewStub(grpc::CreateChannel(police_address, police_officer));
  auto probation = ProbationService::NewStub(grpc::CreateChannel(probation_address, probation_officer));
  auto childrens = ChildrensService::NewStub(grpc::CreateChannel(childrens_address, social_worker));
  DemoLoadResult result;
  Progress progress("loading the demo", "commands");
  // `recorded`, when given, receives the command's result (the original's on a replay).
  auto call_on = [&](auto& service, auto method, const auto& request,
                     CommandResult* recorded = nullptr) -> absl::Status {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.set_wait_for_ready(true);
    CommandResult response;
    grpc::Status st = ((*service).*method)(&ctx, request, &response);
    if (recorded != nullptr) *recorded = response;
    if (!st.ok()) {
      return absl::Status(ToAbslStatus(st).code(),
                          absl::StrCat("demo command ", request.header().command_id(), ": ",
                                       st.error_message()));
    }
    (response.idempotent_replay() ? result.replayed : result.recorded)++;
    progress.Set(result.recorded + result.replayed);
    return absl::OkStatus();
  };
  auto call = [&](auto method, const auto& request) { return call_on(stub, method, request); };
  auto call_probation = [&](auto method, const auto& request) { return call_on(probation, method, request); };
  auto call_childrens = [&](auto method, const auto& request) { return call_on(childrens, method, request); };

  // 1. A registered child sex offender living under an order, who breached it.
  const SubjectRef smith = Subject("2011/0045123K", "VR-11-0042", "John", "Smith", "1975-04-12");
  {
    RecordConvictionRequest r;
    SetHeader(&r, "demo-smith-conviction-1", smith);
    auto* c = r.mutable_conviction();
    c->set_disposal(CONVICTION);
    c->set_offence("Sexual assault of a child under 13 (Sexual Offences Act 2003 s.7)");
    c->set_classification(CHILD_SEXUAL);
    c->set_offence_date("2010-06-01");
    c->set_disposal_date("2011-02-14");
    c->set_court("Cambridge Crown Court");
    c->set_sentence("4 years imprisonment");
    if (auto st = call(&PoliceService::Stub::RecordConviction, r); !st.ok()) return st;
  }
  {
    RecordRegisterNotificationRequest r;
    SetHeader(&r, "demo-smith-notification-2024", smith);
    auto* n = r.mutable_notification();
    n->set_notification_date("2024-09-02");
    auto* a = n->add_addresses();
    a->set_kind(HOME);
    a->set_line1("14 Mill Road");
    a->set_town("Cambridge");
    a->set_postcode("CB1 2AD");
    n->set_household_with_child(false);
    n->set_indefinite(true);
    n->set_next_due_date("2025-09-02");
    auto* id = n->add_online_identifiers();
    id->set_kind(EMAIL);
    id->set_value("j.smith75@example.org");
    if (auto st = call(&PoliceService::Stub::RecordRegisterNotification, r); !st.ok()) return st;
  }
  {
    // A later notification adds the accounts he now uses (for platform screening).
    RecordRegisterNotificationRequest r;
    SetHeader(&r, "demo-smith-notification-2025", smith);
    auto* n = r.mutable_notification();
    n->set_notification_date("2025-09-01");
    auto* a = n->add_addresses();
    a->set_kind(HOME);
    a->set_line1("14 Mill Road");
    a->set_town("Cambridge");
    a->set_postcode("CB1 2AD");
    n->set_indefinite(true);
    n->set_next_due_date("2026-09-01");
    auto* id = n->add_online_identifiers();
    id->set_kind(EMAIL);
    id->set_value("John.Smith.1975@gmail.com");
    id = n->add_online_identifiers();
    id->set_kind(USERNAME);
    id->set_value("millroad_john");
    id->set_platform("ExampleChat");
    if (auto st = call(&PoliceService::Stub::RecordRegisterNotification, r); !st.ok()) return st;
  }
  {
    RecordOrderRequest r;
    SetHeader(&r, "demo-smith-order-shpo", smith);
    auto* o = r.mutable_order();
    o->set_order_ref("SHPO-CAM-2015-031");
    o->set_kind(SEXUAL_HARM_PREVENTION_ORDER);
    o->set_court("Cambridge Magistrates' Court");
    o->set_made_date("2015-03-20");
    o->add_prohibitions("Not to have unsupervised contact with any child under 16");
    o->add_prohibitions("Not to reside in a household with a child under 16");
    o->set_prohibits_unsupervised_contact_with_children(true);
    if (auto st = call(&PoliceService::Stub::RecordOrder, r); !st.ok()) return st;
  }
  {
    RecordOrderBreachRequest r;
    SetHeader(&r, "demo-smith-breach-1", smith);
    auto* b = r.mutable_breach();
    b->set_order_ref("SHPO-CAM-2015-031");
    b->set_breach_date("2025-11-03");
    b->set_description("Seen alone with a neighbour's 9-year-old child at a park");
    if (auto st = call(&PoliceService::Stub::RecordOrderBreach, r); !st.ok()) return st;
  }

  // 2. Convictions against adults, unproven intelligence about children.
  const SubjectRef jones = Subject("2016/0078234B", "", "Peter", "Jones", "1982-11-30");
  {
    RecordConvictionRequest r;
    SetHeader(&r, "demo-jones-conviction-1", jones);
    auto* c = r.mutable_conviction();
    c->set_disposal(CONVICTION);
    c->set_offence("Sexual assault (Sexual Offences Act 2003 s.3)");
    c->set_classification(ADULT_SEXUAL);
    c->set_offence_date("2015-08-15");
    c->set_disposal_date("2016-05-09");
    c->set_court("Teesside Crown Court");
    c->set_sentence("32 months imprisonment");
    if (auto st = call(&PoliceService::Stub::RecordConviction, r); !st.ok()) return st;
  }
  {
    RecordIntelligenceRequest r;
    SetHeader(&r, "demo-jones-intel-1", jones);
    auto* i = r.mutable_intelligence();
    i->set_intelligence_ref("INT-CLE-2025-1187");
    i->set_received_date("2025-10-21");
    i->set_source_evaluation(SOURCE_UNTESTED);
    i->set_assessment(KNOWN_INDIRECTLY);
    i->set_handling(LAWFUL_SHARING_PERMITTED);
    i->set_summary("Reported to be spending time alone with his new partner's two children");
    i->set_concerns_children(true);
    if (auto st = call(&PoliceService::Stub::RecordIntelligence, r); !st.ok()) return st;
  }
  {
    RecordRegisterNotificationRequest r;
    SetHeader(&r, "demo-jones-notification-2024", jones);
    auto* n = r.mutable_notification();
    n->set_notification_date("2024-06-10");
    auto* a = n->add_addresses();
    a->set_kind(HOME);
    a->set_line1("3 Albert Terrace");
    a->set_town("Middlesbrough");
    a->set_postcode("TS1 3PA");
    n->set_indefinite(true);  // 30 months or more: notification is indefinite
    n->set_next_due_date("2025-06-10");
    if (auto st = call(&PoliceService::Stub::RecordRegisterNotification, r); !st.ok()) return st;
  }
  // Probation: Smith on licence after a later sentence, with a condition he breached.
  {
    StartSupervisionRequest r;
    SetHeader(&r, "demo-smith-supervision-1", smith);
    r.mutable_header()->mutable_subject()->set_probation_case_ref("E123456");
    auto* s = r.mutable_supervision();
    s->set_supervision_ref("LIC-2023-01");
    s->set_kind(LICENCE);
    s->set_start_date("2023-06-05");
    s->set_expected_end_date("2027-06-04");
    s->set_probation_region("East of England");
    s->set_offender_manager("A. Patel, Cambridge OMU");
    if (auto st = call_probation(&ProbationService::Stub::StartSupervision, r); !st.ok()) return st;
  }
  {
    SetLicenceConditionsRequest r;
    SetHeader(&r, "demo-smith-conditions-1", smith);
    auto* c = r.mutable_conditions();
    c->set_supervision_ref("LIC-2023-01");
    c->set_effective_date("2023-06-05");
    auto* k = c->add_conditions();
    k->set_condition_ref("C1");
    k->set_kind(NO_UNSUPERVISED_CONTACT_WITH_CHILDREN);
    k->set_text("Not to have unsupervised contact with any child under 18 without prior approval");
    k = c->add_conditions();
    k->set_condition_ref("C2");
    k->set_kind(EXCLUSION_ZONE);
    k->set_text("Not to enter the area of Histon Road recreation ground");
    if (auto st = call_probation(&ProbationService::Stub::SetLicenceConditions, r); !st.ok()) return st;
  }
  {
    RecordRiskAssessmentRequest r;
    SetHeader(&r, "demo-smith-oasys-2025", smith);
    auto* a = r.mutable_assessment();
    a->set_assessment_ref("OASYS-2025-0412");
    a->set_assessed_on("2025-04-12");
    a->set_rosh_overall(RISK_HIGH);
    a->set_rosh_children(RISK_VERY_HIGH);
    a->set_rm2000_category(RISK_HIGH);
    a->set_summary("Continued interest in contact with children; limited insight");
    if (auto st = call_probation(&ProbationService::Stub::RecordRiskAssessment, r); !st.ok()) return st;
  }
  {
    RecordLicenceBreachRequest r;
    SetHeader(&r, "demo-smith-licence-breach-1", smith);
    auto* b = r.mutable_breach();
    b->set_supervision_ref("LIC-2023-01");
    b->set_condition_ref("C1");
    b->set_breach_date("2025-11-03");
    b->set_description("Alone with a neighbour's child at a park (reported by police)");
    if (auto st = call_probation(&ProbationService::Stub::RecordLicenceBreach, r); !st.ok()) return st;
  }
  {
    ProposeMappaCategoryLevelRequest r;
    SetHeader(&r, "demo-smith-mappa-proposal-1", smith);
    auto* p = r.mutable_proposal();
    p->set_category(1);
    p->set_level(3);
    p->set_proposed_on("2025-11-05");
    p->set_rationale("Breach of licence and SHPO involving a child; needs level 3 multi-agency management");
    if (auto st = call_probation(&ProbationService::Stub::ProposeMappaCategoryLevel, r); !st.ok()) return st;
  }

  // 3. A child sex offender managed under MAPPA who has not yet been reviewed at a meeting:
  // s.327A's duty to consider disclosure is outstanding (meetings list-disclosure-not-considered).
  const SubjectRef wood = Subject("2019/0031337W", "VR-19-0107", "Gary", "Wood", "1969-02-03");
  {
    RecordConvictionRequest r;
    SetHeader(&r, "demo-wood-conviction-1", wood);
    auto* c = r.mutable_conviction();
    c->set_disposal(CONVICTION);
    c->set_offence("Sexual activity with a child (Sexual Offences Act 2003 s.9)");
    c->set_classification(CHILD_SEXUAL);
    c->set_offence_date("2018-05-01");
    c->set_disposal_date("2019-03-11");
    c->set_court("Peterborough Crown Court");
    c->set_sentence("3 years imprisonment");
    if (auto st = call(&PoliceService::Stub::RecordConviction, r); !st.ok()) return st;
  }
  {
    ProposeMappaCategoryLevelRequest r;
    SetHeader(&r, "demo-wood-mappa-proposal-1", wood);
    auto* p = r.mutable_proposal();
    p->set_category(1);
    p->set_level(2);
    p->set_proposed_on("2026-08-03");
    p->set_rationale("Released on licence; new relationship with a woman who has children");
    if (auto st = call_probation(&ProbationService::Stub::ProposeMappaCategoryLevel, r); !st.ok()) return st;
  }

  // Children's services: Jones's partner's daughter, on a child protection plan, lives
  // with him.
  SubjectRef child;
  child.set_childrens_case_id("CS-TS-20417");
  child.set_given_name("Amy");
  child.set_family_name("Hall");
  child.set_date_of_birth("2016-02-14");
  ChildRef amy;
  amy.set_childrens_case_id("CS-TS-20417");
  amy.set_given_name("Amy");
  amy.set_family_name("Hall");
  amy.set_date_of_birth("2016-02-14");
  {
    RecordReferralRequest r;
    SetHeader(&r, "demo-amy-referral-1", child);
    auto* x = r.mutable_referral();
    x->set_referral_ref("REF-2025-3391");
    x->set_received_date("2025-09-15");
    x->set_source("school");
    x->set_concern("Withdrawn; mentions mother's new partner staying most nights");
    if (auto st = call_childrens(&ChildrensService::Stub::RecordReferral, r); !st.ok()) return st;
  }
  {
    StartChildProtectionPlanRequest r;
    SetHeader(&r, "demo-amy-cp-plan-1", child);
    auto* x = r.mutable_plan();
    x->set_plan_ref("CPP-2025-118");
    x->set_start_date("2025-10-20");
    x->set_category(SEXUAL_ABUSE);
    if (auto st = call_childrens(&ChildrensService::Stub::StartChildProtectionPlan, r); !st.ok()) return st;
  }
  {
    RecordHouseholdMembershipRequest r;
    SetHeader(&r, "demo-jones-household-1", jones);
    auto* x = r.mutable_membership();
    x->set_membership_ref("HH-2025-77");
    *x->mutable_child() = amy;
    x->set_contact(LIVES_WITH);
    x->set_from_date("2025-08-01");
    if (auto st = call_childrens(&ChildrensService::Stub::RecordHouseholdMembership, r); !st.ok()) return st;
  }
  {
    RecordConcernAboutAdultRequest r;
    SetHeader(&r, "demo-jones-concern-1", jones);
    auto* x = r.mutable_concern();
    x->set_concern_ref("CON-2025-52");
    x->set_recorded_date("2025-09-16");
    *x->mutable_child() = amy;
    x->set_concern("Mother's partner has a conviction for sexual assault; now living in the household");
    if (auto st = call_childrens(&ChildrensService::Stub::RecordConcernAboutAdult, r); !st.ok()) return st;
  }

  // 4. Children's services know Gary Wood by their own case as "Garry WOOD", the new partner
  // of a mother whose daughter was referred by her school: no PNC id in common, so the
  // records are proposed as one person (identity list-identity-links), for a MAPPA user to
  // decide. The membership was first keyed against the girl's brother and then corrected.
  const SubjectRef garry = [] {
    SubjectRef s;
    s.set_childrens_case_id("CS-PE-30981");
    s.set_given_name("Garry");
    s.set_family_name("WOOD");
    s.set_date_of_birth("1969-02-03");
    return s;
  }();
  auto carter = [](const std::string& case_id, const std::string& given, const std::string& born) {
    ChildRef c;
    c.set_childrens_case_id(case_id);
    c.set_given_name(given);
    c.set_family_name("Carter");
    c.set_date_of_birth(born);
    return c;
  };
  const ChildRef lily = carter("CS-PE-30982", "Lily", "2019-05-08");
  const ChildRef noah = carter("CS-PE-30983", "Noah", "2021-09-14");
  {
    RecordReferralRequest r;
    SubjectRef s;
    s.set_childrens_case_id(lily.childrens_case_id());
    s.set_given_name(lily.given_name());
    s.set_family_name(lily.family_name());
    s.set_date_of_birth(lily.date_of_birth());
    SetHeader(&r, "demo-lily-referral-1", s);
    auto* x = r.mutable_referral();
    x->set_referral_ref("REF-2026-0871");
    x->set_received_date("2026-09-22");
    x->set_source("school");
    x->set_concern("Says mummy's friend Garry stays over and gives her sweets to keep secrets");
    if (auto st = call_childrens(&ChildrensService::Stub::RecordReferral, r); !st.ok()) return st;
  }
  RecordHouseholdMembershipRequest membership;
  SetHeader(&membership, "demo-garry-household-1", garry);
  {
    auto* x = membership.mutable_membership();
    x->set_membership_ref("HH-2026-12");
    *x->mutable_child() = noah;  // keyed against the wrong child: corrected below
    x->set_contact(REGULARLY_VISITS);
    x->set_from_date("2026-07-01");
    x->set_relationship_to_child("mother's partner");
    x->mutable_household_address()->set_kind(HOME);
    x->mutable_household_address()->set_line1("14 Orchard Row");
    x->mutable_household_address()->set_town("Peterborough");
    x->mutable_household_address()->set_postcode("PE1 2QT");
    auto* mother = x->add_other_adults();
    mother->set_given_name("Jade");
    mother->set_family_name("Carter");
    mother->set_relationship_to_child("mother");
    mother->set_date_of_birth("1993-03-17");
  }
  CommandResult keyed;
  if (auto st = call_on(childrens, &ChildrensService::Stub::RecordHouseholdMembership, membership, &keyed); !st.ok()) {
    return st;
  }
  {
    RecordCorrectionRequest r;
    SetHeader(&r, "demo-garry-household-correction-1", garry);
    auto* x = r.mutable_correction();
    x->set_corrected_event_id(keyed.event_id());
    x->set_kind(AMENDED);
    x->set_reason(WRONG_CHILD);
    x->set_explanation("Recorded against Noah Carter; the school's referral and the visit are about his sister Lily");
    x->set_decided_by("Team manager S. Okafor, Peterborough children's services");
    x->set_decided_on("2026-09-24");
    *x->mutable_household_membership_recorded() = membership.membership();
    *x->mutable_household_membership_recorded()->mutable_child() = lily;
    if (auto st = call_childrens(&ChildrensService::Stub::RecordCorrection, r); !st.ok()) return st;
  }
  {
    RecordConcernAboutAdultRequest r;
    SetHeader(&r, "demo-garry-concern-1", garry);
    auto* x = r.mutable_concern();
    x->set_concern_ref("CON-2026-19");
    x->set_recorded_date("2026-09-24");
    *x->mutable_child() = lily;
    x->set_concern("Secrecy and gifts reported by the child's school; identity and history to be checked");
    if (auto st = call_childrens(&ChildrensService::Stub::RecordConcernAboutAdult, r); !st.ok()) return st;
  }
  if (auto st = LoadDemoDisclosure(police_address, mappa_address, as, &result); !st.ok()) return st;
  return result;
}

}  // namespace safeguard
