#include "common/time_util.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace safeguard {

google::protobuf::Timestamp ToProtoTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(t);
  int64_t seconds = nanos / 1000000000;
  int64_t rem = nanos % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rem));
  return ts;
}

absl::Time FromProtoTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

absl::StatusOr<absl::CivilDay> ParseIsoDate(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return absl::InvalidArgumentError("must be a date YYYY-MM-DD");
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      return absl::InvalidArgumentError("must be a date YYYY-MM-DD");
    }
  }
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  const absl::CivilDay day(y, m, d);
  // CivilDay normalises out-of-range fields (2023-02-30 becomes 2023-03-02); a real date
  // survives the round trip unchanged.
  if (day.year() != y || day.month() != m || day.day() != d || y < 1900) {
    return absl::InvalidArgumentError("is not a real calendar date");
  }
  return day;
}

absl::CivilDay ParseIsoDateOr(absl::string_view text, absl::CivilDay fallback) {
  absl::StatusOr<absl::CivilDay> day = ParseIsoDate(text);
  return day.ok() ? *day : fallback;
}

std::string FormatIsoDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::CivilDay DayOf(absl::Time t) { return absl::ToCivilDay(t, absl::UTCTimeZone()); }

absl::Time StartOfDay(absl::CivilDay day) { return absl::FromCivil(day, absl::UTCTimeZone()); }

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", FromProtoTimestamp(ts), absl::UTCTimeZone());
}

}  // namespace safeguard
