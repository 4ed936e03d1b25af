// safeguard-kafka-mock: a development Kafka cluster (librdkafka's mock brokers) with
// Safeguard's topics, for running the services as separate processes without a real
// cluster. IN MEMORY: everything on it is gone when it stops.
//
//   safeguard-kafka-mock [--brokers=3] [--partitions=4] [--endpoints_file=PATH]
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/bus/bus_factory.h"
#include "common/bus/kafka_mock_cluster.h"
#include "common/process.h"

ABSL_FLAG(int, brokers, 3, "Number of mock brokers");
ABSL_FLAG(int, partitions, safeguard::KafkaConfig{}.partitions, "Partitions per topic");
ABSL_FLAG(std::string, endpoints_file, "", "If set, write 'bootstrap=SERVERS' here once up");

int main(int argc, char** argv) {
  safeguard::SetProgramUsage("Runs a development Kafka mock cluster with Safeguard's topics.", {"services/kafka_mock/main.cc"});
  absl::ParseCommandLine(argc, argv);
  safeguard::BlockStopSignals();
  auto cluster = safeguard::KafkaMockCluster::Start(
      absl::GetFlag(FLAGS_brokers), safeguard::AllTopics(safeguard::Topics{}), absl::GetFlag(FLAGS_partitions));
  if (!cluster.ok()) {
    std::cerr << "safeguard-kafka-mock: " << cluster.status() << std::endl;
    return 1;
  }
  std::cout << "Kafka mock cluster (IN MEMORY, KEEPS NOTHING): bootstrap servers "
            << (*cluster)->bootstrap_servers() << std::endl;
  if (const std::string path = absl::GetFlag(FLAGS_endpoints_file); !path.empty()) {
    if (auto st = safeguard::WriteEndpointsFile(path, {{"bootstrap", (*cluster)->bootstrap_servers()}});
        !st.ok()) {
      std::cerr << "safeguard-kafka-mock: " << st << std::endl;
      return 1;
    }
  }
  safeguard::WaitForStopSignal();
  return 0;
}
