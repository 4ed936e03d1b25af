// What a data protection decision's request must hold (DataProtectionService;
// common/agency/data_protection.h carries the decisions out).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/agency/command_validation.h"
#include "safeguard/v1/data_protection_service.pb.h"

namespace safeguard::agency {

enum class DecisionKind { kErasure, kRestriction, kLift, kRetain };

// The decision's event type within its agency: "ErasureDecided", "RestrictionDecided",
// "RestrictionLifted", "RetentionReviewed".
const char* DecisionEventName(DecisionKind kind);

namespace data_protection {

// Checks a decision's request of `kind` made by `caller_user`: kInvalidArgument naming each
// bad field, all at once (the command id, the subject's references, a basis of the kind,
// the reason, an approver other than the caller). Returns the decision's event as far as
// the request gives it (its data keys are the holder's to add) with the subject as
// normalised; the event recorded names no one (DataProtection keeps only its payload).
absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::DataProtectionRequest& request, DecisionKind kind,
                                          SubjectKeying keying, absl::CivilDay today, const std::string& caller_user);

}  // namespace data_protection
}  // namespace safeguard::agency
