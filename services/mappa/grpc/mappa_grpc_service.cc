#include "services/mappa/grpc/mappa_grpc_service.h"

#include "common/grpc/status_mapping.h"
#include "common/grpc/strict_input.h"
#include "services/mappa/grpc/alert_watch.h"

namespace safeguard::mappa {
namespace {

// A watch refused before it began.
class Refused final : public grpc::ServerWriteReactor<v1::AlertChange> {
 public:
  explicit Refused(const absl::Status& st) { Finish(ToGrpcStatus(st)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::AlertChange>* MappaGrpcService::WatchAlerts(grpc::CallbackServerContext* ctx,
                                                                         const v1::WatchAlertsRequest* request) {
  absl::StatusOr<CallContext> call = CallerOf(*ctx);
  if (!call.ok()) return new Refused(call.status());
  if (absl::Status strict = RefuseUnknownFields(*request); !strict.ok()) return new Refused(strict);
  if (absl::Status serving = gate_->Serving(); !serving.ok()) return new Refused(serving);
  absl::StatusOr<AlertReads::WatchPosition> start = alerts_->StartWatch(*request);
  if (!start.ok()) return new Refused(start.status());
  // The caller is its certificate (or, on a development server, the name it gives).
  const std::string caller =
      call->actor.certificate_sha256().empty() ? call->actor.user() : call->actor.certificate_sha256();
  if (absl::Status st = limits_->Acquire(caller); !st.ok()) return new Refused(st);
  return new AlertWatch(alerts_, feed_, limits_, policy_, caller, *call, request->purpose(), *start);
}

}  // namespace safeguard::mappa
