// Validation of childrens-service commands: every field of a request. kInvalidArgument
// names every bad field by its path in the request (common/validation.h). Pure and thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/agency/command_validation.h"
#include "safeguard/v1/childrens_service.pb.h"
#include "safeguard/v1/corrections.pb.h"

namespace safeguard::childrens {

using agency::ValidatedCommand;

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordReferralRequest& r, absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::StartSection47EnquiryRequest& r, absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::ConcludeSection47EnquiryRequest& r, absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::StartChildProtectionPlanRequest& r, absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::EndChildProtectionPlanRequest& r, absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordConcernAboutAdultRequest& r, absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordHouseholdMembershipRequest& r, absl::CivilDay today);
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::EndHouseholdMembershipRequest& r, absl::CivilDay today);
// A correction of a children's services fact: an amended fact is checked as its own
// command would be.
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordCorrectionRequest& r, absl::CivilDay today);

}  // namespace safeguard::childrens
