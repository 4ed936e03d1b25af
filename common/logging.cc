#include "common/logging.h"

#include <google/protobuf/stubs/common.h>
#include <grpc/support/log.h>

#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/ids.h"
#include "common/metrics/metrics.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace safeguard::logging {

namespace {

struct ProcessLog {
  std::mutex mu;  // guards the three below: Init may run while other threads log
  Format format = Format::kText;
  std::string component = "safeguard";
  std::shared_ptr<spdlog::logger> logger;
};

std::shared_ptr<spdlog::logger> MakeLogger(Format format) {
  auto logger = std::make_shared<spdlog::logger>("safeguard", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  // The time is UTC in both forms: a log is read beside others from other machines.
  logger->set_pattern(format == Format::kJson ? R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})"
                                              : "%Y-%m-%dT%H:%M:%S.%eZ %-7l %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::info);
  // A record is written whole before the call returns: a crash loses none already made.
  logger->flush_on(spdlog::level::info);
  return logger;
}

ProcessLog& Log() {
  static ProcessLog* log = [] {
    auto* l = new ProcessLog();
    l->logger = MakeLogger(l->format);
    // Until a server sets its log up, only what is wrong is written: a test or a tool
    // is not flooded with a record of every call.
    l->logger->set_level(spdlog::level::warn);
    return l;
  }();
  return *log;
}

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarning:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

metrics::Family<metrics::Counter>& Records() {
  static metrics::Family<metrics::Counter>& records = metrics::Registry::Process().AddCounter(
      "safeguard_log_records_total", "Records written to the process's log, by level.", {"level"});
  return records;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void WriteAs(absl::string_view component, Level level, absl::string_view message,
             std::initializer_list<Field> fields) {
  ProcessLog& log = Log();
  std::shared_ptr<spdlog::logger> logger;
  Format format;
  {
    std::lock_guard<std::mutex> lock(log.mu);
    logger = log.logger;
    format = log.format;
  }
  if (!logger->should_log(ToSpdlog(level))) return;
  std::string payload;
  if (format == Format::kJson) {
    absl::StrAppend(&payload, "\"component\":\"", JsonEscape(component), "\",\"message\":\"",
                    JsonEscape(Redact(message)), "\"");
    for (const Field& f : fields) {
      absl::StrAppend(&payload, ",\"", JsonEscape(f.name), "\":");
      if (f.is_number) {
        absl::StrAppend(&payload, metrics::FormatValue(f.number));
      } else {
        absl::StrAppend(&payload, "\"", JsonEscape(Redact(f.text)), "\"");
      }
    }
  } else {
    absl::StrAppend(&payload, component, ": ", Redact(message));
    for (const Field& f : fields) {
      absl::StrAppend(&payload, " ", f.name, "=");
      const std::string text = Redact(f.text);
      if (f.is_number) {
        absl::StrAppend(&payload, metrics::FormatValue(f.number));
      } else if (text.find_first_of(" \"=") != std::string::npos || text.empty()) {
        absl::StrAppend(&payload, "\"", JsonEscape(text), "\"");
      } else {
        absl::StrAppend(&payload, text);
      }
    }
  }
  logger->log(ToSpdlog(level), payload);
  Records().With({LevelName(level)}).Add();
}

namespace {

// gRPC's own messages, as records of component "grpc".
void FromGrpc(gpr_log_func_args* args) {
  const Level level = args->severity == GPR_LOG_SEVERITY_ERROR ? Level::kError
                      : args->severity == GPR_LOG_SEVERITY_INFO ? Level::kInfo
                                                                 : Level::kDebug;
  WriteAs("grpc", level, args->message != nullptr ? args->message : "",
          {{"source", absl::StrCat(args->file != nullptr ? args->file : "", ":", args->line)}});
}

}  // namespace

absl::StatusOr<Format> ParseFormat(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "json") return Format::kJson;
  if (lower == "text") return Format::kText;
  return absl::InvalidArgumentError(absl::StrCat("--log_format: \"", text, "\" is neither json nor text"));
}

void Init(absl::string_view component, Format format) {
  ProcessLog& log = Log();
  std::shared_ptr<spdlog::logger> logger = MakeLogger(format);
  {
    std::lock_guard<std::mutex> lock(log.mu);
    log.format = format;
    log.component = std::string(component);
    log.logger = std::move(logger);
  }
  gpr_set_log_function(&FromGrpc);
}

void Write(Level level, absl::string_view message, std::initializer_list<Field> fields) {
  std::string component;
  {
    std::lock_guard<std::mutex> lock(Log().mu);
    component = Log().component;
  }
  WriteAs(component, level, message, fields);
}

std::string Redact(absl::string_view text) {
  static constexpr absl::string_view kKinds[] = {"pnc:", "visor:", "probation:", "childrens:", "email:", "phone:"};
  bool any = false;
  for (absl::string_view kind : kKinds) any = any || text.find(kind) != absl::string_view::npos;
  if (!any) return std::string(text);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t at = absl::string_view::npos;
    for (absl::string_view kind : kKinds) {
      const size_t found = text.find(kind, i);
      if (found != absl::string_view::npos && (at == absl::string_view::npos || found < at)) at = found;
    }
    if (at == absl::string_view::npos) break;
    // A reference runs from its kind to the next space, quote, comma, semicolon or bracket.
    size_t end = at;
    while (end < text.size() && std::string_view(" \t\n'\",;()[]{}<>").find(text[end]) == std::string_view::npos) ++end;
    absl::StrAppend(&out, text.substr(i, at - i));
    absl::StrAppend(&out, "<ref ", ToHex(Sha256(std::string_view(text.data() + at, end - at))).substr(0, 12), ">");
    i = end;
  }
  absl::StrAppend(&out, text.substr(i));
  return out;
}

std::string JsonEscape(absl::string_view text) {
  // Bytes that are not UTF-8 (a path, a peer's bytes quoted in an error) would make the
  // line unreadable as JSON: each is written as the character of its value.
  const bool utf8 = google::protobuf::internal::IsStructurallyValidUTF8(text.data(), static_cast<int>(text.size()));
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (!utf8 && c >= 0x80) {
      out += absl::StrFormat("\\u%04x", c);
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace safeguard::logging
