// Who is calling. Until mutual TLS lands (issue 6), the caller names itself in request
// metadata; the agency is the one the service belongs to. Every call must name a user.
#pragma once

#include <string>

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "safeguard/v1/common.pb.h"

namespace safeguard {

inline constexpr char kUserHeader[] = "x-safeguard-user";
inline constexpr char kRoleHeader[] = "x-safeguard-role";
inline constexpr char kCorrelationHeader[] = "x-correlation-id";

struct CallContext {
  safeguard::v1::Actor actor;
  std::string correlation_id;  // from the caller, or a fresh UUID
  std::string peer;            // network address, for the access record
};

// Reads the caller from `ctx`'s metadata. kUnauthenticated when no user is named; a
// malformed header is kInvalidArgument naming it.
absl::StatusOr<CallContext> CallerFromMetadata(const grpc::ServerContextBase& ctx,
                                               safeguard::v1::Agency agency);

}  // namespace safeguard
