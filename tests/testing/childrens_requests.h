// Valid childrens-service requests with sensible defaults, for tests to start from and
// break one field at a time.
#pragma once

#include <string>

#include "safeguard/v1/childrens_service.pb.h"

namespace safeguard::testing {

// The child every child-focused request names by default.
inline constexpr char kTestChildCase[] = "CS-1001";

template <typename Request>
void SetChildHeader(Request* r, const std::string& command_id, const std::string& child_case = kTestChildCase) {
  r->mutable_header()->set_command_id(command_id);
  r->mutable_header()->mutable_subject()->set_childrens_case_id(child_case);
}

// An adult known to children's services; by PNC id when given.
template <typename Request>
void SetAdultHeader(Request* r, const std::string& command_id, const std::string& pnc = "2019/0012345X") {
  r->mutable_header()->set_command_id(command_id);
  auto* s = r->mutable_header()->mutable_subject();
  s->set_pnc_id(pnc);
  s->set_given_name("Alan");
  s->set_family_name("Example");
}

inline safeguard::v1::ChildRef TestChild(const std::string& child_case = kTestChildCase) {
  safeguard::v1::ChildRef c;
  c.set_childrens_case_id(child_case);
  c.set_given_name("Bea");
  c.set_family_name("Example");
  c.set_date_of_birth("2015-05-05");
  return c;
}

inline safeguard::v1::RecordReferralRequest ValidReferral(const std::string& command_id = "cmd-referral-1") {
  safeguard::v1::RecordReferralRequest r;
  SetChildHeader(&r, command_id);
  auto* x = r.mutable_referral();
  x->set_referral_ref("REF-1");
  x->set_received_date("2024-09-01");
  x->set_source("school");
  x->set_concern("Disclosed an adult visitor touching her");
  return r;
}

inline safeguard::v1::StartSection47EnquiryRequest ValidEnquiry(const std::string& command_id = "cmd-s47-start-1") {
  safeguard::v1::StartSection47EnquiryRequest r;
  SetChildHeader(&r, command_id);
  auto* x = r.mutable_enquiry();
  x->set_enquiry_ref("S47-1");
  x->set_start_date("2024-09-02");
  x->set_reason("Disclosure at school");
  return r;
}

inline safeguard::v1::ConcludeSection47EnquiryRequest ValidConclusion(
    const std::string& command_id = "cmd-s47-end-1") {
  safeguard::v1::ConcludeSection47EnquiryRequest r;
  SetChildHeader(&r, command_id);
  auto* x = r.mutable_conclusion();
  x->set_enquiry_ref("S47-1");
  x->set_concluded_date("2024-09-20");
  x->set_outcome(safeguard::v1::CONCERNS_SUBSTANTIATED_CONFERENCE);
  x->set_summary("Conference convened");
  return r;
}

inline safeguard::v1::StartChildProtectionPlanRequest ValidPlan(const std::string& command_id = "cmd-plan-1",
                                                               const std::string& child_case = kTestChildCase) {
  safeguard::v1::StartChildProtectionPlanRequest r;
  SetChildHeader(&r, command_id, child_case);
  auto* x = r.mutable_plan();
  x->set_plan_ref("CPP-1");
  x->set_start_date("2024-10-01");
  x->set_category(safeguard::v1::SEXUAL_ABUSE);
  return r;
}

inline safeguard::v1::EndChildProtectionPlanRequest ValidPlanEnding(const std::string& command_id = "cmd-plan-end-1",
                                                                   const std::string& child_case = kTestChildCase) {
  safeguard::v1::EndChildProtectionPlanRequest r;
  SetChildHeader(&r, command_id, child_case);
  auto* x = r.mutable_ending();
  x->set_plan_ref("CPP-1");
  x->set_end_date("2024-12-01");
  x->set_reason("Risk reduced");
  return r;
}

inline safeguard::v1::RecordConcernAboutAdultRequest ValidConcern(const std::string& command_id = "cmd-concern-1") {
  safeguard::v1::RecordConcernAboutAdultRequest r;
  SetAdultHeader(&r, command_id);
  auto* x = r.mutable_concern();
  x->set_concern_ref("CON-1");
  x->set_recorded_date("2024-09-03");
  *x->mutable_child() = TestChild();
  x->set_concern("Named by the child as the visitor");
  return r;
}

inline safeguard::v1::RecordHouseholdMembershipRequest ValidMembership(
    const std::string& command_id = "cmd-household-1", const std::string& pnc = "2019/0012345X",
    const std::string& child_case = kTestChildCase) {
  safeguard::v1::RecordHouseholdMembershipRequest r;
  SetAdultHeader(&r, command_id, pnc);
  auto* x = r.mutable_membership();
  x->set_membership_ref("HH-1");
  *x->mutable_child() = TestChild(child_case);
  x->set_contact(safeguard::v1::REGULARLY_VISITS);
  x->set_from_date("2024-06-01");
  x->set_relationship_to_child("mother's partner");
  auto* mother = x->add_other_adults();
  mother->set_given_name("Cara");
  mother->set_family_name("Example");
  mother->set_relationship_to_child("mother");
  mother->set_date_of_birth("1990-02-02");
  return r;
}

inline safeguard::v1::EndHouseholdMembershipRequest ValidMembershipEnding(
    const std::string& command_id = "cmd-household-end-1", const std::string& pnc = "2019/0012345X") {
  safeguard::v1::EndHouseholdMembershipRequest r;
  SetAdultHeader(&r, command_id, pnc);
  r.mutable_ending()->set_membership_ref("HH-1");
  r.mutable_ending()->set_end_date("2024-11-01");
  return r;
}

}  // namespace safeguard::testing
