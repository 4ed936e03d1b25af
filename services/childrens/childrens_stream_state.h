// What childrens-service's rules check, kept beside each child's or adult's stream
// (common/store/stream_state.h): the referral, enquiry, plan, concern and household
// membership references recorded, and which have been concluded or ended.
#pragma once

#include "common/store/stream_state.h"

namespace safeguard::childrens {

// Entry kinds (common/agency/stream_entries.h).
inline constexpr char kReferralRef[] = "referral";
inline constexpr char kEnquiryRef[] = "enquiry";
inline constexpr char kPlanRef[] = "plan";
inline constexpr char kConcernRef[] = "concern";
inline constexpr char kMembershipRef[] = "membership";

class ChildrensStreamFolder final : public StreamFolder {
 public:
  // 2: each fact's entry for the correction rules, and what a retraction undoes.
  std::string Version() const override { return "childrens/3"; }
  absl::Status Apply(const safeguard::v1::EventEnvelope& event, StreamState& state) const override;
};

}  // namespace safeguard::childrens
