// probation-service as an AgencyNode: its store at <data_dir>/probation, relay to `topic`.
#pragma once

#include "common/agency/agency_node.h"

namespace safeguard::probation {

absl::StatusOr<std::unique_ptr<agency::AgencyNode>> StartProbationNode(const std::string& data_dir,
                                                                       const std::string& topic,
                                                                       EventBus* bus,
                                                                       Clock clock = SystemClock());

}  // namespace safeguard::probation
