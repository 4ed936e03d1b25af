// The fixed "today" and "now" the fuzz targets and their seed corpus validate against.
#pragma once

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace safeguard::fuzz {

inline const absl::CivilDay kToday(2026, 11, 23);
inline const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 12, 0, 0), absl::UTCTimeZone());
// When the seed corpus's disclosure steps happened.
inline const absl::Time kSeedTime = absl::FromCivil(absl::CivilSecond(2026, 11, 1, 10, 0, 0), absl::UTCTimeZone());

}  // namespace safeguard::fuzz
