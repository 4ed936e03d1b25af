// Demo data for the run command: a few subjects with convictions, register notifications,
// orders, a breach and intelligence; probation supervision, risk assessments and a licence
// breach; and children's services records of a child on a protection plan who lives with
// one of the subjects; disclosure scheme cases in every state and a MAPPA meeting
// (demo_disclosure.h). Recorded through the services' public gRPC APIs with fixed command
// ids, so that loading twice records nothing twice.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/security/transport_security.h"

namespace safeguard {

struct DemoLoadResult {
  int recorded = 0;   // commands that wrote an event
  int replayed = 0;   // commands already applied earlier (idempotent replay)
};

// Each agency's commands are made as that agency's role (police-officer,
// probation-officer, social-worker, police-disclosure, mappa-chair), through `as`.
absl::StatusOr<DemoLoadResult> LoadDemoData(const std::string& police_address,
                                            const std::string& probation_address,
                                            const std::string& childrens_address,
                                            const std::string& mappa_address,
                                            const security::CredentialsForRole& as);

}  // namespace safeguard
