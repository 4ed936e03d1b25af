// The children's services record: validates commands and appends them as events.
//
// Rules over what is already recorded for the child or adult (see CommandSubmitter for how
// they hold under concurrency): referral, enquiry, plan, concern and membership references
// are each recorded once (kAlreadyExists); concluding an enquiry, ending a plan or ending a
// household membership needs it started and not yet concluded or ended
// (kFailedPrecondition).
//
// Knows nothing of gRPC. Thread-safe.
#pragma once

#include "common/agency/command_submitter.h"
#include "safeguard/v1/childrens_service.pb.h"

namespace safeguard::childrens {

class ChildrensCommands {
 public:
  using Done = agency::CommandSubmitter::Done;

  // `store` must outlive this object.
  explicit ChildrensCommands(EventStore* store, Clock clock = SystemClock());

  void Handle(const safeguard::v1::RecordReferralRequest& r, const CallContext& call, Done done);
  // Retracts or amends one of children's services' facts on the record.
  void Handle(const safeguard::v1::RecordCorrectionRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::StartSection47EnquiryRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::ConcludeSection47EnquiryRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::StartChildProtectionPlanRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::EndChildProtectionPlanRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordConcernAboutAdultRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordHouseholdMembershipRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::EndHouseholdMembershipRequest& r, const CallContext& call, Done done);

 private:
  agency::CommandSubmitter submitter_;
};

}  // namespace safeguard::childrens
