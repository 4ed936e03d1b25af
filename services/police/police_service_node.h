// police-service as an AgencyNode: its store at <data_dir>/police, relay to `topic`,
// serving PoliceService and the disclosure scheme's DisclosureService.
#pragma once

#include "common/agency/agency_node.h"
#include "common/disclosure/scheme_config.h"

namespace safeguard::police {

absl::StatusOr<std::unique_ptr<agency::AgencyNode>> StartPoliceNode(const std::string& data_dir,
                                                                     const std::string& topic,
                                                                     EventBus* bus,
                                                                     disclosure::SchemeConfig scheme,
                                                                     Clock clock = SystemClock());

}  // namespace safeguard::police
