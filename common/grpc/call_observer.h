// Every call a Safeguard server answers, counted, timed and logged: the Prometheus
// figures safeguard_grpc_server_handled_total (by service, method and status code) and
// safeguard_grpc_server_handling_seconds (a histogram, unary calls), and one log record
// per call with its method, status, duration, the caller's role (and the role of the
// person a service acts for) and its correlation id. Nothing personal: no user, no
// request field.
//
// The correlation id is the caller's x-correlation-id, or a fresh one given to a call
// that has none; either way it is sent back in the response's initial metadata, and it
// is the one the call's access records carry (CallerOf reads it), so a record in the log
// leads to the access record and back.
#pragma once

#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace safeguard {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> CallsObserved();

}  // namespace safeguard
