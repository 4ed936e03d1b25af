// Status matchers, which Debian's Abseil lacks.
#pragma once

#include <gmock/gmock.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace safeguard::testing {

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
