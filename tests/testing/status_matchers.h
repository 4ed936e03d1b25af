// Status matchers, which Debian's Abseil lacks.
#pragma once

#include <gmock/gmock.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "common/validation.h"

namespace safeguard::testing {

// Expects `status` to be kInvalidArgument naming `field` (or, for a whole record missing,
// fields inside it) and nothing else: a request with one field broken has one problem.
inline void ExpectViolationsOnlyOf(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  const std::vector<validation::FieldViolation> violations = validation::FieldViolationsOf(status);
  EXPECT_FALSE(violations.empty()) << status;
  for (const validation::FieldViolation& v : violations) {
    EXPECT_TRUE(v.field == field || absl::StartsWith(v.field, field + ".") || absl::StartsWith(v.field, field + "["))
        << status << " should name " << field << " only";
  }
}

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code, "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_substring,
           "has code " + absl::StatusCodeToString(code) + " and message containing '" +
               std::string(message_substring) + "'") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code && std::string(s.message()).find(message_substring) != std::string::npos;
}

// An OK StatusOr whose value equals `value`.
MATCHER_P(IsOkAndHolds, value, "is OK and holds " + ::testing::PrintToString(value)) {
  if (!arg.ok()) {
    *result_listener << arg.status().ToString();
    return false;
  }
  *result_listener << "holds " << ::testing::PrintToString(*arg);
  return *arg == value;
}

}  // namespace safeguard::testing
