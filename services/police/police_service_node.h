// police-service as an AgencyNode: its store at <data_dir>/police, relay to `topic`,
// serving PoliceService and the disclosure scheme's DisclosureService.
#pragma once

#include "common/agency/agency_node.h"
#include "common/bus/bus_config.h"

namespace safeguard::police {

// `vault` (the deployment's key vault) must outlive the node. `config` gives the topics, the disclosure scheme and the checkpoint interval.
absl::StatusOr<std::unique_ptr<agency::AgencyNode>> StartPoliceNode(const std::string& data_dir,
                                                                     const BusConfig& config, EventBus* bus,
                                                                    const crypto::KeyVault* vault,
                                                                     Clock clock = SystemClock());

}  // namespace safeguard::police
