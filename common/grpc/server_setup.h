// Starts a gRPC server the way every Safeguard server starts: mutual TLS with the access
// policy applied to every call (or, explicitly, development plaintext on loopback),
// server reflection and the standard health service on, every call counted, timed and
// logged (common/grpc/call_observer.h), a bounded message size, and the chosen port
// reported.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>
#include <grpcpp/impl/codegen/service_type.h>

#include "absl/status/statusor.h"
#include "common/security/transport_security.h"
#include "common/service_node.h"

namespace safeguard {

// Requests larger than this are refused by gRPC before any handler runs.
inline constexpr int kMaxRequestBytes = 1 << 20;

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  std::string address;  // host:port actually bound, e.g. "127.0.0.1:50051"
  // Keeps the health service true to the services' readiness; released before the server.
  std::shared_ptr<void> health;

  // Destroys the server (after its health stops being kept).
  void Reset() {
    health.reset();
    server.reset();
  }
};

// Whether a server's services are ready for calls: OK, or kUnavailable saying why.
using ReadyCheck = std::function<absl::Status()>;

// Binds `host:port` (port 0 = the OS chooses) with `admission` and registers `services`.
// The health service answers for each service by name, and for "" (the whole server):
// SERVING while no storage fault (a full disk) stops any of the process's databases and
// `ready` (if given) says OK; NOT_SERVING otherwise. It follows a fault at once and
// `ready` within a second. The port is exclusive (no SO_REUSEPORT): a second process
// cannot bind it too. kUnavailable, saying why, when the address cannot be bound (e.g.
// "address already in use"); the errors of security::MakeServerCredentials otherwise.
absl::StatusOr<RunningServer> StartServer(const std::string& host, int port,
                                          const std::vector<ServedService>& services,
                                          const security::ServerSecurity& admission, ReadyCheck ready = nullptr);

// The process's readiness: no storage fault standing and every one of `nodes` ready; the
// first reason otherwise.
absl::Status ProcessReady(const std::vector<ServiceNode*>& nodes);

}  // namespace safeguard
