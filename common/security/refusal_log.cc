#include "common/security/refusal_log.h"

#include <google/protobuf/stubs/common.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/metrics/metrics.h"
#include "common/time_util.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard::security {

namespace {

metrics::Family<metrics::Counter>& Refused() {
  static metrics::Family<metrics::Counter>& family = metrics::Registry::Process().AddCounter(
      "safeguard_refused_calls_total", "Calls the access control refused, by the status the caller got.",
      {"grpc_code"});
  return family;
}

}  // namespace

RefusalLog::RefusalLog(int per_second) : per_second_(per_second) {}

std::shared_ptr<void> RefusalLog::Attach(EventBus* bus, std::string topic) {
  std::lock_guard<std::mutex> lock(mu_);
  bus_ = bus;
  topic_ = std::move(topic);
  const uint64_t attachment = ++attachment_;
  return std::shared_ptr<void>(nullptr, [this, attachment](void*) {
    std::lock_guard<std::mutex> lock(mu_);
    if (attachment_ == attachment) bus_ = nullptr;
  });
}

void RefusalLog::Record(const safeguard::v1::Actor* actor, const std::string& method, const std::string& code,
                        const std::string& told) {
  // A reason may quote what a caller sent (a forwarded header): kept as text only.
  const std::string reason =
      google::protobuf::internal::IsStructurallyValidUTF8(told.data(), static_cast<int>(told.size()))
          ? told
          : absl::CHexEscape(told);
  Refused().With({code}).Add();
  // What the caller was told may name them (a revoked certificate's holder): it goes to
  // the audit topic, not to the log.
  logging::Warning(absl::StrCat("access refused: ", method),
                   {{"method", method},
                    {"status", code},
                    {"caller_role", actor != nullptr ? actor->role() : "unidentified"},
                    {"certificate", actor != nullptr ? actor->certificate_sha256().substr(0, 16) : ""}});
  std::lock_guard<std::mutex> lock(mu_);
  if (bus_ == nullptr) return;
  const absl::Time now = absl::Now();
  if (now - window_ >= absl::Seconds(1)) {
    window_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= per_second_) {
    ++not_recorded_;
    return;
  }
  ++in_window_;
  v1::AccessRecord r;
  r.set_access_id(NewUuid());
  if (actor != nullptr) *r.mutable_actor() = *actor;
  *r.mutable_at() = ToProtoTimestamp(now);
  v1::Refusal* refusal = r.mutable_refusal();
  refusal->set_method(method);
  refusal->set_code(code);
  refusal->set_reason(reason);
  refusal->set_not_recorded_before(not_recorded_);
  not_recorded_ = 0;
  // Keyed by the method: refusals have no subject.
  bus_->PublishAsync({BusMessage{topic_, method, r.SerializeAsString()}}, [method](absl::Status st) {
    if (!st.ok()) {
      logging::Error(absl::StrCat("a refused call of ", method, " could not be recorded on the audit topic: ",
                                  st.message()));
    }
  });
}

}  // namespace safeguard::security
