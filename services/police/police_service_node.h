// police-service as an AgencyNode: its store at <data_dir>/police, relay to `topic`.
#pragma once

#include "common/agency/agency_node.h"

namespace safeguard::police {

absl::StatusOr<std::unique_ptr<agency::AgencyNode>> StartPoliceNode(const std::string& data_dir,
                                                                     const std::string& topic,
                                                                     EventBus* bus,
                                                                     Clock clock = SystemClock());

}  // namespace safeguard::police
