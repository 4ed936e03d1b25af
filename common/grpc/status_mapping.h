// The one mapping between absl::Status and grpc::Status. Codes share numbering, so the
// mapping is one-to-one; messages pass through unchanged. An absl::Status's payloads (a
// validator's google.rpc.BadRequest: common/validation.h) travel as the gRPC status's
// rich details, a serialized google.rpc.Status whose details hold each payload as an Any
// under its type URL (the `grpc-status-details-bin` trailer), and come back as payloads.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace safeguard {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status ToAbslStatus(const grpc::Status& status);

}  // namespace safeguard
