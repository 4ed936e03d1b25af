// librdkafka's built-in mock Kafka cluster, in this process: real Kafka protocol on
// loopback ports, with broker faults that tests can inject. It keeps everything in memory
// and nothing survives the process: for development and tests only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace safeguard {

class KafkaMockCluster {
 public:
  // Starts `brokers` brokers (ids 1..brokers) and creates `topics` with `partitions`
  // partitions each, replicated on up to three brokers.
  static absl::StatusOr<std::unique_ptr<KafkaMockCluster>> Start(
      int brokers, const std::vector<std::string>& topics, int partitions);
  ~KafkaMockCluster();

  // "127.0.0.1:port,..." for clients' bootstrap.servers.
  std::string bootstrap_servers() const;

  // For fault injection (rd_kafka_mock_broker_set_down, rd_kafka_mock_push_request_errors).
  rd_kafka_mock_cluster_t* raw() const { return cluster_; }

 private:
  KafkaMockCluster(rd_kafka_t* handle, rd_kafka_mock_cluster_t* cluster)
      : handle_(handle), cluster_(cluster) {}
  rd_kafka_t* handle_;
  rd_kafka_mock_cluster_t* cluster_;
};

}  // namespace safeguard
