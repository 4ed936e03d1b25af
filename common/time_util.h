// Conversions between absl time, protobuf Timestamps and ISO 8601 calendar dates.
#pragma once

#include <functional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace safeguard {

// The source of "now", injectable so that tests can move time.
using Clock = std::function<absl::Time()>;
inline Clock SystemClock() { return [] { return absl::Now(); }; }

// How far ahead of this server's clock a caller's own moment ("at") may be: callers'
// clocks drift a little, so a moment this far in the future is taken as now, not refused.
inline constexpr absl::Duration kClockSkew = absl::Minutes(5);

google::protobuf::Timestamp ToProtoTimestamp(absl::Time t);
absl::Time FromProtoTimestamp(const google::protobuf::Timestamp& ts);

// Parses a strict "YYYY-MM-DD" that names a real calendar day (no 2023-02-30).
absl::StatusOr<absl::CivilDay> ParseIsoDate(absl::string_view text);
std::string FormatIsoDate(absl::CivilDay day);

// ParseIsoDate, or `fallback` when `text` is not a date (for stored facts, whose dates were
// validated on the way in, compared with a sentinel for "unknown").
absl::CivilDay ParseIsoDateOr(absl::string_view text, absl::CivilDay fallback);

// The calendar day `t` falls on in UTC.
absl::CivilDay DayOf(absl::Time t);
// Midnight UTC at the start of `day`.
absl::Time StartOfDay(absl::CivilDay day);

// "2024-03-01T10:15:00Z"
std::string FormatTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace safeguard
