// Demo data for the disclosure scheme: one Cambridgeshire case in every state a case can
// be in, and a minuted level 2 MAPPA meeting that reviewed John Smith (the demo's
// registered child sex offender) under s.327A and recommended the disclosure one case
// delivered. Recorded through police-service's DisclosureService and mappa-service's
// MeetingService with fixed command ids and fixed times, so loading twice records nothing
// twice.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "services/safeguardd/demo_data.h"

namespace safeguard {

// Cases are recorded as police-disclosure, the meeting as mappa-chair, through `as`.
absl::Status LoadDemoDisclosure(const std::string& police_address, const std::string& mappa_address,
                                const security::CredentialsForRole& as, DemoLoadResult* result);

}  // namespace safeguard
