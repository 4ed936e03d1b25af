// Validation of police-service commands. Each Validate* checks every field of a request
// (required fields, formats, enum values, lengths, counts, message size) and returns either
// kInvalidArgument naming the first bad field by its path in the request, or the command
// ready to append: the subject normalised, its canonical key, and the event payload.
// Validation reads no state; it is pure and thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/police_service.pb.h"

namespace safeguard::police {

// Larger requests are refused whole, naming "request".
inline constexpr size_t kMaxCommandBytes = 64 * 1024;

struct ValidatedCommand {
  safeguard::v1::SubjectRef subject;   // normalised (PNC upper-case and padded, ...)
  std::string subject_key;             // "pnc:<id>" if a PNC id is given, else "visor:<ref>"
  absl::CivilDay occurred_on;          // the day the fact happened in the world
  std::string event_type;              // e.g. "police.ConvictionRecorded"
  safeguard::v1::EventEnvelope event;  // payload and subject set
};

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

}  // namespace safeguard::police
