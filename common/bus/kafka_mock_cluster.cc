#include "common/bus/kafka_mock_cluster.h"

// rdkafka_mock.h needs rdkafka.h first.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace safeguard {

absl::StatusOr<std::unique_ptr<KafkaMockCluster>> KafkaMockCluster::Start(
    int brokers, const std::vector<std::string>& topics, int partitions) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "test.mock.num.brokers", std::to_string(brokers).c_str(), err,
                        sizeof(err)) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("mock cluster: ", err));
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));  // takes conf
  if (rk == nullptr) return absl::InternalError(absl::StrCat("mock cluster: ", err));
  rd_kafka_mock_cluster_t* cluster = rd_kafka_handle_mock_cluster(rk);
  if (cluster == nullptr) {
    rd_kafka_destroy(rk);
    return absl::InternalError("mock cluster: librdkafka did not create one");
  }
  std::unique_ptr<KafkaMockCluster> mock(new KafkaMockCluster(rk, cluster));
  for (const std::string& topic : topics) {
    rd_kafka_resp_err_t e =
        rd_kafka_mock_topic_create(cluster, topic.c_str(), partitions, std::min(brokers, 3));
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::InternalError(absl::StrCat("mock cluster: create ", topic, ": ", rd_kafka_err2str(e)));
    }
  }
  return mock;
}

KafkaMockCluster::~KafkaMockCluster() { rd_kafka_destroy(handle_); }

std::string KafkaMockCluster::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(cluster_);
}

}  // namespace safeguard
