#include "common/grpc/call_observer.h"

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/caller.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/metrics/metrics.h"
#include "common/security/delegation.h"
#include "common/security/transport_security.h"
#include "common/validation.h"

namespace safeguard {

namespace {

using grpc::experimental::InterceptionHookPoints;

metrics::Family<metrics::Counter>& Handled() {
  static metrics::Family<metrics::Counter>& family = metrics::Registry::Process().AddCounter(
      "safeguard_grpc_server_handled_total", "Calls answered, by service, method and status code.",
      {"grpc_service", "grpc_method", "grpc_code"});
  return family;
}

metrics::Family<metrics::Histogram>& Latency() {
  static metrics::Family<metrics::Histogram>& family = metrics::Registry::Process().AddHistogram(
      "safeguard_grpc_server_handling_seconds",
      "How long unary calls took, from the request's arrival to the status sent, by service and method.",
      {"grpc_service", "grpc_method"});
  return family;
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

// The server's fault, or the bus's or the disk's: worth an operator's look.
bool ServerSide(grpc::StatusCode code) {
  return code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::DATA_LOSS || code == grpc::StatusCode::UNAVAILABLE;
}

class CallObserver final : public grpc::experimental::Interceptor {
 public:
  explicit CallObserver(grpc::experimental::ServerRpcInfo* info)
      : info_(info), started_(absl::Now()), unary_(info->type() == grpc::experimental::ServerRpcInfo::Type::UNARY) {
    // "/safeguard.v1.PoliceService/RecordConviction"
    const absl::string_view method = info->method() != nullptr ? info->method() : "";
    const size_t slash = method.rfind('/');
    if (slash != absl::string_view::npos && slash > 0) {
      service_ = std::string(method.substr(1, slash - 1));
      method_ = std::string(method.substr(slash + 1));
    } else {
      service_ = "unknown";
      method_ = std::string(method);
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      std::multimap<grpc::string_ref, grpc::string_ref>* md = methods->GetRecvInitialMetadata();
      if (auto it = md->find(kCorrelationHeader); it != md->end()) {
        correlation_id_.assign(it->second.data(), it->second.size());
        // CallerOf refuses the call; the log keeps nothing of what the caller wrote.
        if (!validation::IsIdentifier(correlation_id_, 128)) correlation_id_ = "(invalid)";
      } else {
        // Given here, so that the call's log record and its access records share it.
        correlation_id_ = NewUuid();
        md->emplace(kCorrelationHeader, correlation_id_);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA) &&
        !correlation_id_.empty() && correlation_id_ != "(invalid)") {
      methods->GetSendInitialMetadata()->emplace(kCorrelationHeader, correlation_id_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Observe(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Observe(grpc::StatusCode code) {
    const double seconds = absl::ToDoubleSeconds(absl::Now() - started_);
    const char* code_name = CodeName(code);
    Handled().With({service_, method_, code_name}).Add();
    if (unary_) Latency().With({service_, method_}).Observe(seconds);
    std::string role = "unknown";
    std::string for_role;
    if (const grpc::ServerContextBase* ctx = info_->server_context()) {
      const auto& md = ctx->client_metadata();
      absl::StatusOr<security::Caller> caller = security::IdentifyCaller(ctx->auth_context().get(), md);
      if (caller.ok()) role = caller->role;
      if (md.find(security::kForwardedClientCertHeader) != md.end()) {
        absl::StatusOr<std::optional<security::Caller>> person = security::ForwardedPerson(md);
        for_role = person.ok() && person->has_value() ? (*person)->role : "unreadable";
      }
    }
    const logging::Level level = ServerSide(code) ? logging::Level::kWarning : logging::Level::kInfo;
    if (for_role.empty()) {
      logging::Write(level, "call", {{"method", absl::StrCat(service_, "/", method_)}, {"status", code_name},
                                     {"duration_ms", seconds * 1000}, {"caller_role", role},
                                     {"correlation_id", correlation_id_}});
    } else {
      logging::Write(level, "call", {{"method", absl::StrCat(service_, "/", method_)}, {"status", code_name},
                                     {"duration_ms", seconds * 1000}, {"caller_role", role},
                                     {"acting_for_role", for_role}, {"correlation_id", correlation_id_}});
    }
  }

  grpc::experimental::ServerRpcInfo* const info_;
  const absl::Time started_;
  const bool unary_;
  std::string service_;
  std::string method_;
  std::string correlation_id_;
};

class CallObserverFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new CallObserver(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> CallsObserved() {
  return std::make_unique<CallObserverFactory>();
}

}  // namespace safeguard
