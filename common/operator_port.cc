#include "common/operator_port.h"

#include "absl/flags/flag.h"
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
