#include "common/grpc/operations_service.h"

#include "common/store/storage_health.h"
#include "common/time_util.h"

namespace safeguard {

void ProcessStatus::Handle(const safeguard::v1::GetStatusRequest&, const CallContext&,
                           Reply<safeguard::v1::ServiceStatus> reply) const {
  reply(Collect());
}

absl::StatusOr<safeguard::v1::ServiceStatus> ProcessStatus::Collect() const {
  safeguard::v1::ServiceStatus status;
  status.set_bus(bus_);
  for (const StorageHealth::Fault& fault : StorageHealth::Process().Faults()) {
    safeguard::v1::StorageFault* f = status.add_storage_faults();
    f->set_database(fault.database);
    f->set_error(fault.error);
    f->set_disk_full(fault.disk_full);
    *f->mutable_since() = ToProtoTimestamp(fault.since);
  }
  if (absl::Status storage = StorageHealth::Process().Ready(); !storage.ok()) {
    status.set_not_ready(std::string(storage.message()));
  }
  for (const Reporter& report : reporters_) {
    if (absl::Status st = report(&status); !st.ok()) return st;
  }
  return status;
}

}  // namespace safeguard
