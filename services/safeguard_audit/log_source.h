// Where an auditor reads the logs from: a copy of the embedded bus (its directory, opened
// read only), or a Kafka cluster, reached as the services reach it (bootstrap servers,
// TLS and SASL settings from a bus configuration file: docs/operations.md). Either way
// each topic is read whole, from its beginning to where it ends when the read begins,
// with the progress shown on a terminal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/bus/bus_config.h"
#include "common/bus/event_bus.h"

namespace safeguard::audit_tool {

struct LogSource {
  std::string bus_dir;               // the embedded bus's directory (<data_dir>/bus)
  std::optional<KafkaConfig> kafka;  // when set, this cluster instead
};

// "the embedded bus copy at DIR" or "Kafka at HOSTS".
std::string Describe(const LogSource& source);

// Every record of `topic`: partition by partition, each in offset order.
absl::StatusOr<std::vector<BusRecord>> ReadLog(const LogSource& source, const std::string& topic);

}  // namespace safeguard::audit_tool
