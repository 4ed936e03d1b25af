// Serve (common/grpc/serve.h) for mappa-service: once the caller is identified and the
// request checked, the call is refused with the gate's reason while the views are
// incomplete (state/serving_gate.h), and handed to its handler otherwise.
#pragma once

#include "common/grpc/serve.h"
#include "services/mappa/state/serving_gate.h"

namespace safeguard::mappa {

template <typename Request, typename Response, typename Handler>
grpc::ServerUnaryReactor* ServeWhole(grpc::CallbackServerContext* ctx, const Request* request, Response* response,
                                     const ServingGate* gate, Handler* handler) {
  struct Gated {
    const ServingGate* gate;
    Handler* handler;
    void Handle(const Request& r, const CallContext& call, Reply<Response> reply) {
      if (absl::Status serving = gate->Serving(); !serving.ok()) return reply(std::move(serving));
      handler->Handle(r, call, std::move(reply));
    }
  } gated{gate, handler};
  return Serve(ctx, request, response, &gated);
}

}  // namespace safeguard::mappa
