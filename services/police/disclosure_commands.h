// The disclosure scheme's cases, police side: validates each step, checks it against the
// case folded from its stream (disclosure::CheckStep), and appends it. An illegal step gets
// kFailedPrecondition and writes nothing; concurrent steps on one case are serialised by
// the stream's version (CommandSubmitter). Knows nothing of gRPC. Thread-safe.
#pragma once

#include "common/agency/command_submitter.h"
#include "common/disclosure/scheme_config.h"
#include "safeguard/v1/disclosure_service.pb.h"

namespace safeguard::police {

class DisclosureCommands {
 public:
  using Done = agency::CommandSubmitter::Done;

  // `store` must outlive this object.
  DisclosureCommands(EventStore* store, disclosure::SchemeConfig scheme, Clock clock = SystemClock());

  // Each `done` runs exactly once, possibly on the store's writer thread, and must not block.
  void Handle(const safeguard::v1::ReceiveEnquiryRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::CompleteInitialChecksRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordApplicationRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordInterviewRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordCaseRiskAssessmentRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordDisclosureDecisionRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordDeliveryRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordNonDisclosureLetterRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordApplicantOutcomeRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordProtectiveActionRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::MakeSafeguardingReferralRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::CloseCaseRequest& r, const CallContext& call, Done done);

 private:
  template <typename Request>
  void Submit(const Request& r, absl::StatusOr<agency::ValidatedCommand> valid, const CallContext& call, Done done);

  agency::CommandSubmitter submitter_;
  const disclosure::SchemeConfig scheme_;
};

}  // namespace safeguard::police
