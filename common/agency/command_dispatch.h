// The body of every agency RPC: identify the caller, hand the request to the agency's
// domain object, finish the call with its outcome.
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "common/grpc/caller.h"
#include "common/grpc/status_mapping.h"
#include "safeguard/v1/commands.pb.h"

namespace safeguard::agency {

// `handle(request, call, done)` is the domain's entry point for `Request`.
template <typename Request, typename Handler>
grpc::ServerUnaryReactor* DispatchCommand(grpc::CallbackServerContext* ctx, const Request* request,
                                          safeguard::v1::CommandResult* response, Handler&& handle) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<CallContext> call = CallerOf(*ctx);
  if (!call.ok()) {
    reactor->Finish(ToGrpcStatus(call.status()));
    return reactor;
  }
  handle(*request, *call, [reactor, response](absl::StatusOr<safeguard::v1::CommandResult> result) {
    if (result.ok()) *response = std::move(*result);
    reactor->Finish(ToGrpcStatus(result.status()));
  });
  return reactor;
}

// `read(request, call)` answers `Request` with a `Response`, synchronously.
template <typename Request, typename Response, typename Read>
grpc::ServerUnaryReactor* DispatchRead(grpc::CallbackServerContext* ctx, const Request* request, Response* response,
                                       Read&& read) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<CallContext> call = CallerOf(*ctx);
  absl::StatusOr<Response> result = call.ok() ? read(*request, *call) : absl::StatusOr<Response>(call.status());
  if (result.ok()) *response = std::move(*result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

}  // namespace safeguard::agency
