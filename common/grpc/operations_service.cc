#include "common/grpc/operations_service.h"

namespace safeguard {

void ProcessStatus::Handle(const safeguard::v1::GetStatusRequest&, const CallContext&,
                           Reply<safeguard::v1::ServiceStatus> reply) const {
  safeguard::v1::ServiceStatus status;
  status.set_bus(bus_);
  for (const Reporter& report : reporters_) {
    if (absl::Status st = report(&status); !st.ok()) return reply(st);
  }
  reply(std::move(status));
}

}  // namespace safeguard
