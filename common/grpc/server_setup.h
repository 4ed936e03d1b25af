// Starts a gRPC server the way every Safeguard server starts: mutual TLS with the access
// policy applied to every call (or, explicitly, development plaintext on loopback),
// server reflection and the standard health service on, a bounded message size, and the
// chosen port reported.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>
#include <grpcpp/impl/codegen/service_type.h>

#include "absl/status/statusor.h"
#include "common/security/transport_security.h"

namespace safeguard {

// Requests larger than this are refused by gRPC before any handler runs.
inline constexpr int kMaxRequestBytes = 1 << 20;

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  std::string address;  // host:port actually bound, e.g. "127.0.0.1:50051"
  // Keeps the health service NOT_SERVING while a storage fault stops one of the process's
  // databases (StorageHealth); released before the server.
  std::shared_ptr<void> storage_health;

  // Destroys the server (after its health stops following storage faults).
  void Reset() {
    storage_health.reset();
    server.reset();
  }
};

// Binds `host:port` (port 0 = the OS chooses) with `admission`, registers `services` and
// marks each serving in the health service, or not serving while a storage fault (a full
// disk) stops any of the process's databases. The port is exclusive (no SO_REUSEPORT): a
// second process cannot bind it too. kUnavailable, saying why, when the address cannot be
// bound (e.g. "address already in use"); the errors of security::MakeServerCredentials
// otherwise.
absl::StatusOr<RunningServer> StartServer(const std::string& host, int port,
                                          const std::vector<grpc::Service*>& services,
                                          const security::ServerSecurity& admission);

}  // namespace safeguard
