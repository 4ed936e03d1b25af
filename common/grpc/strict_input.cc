#include "common/grpc/strict_input.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/unknown_field_set.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/rate_limited_log.h"

namespace safeguard {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The path of a field within the request, in the form field errors use ("a.b[2].c").
std::string Join(const std::string& path, const std::string& field) {
  return path.empty() ? field : absl::StrCat(path, ".", field);
}

absl::Status Refuse(const Message& message, const std::string& path) {
  const Reflection* reflection = message.GetReflection();
  const google::protobuf::UnknownFieldSet& unknown = reflection->GetUnknownFields(message);
  if (!unknown.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.empty() ? "request" : path, ": unknown field number ", unknown.field(0).number(), " in ",
                     message.GetDescriptor()->full_name(),
                     ": this service does not know it, and takes only the fields its API defines; nothing was "
                     "recorded"));
  }
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string name = Join(path, field->name());
    if (!field->is_repeated()) {
      absl::Status s = Refuse(reflection->GetMessage(message, field), name);
      if (!s.ok()) return s;
      continue;
    }
    const int size = reflection->FieldSize(message, field);
    for (int i = 0; i < size; ++i) {
      absl::Status s = Refuse(reflection->GetRepeatedMessage(message, field, i), absl::StrCat(name, "[", i, "]"));
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

void SummarisingHandler(google::protobuf::LogLevel level, const char* filename, int line, const std::string& message) {
  static RateLimitedLog* log = new RateLimitedLog("protobuf", logging::Level::kWarning, 5);
  const std::string text = absl::StrCat(filename, ":", line, ": ", message);
  if (level == google::protobuf::LOGLEVEL_FATAL) {
    logging::WriteAs("protobuf", logging::Level::kError, text);  // always: the process ends next
    return;
  }
  log->Write(text);
}

}  // namespace

absl::Status RefuseUnknownFields(const Message& request) { return Refuse(request, ""); }

void LimitProtobufLogging() {
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&SummarisingHandler); });
}

namespace {

class UndecodableRequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit UndecodableRequestInterceptor(grpc::experimental::ServerRpcInfo* info) : method_(info->method()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    // gRPC decodes the request before the handler; a body that does not decode reaches
    // here as no message, and the call is then failed with an empty UNIMPLEMENTED.
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      undecodable_ = true;
    }
    if (undecodable_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        methods->GetSendStatus().error_code() == grpc::StatusCode::UNIMPLEMENTED &&
        methods->GetSendStatus().error_message().empty()) {
      const std::string method = method_.empty() || method_[0] != '/' ? method_ : method_.substr(1);
      methods->ModifySendStatus(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("request: the body is not a ", method, " request: it does not decode; nothing was done")));
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  bool undecodable_ = false;
};

class UndecodableRequestFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    using Type = grpc::experimental::ServerRpcInfo::Type;
    if (info->type() != Type::UNARY && info->type() != Type::SERVER_STREAMING) return nullptr;
    return new UndecodableRequestInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> UndecodableRequestsRefused() {
  return std::make_unique<UndecodableRequestFactory>();
}

}  // namespace safeguard
