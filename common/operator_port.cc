#include "common/operator_port.h"

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/server_setup.h"
#include "common/metrics/status_metrics.h"
#include "common/status_macros.h"

ABSL_FLAG(std::string, metrics_host, "",
          "Address of the operator's port: Prometheus metrics at /metrics, probes at /livez and /readyz; plain "
          "HTTP, no personal data (default: --host)");
ABSL_FLAG(int, metrics_port, 9464, "The operator's port (0: any free port; -1: none)");
ABSL_FLAG(std::string, log_format, "json",
          "json: one JSON object per line on standard error, for a log collector; text: for people");
ABSL_FLAG(int64_t, ready_max_lag, 10000,
          "mappa-service reports itself ready only within this many records of the end of the topics it reads");
ABSL_FLAG(std::string, backup_dir, "",
          "Where backups of this process's stores go (a separate volume); also made on demand with "
          "safeguardctl ops create-backup");
ABSL_FLAG(absl::Duration, backup_every, absl::ZeroDuration(),
          "How often to back up, e.g. 6h (0: only when asked); needs --backup_dir");
ABSL_FLAG(int, backup_keep, 8, "How many backup sets to keep; older ones are deleted");

namespace safeguard {

absl::StatusOr<OperatorOptions> OperatorOptionsFromFlags() {
  OperatorOptions options;
  options.metrics_host = absl::GetFlag(FLAGS_metrics_host);
  options.metrics_port = absl::GetFlag(FLAGS_metrics_port);
  if (options.metrics_port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--metrics_port: ", options.metrics_port, " is not a port"));
  }
  ASSIGN_OR_RETURN(options.log_format, logging::ParseFormat(absl::GetFlag(FLAGS_log_format)));
  options.ready_max_lag = absl::GetFlag(FLAGS_ready_max_lag);
  if (options.ready_max_lag < 0) return absl::InvalidArgumentError("--ready_max_lag: must not be negative");
  options.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  options.backup_every = absl::GetFlag(FLAGS_backup_every);
  options.backup_keep = absl::GetFlag(FLAGS_backup_keep);
  if (options.backup_every < absl::ZeroDuration()) return absl::InvalidArgumentError("--backup_every: must not be negative");
  if (options.backup_every > absl::ZeroDuration() && options.backup_dir.empty()) {
    return absl::InvalidArgumentError("--backup_every: needs --backup_dir");
  }
  if (options.backup_keep < 1) return absl::InvalidArgumentError("--backup_keep: at least 1");
  return options;
}

absl::Status ProcessAlive(const std::vector<ServiceNode*>& nodes) {
  for (ServiceNode* node : nodes) RETURN_IF_ERROR(node->Alive());
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<OperatorPort>> OperatorPort::Start(const OperatorOptions& options,
                                                                  const std::string& default_host,
                                                                  const std::string& component,
                                                                  std::vector<ServiceNode*> nodes,
                                                                  std::vector<const ProcessStatus*> statuses,
                                                                  const std::string& data_dir) {
  std::unique_ptr<OperatorPort> port(new OperatorPort());
  if (options.metrics_port < 0) return port;
  metrics::RegisterProcessMetrics(component);
  for (const ProcessStatus* status : statuses) port->exports_.push_back(metrics::ExportStatus(status));
  port->exports_.push_back(metrics::ExportDiskUse(data_dir));
  const std::string host = options.metrics_host.empty() ? default_host : options.metrics_host;
  ASSIGN_OR_RETURN(port->server_,
                   metrics::MetricsServer::Start(host, options.metrics_port,
                                                 {.alive = [nodes] { return ProcessAlive(nodes); },
                                                  .ready = [nodes] { return ProcessReady(nodes); }}));
  return port;
}

OperatorPort::~OperatorPort() {
  server_.reset();
  exports_.clear();
}

}  // namespace safeguard
