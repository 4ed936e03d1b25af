// The disclosure scheme's configuration: where and since when it runs (eligibility is
// data, not code) and the deadlines each case is held to. Read from the same config file
// as the bus (docs/operations.md):
//
//   scheme.area = hampshire/southampton from 2008-09-15 until 2009-09-14
//   scheme.area = warwickshire from 2008-09-15          # a whole force; open-ended
//   scheme.require_subject_in_area = true              # the pilot's rule
//   disclosure.deadline.initial_checks = 24h            # h (hours) or d (days)
//   disclosure.deadline.interview = 10d
//   disclosure.deadline.risk_assessment = 28d
//   disclosure.deadline.whole_case = 45d
//
// Without scheme.area lines the scheme runs in every force of England and Wales from
// 2011-04-01, by when it ran in all of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "safeguard/v1/disclosure_events.pb.h"

namespace safeguard::disclosure {

// The 43 territorial police forces of England and Wales, by the short names cases use
// ("avon-and-somerset", ..., "wiltshire"), in order.
const std::vector<std::string>& Forces();
bool IsForce(absl::string_view force);

struct SchemeAreaPeriod {
  std::string force;         // "*" for every force
  std::string division;      // empty: the whole force
  absl::CivilDay from;
  std::optional<absl::CivilDay> until;  // inclusive
};

struct Deadlines {
  absl::Duration initial_checks = absl::Hours(24);
  absl::Duration interview = absl::Hours(24 * 10);
  absl::Duration risk_assessment = absl::Hours(24 * 28);
  absl::Duration whole_case = absl::Hours(24 * 45);
};

struct SchemeConfig {
  std::vector<SchemeAreaPeriod> areas = {{"*", "", absl::CivilDay(2011, 4, 1), std::nullopt}};
  bool require_subject_in_area = false;
  Deadlines deadlines;
};

// Parses the scheme.* and disclosure.* keys of config file text; other keys are left to
// their owners. kInvalidArgument names the line and key that is wrong.
absl::StatusOr<SchemeConfig> ParseSchemeConfig(const std::string& text);

// Whether `key` is one ParseSchemeConfig owns.
bool IsSchemeConfigKey(absl::string_view key);

// The scheme period covering `area` on `day`, if any.
const SchemeAreaPeriod* AreaInScheme(const SchemeConfig& config, const safeguard::v1::SchemeArea& area,
                                     absl::CivilDay day);

}  // namespace safeguard::disclosure
