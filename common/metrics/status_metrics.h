// The figures of a process's status (OperationsService/GetStatus) as Prometheus metrics,
// read at each scrape, so that what GetStatus says and what Prometheus sees are one
// truth. Each metric carries the service it is of ("police-service", "mappa-service").
#pragma once

#include <memory>
#include <string>

#include "common/grpc/operations_service.h"
#include "common/metrics/metrics.h"

namespace safeguard::metrics {

// Adds `status` (which must outlive the handle) to the process's metrics until the
// returned handle is destroyed.
std::shared_ptr<void> ExportStatus(const ProcessStatus* status);

// The metrics of one status, as ExportStatus reports them (public for tests).
void AddStatus(const safeguard::v1::ServiceStatus& status, Sink& sink);

// Reports the disk the stores under `data_dir` use, by store (each directory in it), and
// the space left on its file system, until the returned handle is destroyed.
std::shared_ptr<void> ExportDiskUse(std::string data_dir);

}  // namespace safeguard::metrics
