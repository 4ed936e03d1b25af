// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status and absl::StatusOr, which Debian's
// Abseil 20220623 does not ship.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SAFEGUARD_CONCAT_INNER(a, b) a##b
#define SAFEGUARD_CONCAT(a, b) SAFEGUARD_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)                           \
  do {                                                  \
    ::absl::Status safeguard_status_ = (expr);          \
    if (!safeguard_status_.ok()) return safeguard_status_; \
  } while (0)

// ASSIGN_OR_RETURN(auto x, MakeX()) declares or assigns `x` from a StatusOr, returning
// its status from the enclosing function when it is an error.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  SAFEGUARD_ASSIGN_OR_RETURN_IMPL(SAFEGUARD_CONCAT(safeguard_statusor_, __LINE__), lhs, rexpr)

#define SAFEGUARD_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = std::move(statusor).value()
