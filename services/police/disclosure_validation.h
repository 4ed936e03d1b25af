// Validation of the disclosure scheme's commands (disclosure_service.proto). Each checks
// every field of its request and returns kInvalidArgument naming every bad field by its
// path (common/validation.h), or the step ready to append: stream suffix (the upper-cased case ref), bus key
// "disclosure:<case ref>", the step's moment, and the event payload. An application's
// eligibility is decided here from the scheme's areas. Whether the case's state allows
// the step is CheckStep's business (common/disclosure). Pure and thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/agency/command_validation.h"
#include "common/disclosure/scheme_config.h"
#include "safeguard/v1/disclosure_service.pb.h"

namespace safeguard::police {

// `now` bounds every step's `at` (a few minutes of clock skew allowed).
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::ReceiveEnquiryRequest& r, absl::Time now);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::CompleteInitialChecksRequest& r,
                                                  absl::Time now);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordApplicationRequest& r, absl::Time now,
                                                  const disclosure::SchemeConfig& scheme);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordInterviewRequest& r, absl::Time now);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordCaseRiskAssessmentRequest& r,
                                                  absl::Time now);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordDisclosureDecisionRequest& r,
                                                  absl::Time now);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordDeliveryRequest& r, absl::Time now);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordNonDisclosureLetterRequest& r,
                                                  absl::Time now);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordApplicantOutcomeRequest& r,
                                                  absl::Time now);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordProtectiveActionRequest& r,
                                                  absl::Time now);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::MakeSafeguardingReferralRequest& r,
                                                  absl::Time now);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::CloseCaseRequest& r, absl::Time now);

}  // namespace safeguard::police
