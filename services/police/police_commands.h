// The police record: validates police commands and appends them as events.
//
// Beyond field validation, the police record has rules over what is already recorded for
// the subject: an order reference and an intelligence reference are each recorded once per
// subject (kAlreadyExists), and a breach must name an order already recorded for that
// subject (kFailedPrecondition). See CommandSubmitter for how they hold under concurrency.
//
// Knows nothing of gRPC. Thread-safe.
#pragma once

#include "common/agency/command_submitter.h"
#include "safeguard/v1/police_service.pb.h"

namespace safeguard::police {

// The stream holding the police record of a subject.
std::string PoliceStreamId(const std::string& subject_key);

class PoliceCommands {
 public:
  using Done = agency::CommandSubmitter::Done;

  // `store` must outlive this object.
  explicit PoliceCommands(EventStore* store, Clock clock = SystemClock());

  // Each validates, applies the subject's rules and appends; `done` runs exactly once,
  // possibly on the store's writer thread, and must not block.
  void Handle(const safeguard::v1::RecordConvictionRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordRegisterNotificationRequest& request, const CallContext& call,
              Done done);
  void Handle(const safeguard::v1::RecordOrderRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordOrderBreachRequest& request, const CallContext& call,
              Done done);
  void Handle(const safeguard::v1::RecordIntelligenceRequest& request, const CallContext& call,
              Done done);
  // Retracts or amends one of the police's facts on the subject's record (the rule:
  // agency::CheckCorrection).
  void Handle(const safeguard::v1::RecordCorrectionRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordPoliceRiskAssessmentRequest& request, const CallContext& call,
              Done done);

 private:
  agency::CommandSubmitter submitter_;
};

}  // namespace safeguard::police
