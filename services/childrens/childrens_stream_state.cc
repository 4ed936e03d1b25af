#include "services/childrens/childrens_stream_state.h"

#include "common/agency/stream_entries.h"

namespace safeguard::childrens {

using safeguard::v1::EventEnvelope;

absl::Status ChildrensStreamFolder::Apply(const EventEnvelope& e, StreamState& state) const {
  using agency::kEnded;
  using agency::kRecorded;
  using agency::SetRef;
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
