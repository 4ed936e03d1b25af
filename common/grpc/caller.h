// Who is calling: the caller of a call, as its server's transport identified it. Under
// mutual TLS (the default) that is the client certificate; on a --dev_plaintext server the
// caller names itself in metadata (common/security/transport_security.h). Every call has
// already passed the access policy by the time a handler asks.
#pragma once

#include <string>

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "safeguard/v1/common.pb.h"

namespace safeguard {

inline constexpr char kCorrelationHeader[] = "x-correlation-id";

struct CallContext {
  safeguard::v1::Actor actor;
  std::string correlation_id;  // from the caller, or a fresh UUID
  std::string peer;            // network address, for the access record
};

// The caller of `ctx`: for a call a service made for a person (forwarding their
// certificate, accepted by the access control), the person, with the service in
// actor.via. kUnauthenticated when the call carries no identity; a malformed correlation
// id is kInvalidArgument naming its header.
absl::StatusOr<CallContext> CallerOf(const grpc::ServerContextBase& ctx);

}  // namespace safeguard
