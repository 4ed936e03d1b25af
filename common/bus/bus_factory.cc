#include "common/bus/bus_factory.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/bus/event_bus_kafka.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/bus/kafka_mock_cluster.h"
#include "common/status_macros.h"

namespace safeguard {

OpenedBus::OpenedBus() = default;
OpenedBus::~OpenedBus() {
  bus.reset();  // clients go before the mock cluster they talk to
  mock.reset();
}
OpenedBus::OpenedBus(OpenedBus&&) = default;
OpenedBus& OpenedBus::operator=(OpenedBus&&) = default;

std::vector<std::string> AllTopics(const Topics& t) {
  return {t.police,      t.probation,       t.childrens,       t.mappa,     t.audit_access,
          t.police_keys, t.probation_keys, t.childrens_keys, t.mappa_keys};
}

absl::StatusOr<OpenedBus> OpenBus(const BusConfig& config, const std::string& data_dir,
                                  const std::vector<std::string>& used) {
  OpenedBus opened;
  switch (config.kind) {
    case BusKind::kEmbedded: {
      ASSIGN_OR_RETURN(std::unique_ptr<RocksDbEventBus> bus,
                       RocksDbEventBus::Open((std::filesystem::path(data_dir) / "bus").string()));
      opened.embedded = bus.get();
      opened.bus = std::move(bus);
      opened.description = "embedded bus";
      return opened;
    }
    case BusKind::kKafkaMock: {
      ASSIGN_OR_RETURN(opened.mock,
                       KafkaMockCluster::Start(3, AllTopics(config.topics), config.kafka.partitions));
      KafkaConfig kafka = config.kafka;
      kafka.properties["bootstrap.servers"] = opened.mock->bootstrap_servers();
      ASSIGN_OR_RETURN(opened.bus, KafkaEventBus::Create(std::move(kafka)));
      opened.description = absl::StrCat("Kafka MOCK cluster at ", opened.mock->bootstrap_servers(),
                                        " (in memory: KEEPS NOTHING)");
      return opened;
    }
    case BusKind::kKafka: {
      auto servers = config.kafka.properties.find("bootstrap.servers");
      if (servers == config.kafka.properties.end() || servers->second.empty()) {
        return absl::InvalidArgumentError(
            "kafka.bootstrap.servers: required when bus = kafka (config file or --bootstrap_servers)");
      }
      const std::string where = servers->second;
      ASSIGN_OR_RETURN(std::unique_ptr<KafkaEventBus> bus, KafkaEventBus::Create(config.kafka));
      RETURN_IF_ERROR(bus->CheckTopics(used.empty() ? AllTopics(config.topics) : used, absl::Seconds(30)));
      opened.bus = std::move(bus);
      opened.description = absl::StrCat("Kafka at ", where);
      return opened;
    }
  }
  return absl::InternalError("unknown bus kind");
}

}  // namespace safeguard
