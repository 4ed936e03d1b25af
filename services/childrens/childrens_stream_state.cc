#include "services/childrens/childrens_stream_state.h"

#include "common/agency/corrections.h"
#include "common/agency/stream_entries.h"
#include "common/status_macros.h"

namespace safeguard::childrens {

using safeguard::v1::EventEnvelope;

namespace {

namespace v1 = safeguard::v1;

// The entry kind and reference field of each fact that opens, and each that ends, a
// reference.
struct Lifecycle {
  const google::protobuf::Descriptor* fact;
  const char* kind;
  const char* field;
  bool ends;
};

const Lifecycle kLifecycles[] = {
    {v1::ReferralReceived::descriptor(), kReferralRef, "referral_ref", false},
    {v1::Section47EnquiryStarted::descriptor(), kEnquiryRef, "enquiry_ref", false},
    {v1::Section47EnquiryConcluded::descriptor(), kEnquiryRef, "enquiry_ref", true},
    {v1::ChildProtectionPlanStarted::descriptor(), kPlanRef, "plan_ref", false},
    {v1::ChildProtectionPlanEnded::descriptor(), kPlanRef, "plan_ref", true},
    {v1::ConcernAboutAdultRecorded::descriptor(), kConcernRef, "concern_ref", false},
    {v1::HouseholdMembershipRecorded::descriptor(), kMembershipRef, "membership_ref", false},
    {v1::HouseholdMembershipEnded::descriptor(), kMembershipRef, "membership_ref", true},
};

// A retracted start is as if never recorded; a retracted ending leaves what it ended open.
absl::Status Retract(const v1::CorrectableFact& fact, StreamState& state) {
  for (const Lifecycle& l : kLifecycles) {
    if (fact.type() != l.fact->full_name()) continue;
    const std::string ref = agency::ReferenceOf(fact, l.field);
    if (!l.ends) {
      agency::SetRef(state, l.kind, ref, agency::kRetracted);
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(const std::optional<std::string> now, agency::RefState(state, l.kind, ref));
    if (now.has_value()) agency::SetRef(state, l.kind, ref, agency::kRecorded);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ChildrensStreamFolder::Apply(const EventEnvelope& e, StreamState& state) const {
  using agency::kEnded;
  using agency::kRecorded;
  using agency::SetRef;
  ASSIGN_OR_RETURN(const std::optional<v1::CorrectableFact> corrected, agency::FoldCorrections(e, state));
  if (corrected.has_value()) {
    return e.fact_corrected().kind() == v1::RETRACTED ? Retract(*corrected, state) : absl::OkStatus();
  }
  switch (e.payload_case()) {
    case EventEnvelope::kReferralReceived:
      SetRef(state, kReferralRef, e.referral_received().referral_ref(), kRecorded);
      break;
    case EventEnvelope::kSection47EnquiryStarted:
      SetRef(state, kEnquiryRef, e.section47_enquiry_started().enquiry_ref(), kRecorded);
      break;
    case EventEnvelope::kSection47EnquiryConcluded:
      SetRef(state, kEnquiryRef, e.section47_enquiry_concluded().enquiry_ref(), kEnded);
      break;
    case EventEnvelope::kChildProtectionPlanStarted:
      SetRef(state, kPlanRef, e.child_protection_plan_started().plan_ref(), kRecorded);
      break;
    case EventEnvelope::kChildProtectionPlanEnded:
      SetRef(state, kPlanRef, e.child_protection_plan_ended().plan_ref(), kEnded);
      break;
    case EventEnvelope::kConcernAboutAdultRecorded:
      SetRef(state, kConcernRef, e.concern_about_adult_recorded().concern_ref(), kRecorded);
      break;
    case EventEnvelope::kHouseholdMembershipRecorded:
      SetRef(state, kMembershipRef, e.household_membership_recorded().membership_ref(), kRecorded);
      break;
    case EventEnvelope::kHouseholdMembershipEnded:
      SetRef(state, kMembershipRef, e.household_membership_ended().membership_ref(), kEnded);
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

}  // namespace safeguard::childrens
