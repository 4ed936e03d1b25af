// What every Safeguard server process offers its operator beside its gRPC ports, and the
// flags that shape it (common to safeguardd and the single-service binaries):
//   --metrics_host, --metrics_port  the operator's port (metrics, /livez, /readyz;
//                                   common/metrics/metrics_server.h)
//   --log_format                    json (the default) or text (common/logging.h)
//   --ready_max_lag                 how far behind the log mappa-service may be and ready
//   --backup_dir, --backup_every, --backup_keep   the stores' backups (common/store/backup.h)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/operations_service.h"
#include "common/logging.h"
#include "common/metrics/metrics_server.h"
#include "common/service_node.h"

namespace safeguard {

struct OperatorOptions {
  std::string metrics_host;  // empty: the gRPC servers' host
  int metrics_port = 9464;   // 0: any free port; negative: none
  logging::Format log_format = logging::Format::kJson;
  int64_t ready_max_lag = 10000;
  // The backups: where (empty: none), how often (zero: only when asked), how many kept.
  std::string backup_dir;
  absl::Duration backup_every = absl::ZeroDuration();
  int backup_keep = 8;
};

// The options the flags above set. kInvalidArgument naming the flag for a bad value.
absl::StatusOr<OperatorOptions> OperatorOptionsFromFlags();

// The operator's port of a running process, and the metrics it serves.
class OperatorPort {
 public:
  // Starts serving, for the process whose services are `nodes` (each reporting its status
  // through the matching entry of `statuses`) and whose stores are under `data_dir`.
  // Also registers the process's own metrics (build, memory, CPU) as `component`. With a
  // negative port, serves nothing and returns an empty port. kUnavailable when the port
  // cannot be bound.
  static absl::StatusOr<std::unique_ptr<OperatorPort>> Start(const OperatorOptions& options,
                                                             const std::string& default_host,
                                                             const std::string& component,
                                                             std::vector<ServiceNode*> nodes,
                                                             std::vector<const ProcessStatus*> statuses,
                                                             const std::string& data_dir);
  ~OperatorPort();

  // host:port, or empty when there is none.
  std::string address() const { return server_ ? server_->address() : ""; }

 private:
  OperatorPort() = default;
  std::vector<std::shared_ptr<void>> exports_;
  std::unique_ptr<metrics::MetricsServer> server_;
};

// The process is alive while each of `nodes` is (ServiceNode::Alive).
absl::Status ProcessAlive(const std::vector<ServiceNode*>& nodes);

}  // namespace safeguard
