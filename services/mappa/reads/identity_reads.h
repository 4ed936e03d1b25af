// Reads of the identity links: a page of those with one status (candidates awaiting a
// decision by default), each with what its two records are known by. Every record shown
// is recorded as consulted. Knows nothing of gRPC. Thread-safe.
#pragma once

#include "common/access/access_log.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {

class IdentityReads {
 public:
  // `state` and `access` must outlive this object.
  IdentityReads(const MappaState* state, AccessLog* access) : state_(state), access_(access) {}

  void Handle(const safeguard::v1::ListIdentityLinksRequest& request, const CallContext& call,
              Reply<safeguard::v1::ListIdentityLinksResponse> reply);

 private:
  const MappaState* const state_;
  AccessLog* const access_;
};

}  // namespace safeguard::mappa
