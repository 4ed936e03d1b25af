// The process's log: one line per record on standard error, a JSON object by default
// (time, level, component, message, then the record's fields) for a log collector, or
// text for a person at a terminal (--log_format=text). gRPC's and protobuf's own messages
// are routed in as records of component "grpc" and "protobuf".
//
// Nothing personal goes in a record: no name, date of birth, subject key, case reference
// or user; a call's record carries its method, status, duration, the caller's role and
// the correlation id the caller sent (or was given), which joins the record to the access
// record and to the caller's own logs. References that reach a record all the same (in a
// store's error, say) are replaced by a digest (Redact).
//
//   logging::Info("relay: published", {{"topic", topic}, {"events", n}});
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace safeguard::logging {

enum class Format { kJson, kText };

// "json" or "text"; kInvalidArgument naming --log_format otherwise.
absl::StatusOr<Format> ParseFormat(absl::string_view text);

// Sets the process's log up: records name `component` ("safeguardd", "police-service"),
// in `format`, from level info. Call once, early in main. Until it is called (in tests
// and tools) records are text, of component "safeguard", warnings and errors only.
void Init(absl::string_view component, Format format);

// One field of a record: a name and a string or number.
struct Field {
  Field(absl::string_view name, absl::string_view value) : name(name), text(value) {}
  Field(absl::string_view name, const char* value) : name(name), text(value) {}
  Field(absl::string_view name, const std::string& value) : name(name), text(value) {}
  Field(absl::string_view name, int64_t value) : name(name), number(value), is_number(true) {}
  Field(absl::string_view name, uint64_t value) : name(name), number(static_cast<double>(value)), is_number(true) {}
  Field(absl::string_view name, int value) : name(name), number(value), is_number(true) {}
  Field(absl::string_view name, double value) : name(name), number(value), is_number(true) {}

  absl::string_view name;
  std::string text;
  double number = 0;
  bool is_number = false;
};

enum class Level { kDebug, kInfo, kWarning, kError };

void Write(Level level, absl::string_view message, std::initializer_list<Field> fields = {});
// A record of another component than the process's own (a library's: "grpc", "protobuf",
// "kafka", "rocksdb").
void WriteAs(absl::string_view component, Level level, absl::string_view message,
             std::initializer_list<Field> fields = {});
inline void Info(absl::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, message, fields);
}
inline void Warning(absl::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarning, message, fields);
}
inline void Error(absl::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, message, fields);
}

// `text` as the inside of a JSON string (without the quotes).
std::string JsonEscape(absl::string_view text);

// `text` with every reference to a person (a subject key such as "pnc:2019/0012345X",
// "visor:...", "probation:...", "childrens:...", "email:...", "phone:...", alone or in a
// stream id) replaced by a digest of it ("<ref 3f9a1c22e07b>"): the same reference always
// gives the same digest, so an operator can follow one through the log without reading
// it. Every record's message and fields pass through it: a safety net under the rule that
// no log record names a person.
std::string Redact(absl::string_view text);

}  // namespace safeguard::logging
