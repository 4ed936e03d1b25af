// Valid police-service requests with sensible defaults, for tests to start from and
// break one field at a time.
#pragma once

#include <string>

#include "safeguard/v1/police_service.pb.h"

namespace safeguard::testing {

inline safeguard::v1::SubjectRef TestSubject(const std::string& pnc = "2019/0012345X") {
  safeguard::v1::SubjectRef s;
  s.set_pnc_id(pnc);
  s.set_given_name("Alan");
  s.set_family_name("Example");
  s.set_date_of_birth("1970-01-31");
  return s;
}

template <typename Request>
void SetHeader(Request* r, const std::string& command_id, const std::string& pnc) {
  r->mutable_header()->set_command_id(command_id);
  *r->mutable_header()->mutable_subject() = TestSubject(pnc);
}

inline safeguard::v1::RecordConvictionRequest ValidConviction(
    const std::string& command_id = "cmd-conviction-1", const std::string& pnc = "2019/0012345X") {
  safeguard::v1::RecordConvictionRequest r;
  SetHeader(&r, command_id, pnc);
  auto* c = r.mutable_conviction();
  c->set_disposal(safeguard::v1::CONVICTION);
  c->set_offence("Sexual assault of a child under 13");
  c->set_classification(safeguard::v1::CHILD_SEXUAL);
  c->set_offence_date("2018-03-01");
  c->set_disposal_date("2019-01-15");
  c->set_court("Leeds Crown Court");
  c->set_sentence("5 years imprisonment");
  return r;
}

inline safeguard::v1::RecordRegisterNotificationRequest ValidNotification(
    const std::string& command_id = "cmd-notification-1", const std::string& pnc = "2019/0012345X") {
  safeguard::v1::RecordRegisterNotificationRequest r;
  SetHeader(&r, command_id, pnc);
  auto* n = r.mutable_notification();
  n->set_notification_date("2024-02-01");
  auto* a = n->add_addresses();
  a->set_kind(safeguard::v1::HOME);
  a->set_line1("1 High Street");
  a->set_town("Leeds");
  a->set_postcode("ls1 4ap");
  n->set_household_with_child(true);
  auto* t = n->add_foreign_travel();
  t->set_country("Spain");
  t->set_depart_date("2024-07-01");
  t->set_return_date("2024-07-14");
  auto* o = n->add_online_identifiers();
  o->set_kind(safeguard::v1::EMAIL);
  o->set_value("alan@example.org");
  n->set_indefinite(true);
  n->set_next_due_date("2025-02-01");
  return r;
}

inline safeguard::v1::RecordOrderRequest ValidOrder(const std::string& command_id = "cmd-order-1",
                                                   const std::string& pnc = "2019/0012345X",
                                                   const std::string& order_ref = "SHPO-1") {
  safeguard::v1::RecordOrderRequest r;
  SetHeader(&r, command_id, pnc);
  auto* o = r.mutable_order();
  o->set_order_ref(order_ref);
  o->set_kind(safeguard::v1::SEXUAL_HARM_PREVENTION_ORDER);
  o->set_court("Leeds Magistrates' Court");
  o->set_made_date("2020-05-01");
  o->set_expiry_date("2030-05-01");
  o->add_prohibitions("No unsupervised contact with any child under 16");
  o->set_prohibits_unsupervised_contact_with_children(true);
  return r;
}

inline safeguard::v1::RecordOrderBreachRequest ValidBreach(const std::string& command_id = "cmd-breach-1",
                                                          const std::string& pnc = "2019/0012345X",
                                                          const std::string& order_ref = "SHPO-1") {
  safeguard::v1::RecordOrderBreachRequest r;
  SetHeader(&r, command_id, pnc);
  auto* b = r.mutable_breach();
  b->set_order_ref(order_ref);
  b->set_breach_date("2024-06-01");
  b->set_description("Found alone with a 10-year-old");
  return r;
}

// An ARMS assessment by the police offender manager.
inline safeguard::v1::RecordPoliceRiskAssessmentRequest ValidPoliceAssessment(
    const std::string& command_id = "cmd-arms-1", const std::string& pnc = "2019/0012345X",
    const std::string& ref = "ARMS-1") {
  safeguard::v1::RecordPoliceRiskAssessmentRequest r;
  SetHeader(&r, command_id, pnc);
  auto* a = r.mutable_assessment();
  a->set_assessment_ref(ref);
  a->set_assessed_on("2024-04-01");
  a->set_rosh_overall(safeguard::v1::RISK_VERY_HIGH);
  a->set_rosh_children(safeguard::v1::RISK_VERY_HIGH);
  a->set_rm2000_category(safeguard::v1::RISK_HIGH);
  a->set_summary("ARMS review: new relationship with a mother of two");
  return r;
}

inline safeguard::v1::RecordIntelligenceRequest ValidIntelligence(
    const std::string& command_id = "cmd-intel-1", const std::string& pnc = "2019/0012345X") {
  safeguard::v1::RecordIntelligenceRequest r;
  SetHeader(&r, command_id, pnc);
  auto* i = r.mutable_intelligence();
  i->set_intelligence_ref("INT-1");
  i->set_received_date("2024-03-03");
  i->set_source_evaluation(safeguard::v1::SOURCE_UNTESTED);
  i->set_assessment(safeguard::v1::KNOWN_INDIRECTLY);
  i->set_handling(safeguard::v1::LAWFUL_SHARING_PERMITTED);
  i->set_summary("Seen waiting outside a primary school");
  i->set_concerns_children(true);
  return r;
}

}  // namespace safeguard::testing
