// Validation of police-service commands. Each Validate* checks every field of a request
// (required fields, formats, enum values, lengths, counts, message size) and returns either
// kInvalidArgument naming every bad field by its path in the request, or the command
// ready to append: the subject normalised, its canonical key, and the event payload.
// Validation reads no state; it is pure and thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/agency/command_validation.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/corrections.pb.h"
#include "safeguard/v1/police_service.pb.h"

namespace safeguard::police {

using agency::ValidatedCommand;

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordConvictionRequest& request,
                                          absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(
    const safeguard::v1::RecordRegisterNotificationRequest& request, absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordOrderRequest& request,
                                          absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordOrderBreachRequest& request,
                                          absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordIntelligenceRequest& request,
                                          absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordPoliceRiskAssessmentRequest& request,
                                          absl::CivilDay today);
// A correction of a police fact: an amended fact is checked as its own command would be.
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordCorrectionRequest& request, absl::CivilDay today);

}  // namespace safeguard::police
