// Risk assessments are recorded by more than one agency with one payload
// (RiskAssessmentCompleted): probation's OASys risk of serious harm, the police's ARMS
// assessment of a registered sex offender; both may carry a Risk Matrix 2000 category.
// What is valid, and the rule over the person's record, are the same for both.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/store/stream_state.h"
#include "common/validation.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard::agency {

// Checks request field `assessment` (reference, a past assessment date, the two risk of
// serious harm levels, optional RM2000 category and summary), adding what is wrong to
// `problems`. Returns the day it was assessed, when that is good.
std::optional<absl::CivilDay> CheckRiskAssessment(const safeguard::v1::RiskAssessmentCompleted& a, absl::CivilDay today,
                                                  validation::Violations* problems);

// The rule over the person's stream: an assessment reference is recorded once
// (kAlreadyExists naming assessment.assessment_ref).
absl::Status AssessmentRefUnused(const StreamState& state, const std::string& ref);

// What a recorded assessment leaves in its stream's state, for AssessmentRefUnused.
void FoldAssessment(const safeguard::v1::EventEnvelope& event, StreamState& state);

// A retracted fact, if an assessment, frees its reference.
void RetractAssessment(const safeguard::v1::CorrectableFact& retracted, StreamState& state);

}  // namespace safeguard::agency
