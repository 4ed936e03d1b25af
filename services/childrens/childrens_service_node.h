// childrens-service as an AgencyNode: its store at <data_dir>/childrens, relay to `topic`.
#pragma once

#include "common/agency/agency_node.h"

namespace safeguard::childrens {

absl::StatusOr<std::unique_ptr<agency::AgencyNode>> StartChildrensNode(const std::string& data_dir,
                                                                       const std::string& topic,
                                                                       EventBus* bus,
                                                                       Clock clock = SystemClock());

}  // namespace safeguard::childrens
