// The probation record: validates probation commands and appends them as events.
//
// Rules over what is already recorded for the person (see CommandSubmitter for how they
// hold under concurrency):
//  - a supervision reference and a risk assessment reference are recorded once per person
//    (kAlreadyExists);
//  - ending a supervision, setting its conditions, recording a breach or a recall need the
//    supervision started and not ended (kFailedPrecondition);
//  - a breach names a condition in the supervision's current conditions;
//  - a recall applies to a licence only.
//
// Knows nothing of gRPC. Thread-safe.
#pragma once

#include "common/agency/command_submitter.h"
#include "safeguard/v1/probation_service.pb.h"

namespace safeguard::probation {

class ProbationCommands {
 public:
  using Done = agency::CommandSubmitter::Done;

  // `store` must outlive this object.
  explicit ProbationCommands(EventStore* store, Clock clock = SystemClock());

  void Handle(const safeguard::v1::StartSupervisionRequest& request, const CallContext& call, Done done);
  // Retracts or amends one of probation's facts on the person's record.
  void Handle(const safeguard::v1::RecordCorrectionRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::EndSupervisionRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordRiskAssessmentRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::SetLicenceConditionsRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordLicenceBreachRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordRecallRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::ProposeMappaCategoryLevelRequest& request, const CallContext& call,
              Done done);

 private:
  agency::CommandSubmitter submitter_;
};

}  // namespace safeguard::probation
