// The operator's port: plain HTTP, separate from the gRPC ports, holding no personal data
// and needing no certificate, so that Prometheus and the kubelet can use it.
//   GET /metrics  the process's figures (Registry::Process) in Prometheus's text format
//   GET /livez    200 while the process is alive and its loops turn; 503 saying why not
//   GET /readyz   200 while every service of the process is ready for calls; 503 saying
//                 why not (a storage fault, mappa-service rebuilding or behind the log)
// Anything else is 404. The port is exclusive, like the gRPC ports.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/metrics/metrics.h"

namespace httplib {
class Server;
}

namespace safeguard::metrics {

struct Probes {
  std::function<absl::Status()> alive;  // null: alive while the server answers
  std::function<absl::Status()> ready;  // null: always ready
};

class MetricsServer {
 public:
  // Listens on `host:port` (port 0: the OS chooses). kUnavailable when it cannot bind.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& host, int port, Probes probes,
                                                               const Registry* registry = &Registry::Process());
  // Stops listening and waits for the server's threads.
  ~MetricsServer();

  // host:port bound, e.g. "127.0.0.1:9464".
  const std::string& address() const { return address_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  std::string address_;
};

}  // namespace safeguard::metrics
