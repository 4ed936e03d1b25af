// Validation of probation-service commands: every field of a request (required fields,
// formats, enum values, lengths, counts, size, dates against each other and the subject's
// date of birth). kInvalidArgument names every bad field by its path in the request
// (common/validation.h). Pure and thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/agency/command_validation.h"
#include "safeguard/v1/corrections.pb.h"
#include "safeguard/v1/probation_service.pb.h"

namespace safeguard::probation {

using agency::ValidatedCommand;

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::StartSupervisionRequest& request,
                                          absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::EndSupervisionRequest& request,
                                          absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordRiskAssessmentRequest& request,
                                          absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::SetLicenceConditionsRequest& request,
                                          absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordLicenceBreachRequest& request,
                                          absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordRecallRequest& request,
                                          absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(
    const safeguard::v1::ProposeMappaCategoryLevelRequest& request, absl::CivilDay today);
// A correction of a probation fact: an amended fact is checked as its own command would be.
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordCorrectionRequest& request, absl::CivilDay today);

}  // namespace safeguard::probation
