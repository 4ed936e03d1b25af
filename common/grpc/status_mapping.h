// The one mapping between absl::Status and grpc::Status. Codes share numbering, so the
// mapping is one-to-one; messages pass through unchanged.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace safeguard {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status ToAbslStatus(const grpc::Status& status);

}  // namespace safeguard
