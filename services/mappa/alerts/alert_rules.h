// Cross-agency alert rules. Each rule is a function of a subject's consolidated view as of
// a day (after ComputeAsOf): it holds or it does not, and when it holds it names the
// events whose facts raise it. An alert clears as soon as those facts stop holding (an
// order expires, a membership ends, a notification arrives, a new assessment agrees).
// Pure; the rules are described for people in docs/alerts.md.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/time/civil_time.h"
#include "safeguard/v1/mappa_service.pb.h"

namespace safeguard::mappa {

// The version of the rules below. Change it with any change to what a rule judges: the
// day's re-evaluation of everyone (Projector::ReevaluateAlerts) is then begun again when
// the new code starts, rather than waiting for the next day.
inline constexpr uint32_t kAlertRulesVersion = 1;

// The alerts that hold for `view` (computed as of view.as_of_date()), in rule order.
std::vector<safeguard::v1::Alert> ComputeAlerts(const safeguard::v1::RiskView& view);

// The alerts that hold on `today` for the person whose picture's facts are `facts`, each
// saying the day it was judged on.
std::vector<safeguard::v1::Alert> AlertsAsOf(const safeguard::v1::RiskView& facts, absl::CivilDay today);

}  // namespace safeguard::mappa
