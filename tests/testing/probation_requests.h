// Valid probation-service requests with sensible defaults, for tests to start from and
// break one field at a time.
#pragma once

#include <string>

#include "safeguard/v1/probation_service.pb.h"

namespace safeguard::testing {

template <typename Request>
void SetProbationHeader(Request* r, const std::string& command_id, const std::string& crn,
                        const std::string& pnc = "") {
  r->mutable_header()->set_command_id(command_id);
  auto* s = r->mutable_header()->mutable_subject();
  s->set_probation_case_ref(crn);
  s->set_pnc_id(pnc);
  s->set_given_name("Alan");
  s->set_family_name("Example");
}

inline safeguard::v1::StartSupervisionRequest ValidSupervision(
    const std::string& command_id = "cmd-supervision-1", const std::string& crn = "X123456",
    const std::string& ref = "LIC-1", safeguard::v1::SupervisionKind kind = safeguard::v1::LICENCE) {
  safeguard::v1::StartSupervisionRequest r;
  SetProbationHeader(&r, command_id, crn);
  auto* s = r.mutable_supervision();
  s->set_supervision_ref(ref);
  s->set_kind(kind);
  s->set_start_date("2023-01-09");
  s->set_expected_end_date("2027-01-08");
  s->set_probation_region("Yorkshire and the Humber");
  s->set_offender_manager("J. Okafor, Leeds North");
  return r;
}

inline safeguard::v1::EndSupervisionRequest ValidEnding(const std::string& command_id = "cmd-ending-1",
                                                        const std::string& crn = "X123456",
                                                        const std::string& ref = "LIC-1") {
  safeguard::v1::EndSupervisionRequest r;
  SetProbationHeader(&r, command_id, crn);
  auto* e = r.mutable_ending();
  e->set_supervision_ref(ref);
  e->set_end_date("2024-12-01");
  e->set_reason(safeguard::v1::COMPLETED);
  return r;
}

inline safeguard::v1::RecordRiskAssessmentRequest ValidAssessment(
    const std::string& command_id = "cmd-assessment-1", const std::string& crn = "X123456",
    const std::string& ref = "OASYS-1") {
  safeguard::v1::RecordRiskAssessmentRequest r;
  SetProbationHeader(&r, command_id, crn);
  auto* a = r.mutable_assessment();
  a->set_assessment_ref(ref);
  a->set_assessed_on("2024-03-01");
  a->set_rosh_overall(safeguard::v1::RISK_HIGH);
  a->set_rosh_children(safeguard::v1::RISK_VERY_HIGH);
  a->set_rm2000_category(safeguard::v1::RISK_MEDIUM);
  a->set_summary("Sexual interest in children; poor self-management");
  return r;
}

inline safeguard::v1::SetLicenceConditionsRequest ValidConditions(
    const std::string& command_id = "cmd-conditions-1", const std::string& crn = "X123456",
    const std::string& ref = "LIC-1") {
  safeguard::v1::SetLicenceConditionsRequest r;
  SetProbationHeader(&r, command_id, crn);
  auto* c = r.mutable_conditions();
  c->set_supervision_ref(ref);
  c->set_effective_date("2023-01-09");
  auto* k = c->add_conditions();
  k->set_condition_ref("C1");
  k->set_kind(safeguard::v1::NO_UNSUPERVISED_CONTACT_WITH_CHILDREN);
  k->set_text("No unsupervised contact with any child under 18");
  k = c->add_conditions();
  k->set_condition_ref("C2");
  k->set_kind(safeguard::v1::RESIDENCE);
  k->set_text("Reside at approved premises");
  return r;
}

inline safeguard::v1::RecordLicenceBreachRequest ValidLicenceBreach(
    const std::string& command_id = "cmd-licence-breach-1", const std::string& crn = "X123456",
    const std::string& ref = "LIC-1", const std::string& condition = "C1") {
  safeguard::v1::RecordLicenceBreachRequest r;
  SetProbationHeader(&r, command_id, crn);
  auto* b = r.mutable_breach();
  b->set_supervision_ref(ref);
  b->set_condition_ref(condition);
  b->set_breach_date("2024-05-05");
  b->set_description("Seen with a child at a leisure centre");
  return r;
}

inline safeguard::v1::RecordRecallRequest ValidRecall(const std::string& command_id = "cmd-recall-1",
                                                      const std::string& crn = "X123456",
                                                      const std::string& ref = "LIC-1") {
  safeguard::v1::RecordRecallRequest r;
  SetProbationHeader(&r, command_id, crn);
  auto* c = r.mutable_recall();
  c->set_supervision_ref(ref);
  c->set_recall_date("2024-05-06");
  c->set_kind(safeguard::v1::STANDARD_RECALL);
  c->set_reason("Breach of condition C1");
  return r;
}

inline safeguard::v1::ProposeMappaCategoryLevelRequest ValidProposal(
    const std::string& command_id = "cmd-proposal-1", const std::string& crn = "X123456") {
  safeguard::v1::ProposeMappaCategoryLevelRequest r;
  SetProbationHeader(&r, command_id, crn);
  auto* p = r.mutable_proposal();
  p->set_category(1);
  p->set_level(2);
  p->set_proposed_on("2024-03-02");
  p->set_rationale("Registered sexual offender; multi-agency management needed");
  return r;
}

}  // namespace safeguard::testing
