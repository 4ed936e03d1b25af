#include "services/police/disclosure_commands.h"

#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"
#include "services/police/disclosure_validation.h"

namespace safeguard::police {

namespace v1 = safeguard::v1;

DisclosureCommands::DisclosureCommands(EventStore* store, disclosure::SchemeConfig scheme, Clock clock)
    // Streams "disclosure/<case ref>" (disclosure::CaseStreamId).
    : submitter_(store, v1::AGENCY_POLICE, "disclosure", std::move(clock)), scheme_(std::move(scheme)) {}

template <typename Request>
void DisclosureCommands::Submit(const Request& r, absl::StatusOr<agency::ValidatedCommand> valid,
                                const CallContext& call, Done done) {
  v1::CommandHeader header;
  header.set_command_id(r.header().command_id());
  header.set_causation_id(r.header().causation_id());
  if (r.header().has_expected_version()) header.set_expected_version(r.header().expected_version());
  StreamRule rule;
  if (valid.ok()) {
    v1::EventEnvelope step = valid->event;
    step.set_stream_id(disclosure::CaseStreamId(valid->subject_key));
    rule = [step](const StreamState& state) -> absl::Status {
      ASSIGN_OR_RETURN(const v1::DisclosureCase c, disclosure::CaseOf(state));
      return disclosure::CheckStep(c, step);
    };
  }
  submitter_.Submit(r, header, std::move(valid), call, std::move(rule), std::move(done));
}

void DisclosureCommands::Handle(const v1::ReceiveEnquiryRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::CompleteInitialChecksRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::RecordApplicationRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now(), scheme_), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::RecordInterviewRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::RecordCaseRiskAssessmentRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::RecordDisclosureDecisionRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::RecordDeliveryRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::RecordNonDisclosureLetterRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::RecordApplicantOutcomeRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::RecordProtectiveActionRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::MakeSafeguardingReferralRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}
void DisclosureCommands::Handle(const v1::CloseCaseRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Now()), call, std::move(done));
}

}  // namespace safeguard::police
