// The one way every Safeguard RPC is served. The caller is identified (the access policy
// has already admitted the call), a request carrying fields the API does not define is
// refused (common/grpc/strict_input.h), the request goes to a handler that knows nothing of
// gRPC, and the call finishes when the handler's reply runs: at once for a read that
// needs no record, or later on another thread (a command once its event is durable, a
// read once its access record is). No gRPC thread waits for durable I/O.
//
// A handler is an object with one Handle overload per request type:
//   void Handle(const Request& request, const CallContext& call, Reply<Response> reply);
// and every RPC method is one line:
//   return Serve(ctx, request, response, &handler_);
#pragma once

#include <functional>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/status/statusor.h"
#include "common/grpc/caller.h"
#include "common/grpc/status_mapping.h"
#include "common/grpc/strict_input.h"

namespace safeguard {

// Runs exactly once with the call's outcome, on any thread; must not block.
template <typename Response>
using Reply = std::function<void(absl::StatusOr<Response>)>;

template <typename Request, typename Response, typename Handler>
grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx, const Request* request, Response* response,
                                Handler* handler) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<CallContext> call = CallerOf(*ctx);
  if (!call.ok()) {
    reactor->Finish(ToGrpcStatus(call.status()));
    return reactor;
  }
  if (absl::Status strict = RefuseUnknownFields(*request); !strict.ok()) {
    reactor->Finish(ToGrpcStatus(strict));
    return reactor;
  }
  // `request` and `response` live until Finish, so the reply may come later.
  handler->Handle(*request, *call, Reply<Response>([reactor, response](absl::StatusOr<Response> result) {
                    if (result.ok()) *response = std::move(*result);
                    reactor->Finish(ToGrpcStatus(result.status()));
                  }));
  return reactor;
}

}  // namespace safeguard
