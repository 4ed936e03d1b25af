// What a caller sends is taken only as the API defines it. A request carrying fields this
// server does not know (a newer client, a mistake, or bytes smuggled past every check,
// since unknown fields would be kept whole in a log that is kept for ever) is refused
// before any handler sees it; nothing is stored. A body that does not decode at all is
// refused as bad input too. And what protobuf writes to the log about a caller's bytes is
// summarised, so no caller can grow the server's log at will.
#pragma once

#include <memory>

#include <google/protobuf/message.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/status/status.h"

namespace safeguard {

// kInvalidArgument naming the first unknown field in `request` or any message within it,
// by its number and the path of the message that carries it, e.g.
// "conviction: unknown field number 8: this service does not know it; nothing was
// recorded". OK when there is none.
absl::Status RefuseUnknownFields(const google::protobuf::Message& request);

// Routes protobuf's own log lines (which quote nothing of a message but are written for
// each bad message, e.g. invalid UTF-8 in a string field) to standard error at most a few
// times a minute, then as a count of those not written. Idempotent; call once at start-up.
void LimitProtobufLogging();

// For every server: a request whose body does not decode as its method's request message
// is answered INVALID_ARGUMENT naming the method ("request: the body is not a
// safeguard.v1.PoliceService/RecordConviction request: it does not decode; nothing was
// done"), where gRPC itself answers UNIMPLEMENTED with no message, which reads as a wrong
// method. For unary and server-streaming methods, whose request is decoded before any
// handler runs.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> UndecodableRequestsRefused();

}  // namespace safeguard
