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
  static const char* const kLevels[] = {"INFO", "WARNING", "ERROR", "FATAL"};
  static RateLimitedLog* log = new RateLimitedLog("[libprotobuf] ", 5);
  const std::string text = absl::StrCat(kLevels[level], " ", filename, ":", line, ": ", message);
  if (level == google::protobuf::LOGLEVEL_FATAL) {
    std::fprintf(stderr, "[libprotobuf] %s\n", text.c_str());  // always: the process ends next
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

}  // namespace safeguard
