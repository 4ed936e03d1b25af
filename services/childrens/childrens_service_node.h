// childrens-service as an AgencyNode: its store at <data_dir>/childrens, relay to `topic`.
#pragma once

#include "common/agency/agency_node.h"
#include "common/bus/bus_config.h"

namespace safeguard::childrens {

// `vault` (the deployment's key vault) must outlive the node. `config` gives the topics and the checkpoint interval.
absl::StatusOr<std::unique_ptr<agency::AgencyNode>> StartChildrensNode(const std::string& data_dir,
                                                                       const BusConfig& config, EventBus* bus,
                                                                       const crypto::KeyVault* vault,
                                                                       Clock clock = SystemClock());

}  // namespace safeguard::childrens
