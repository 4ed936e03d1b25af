// Which bus a process uses, and how to reach it. Read from a config file of
// "key = value" lines ('#' starts a comment):
//
//   bus = kafka                                  # embedded | kafka | kafka-mock
//   kafka.bootstrap.servers = k1:9092,k2:9092    # any "kafka.<property>" goes to librdkafka
//   kafka.security.protocol = SASL_SSL
//   kafka.ssl.ca.location = /etc/safeguard/kafka-ca.pem
//   kafka.sasl.mechanisms = SCRAM-SHA-512
//   kafka.sasl.username = police-service
//   kafka.sasl.password = ...
//   topic.police = police.events                 # topic names (defaults shown in Topics)
//   topic.partitions = 12                        # partitions each event topic should have
//   kafka.delivery.timeout.ms = 30000            # how long a publish may keep retrying
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/bus/event_bus.h"
#include "absl/time/time.h"
#include "common/disclosure/scheme_config.h"
#include "common/privacy/retention.h"

namespace safeguard {

struct Topics {
  std::string police = kPoliceTopic;
  std::string probation = kProbationTopic;
  std::string childrens = kChildrensTopic;
  std::string mappa = kMappaTopic;
  std::string audit_access = kAuditAccessTopic;
  std::string police_keys = kPoliceKeysTopic;
  std::string probation_keys = kProbationKeysTopic;
  std::string childrens_keys = kChildrensKeysTopic;
  std::string mappa_keys = kMappaKeysTopic;

  // The keys topics, in the order of the logs: police, probation, childrens, mappa.
  std::vector<std::string> keys() const { return {police_keys, probation_keys, childrens_keys, mappa_keys}; }
};

struct KafkaConfig {
  // Passed to librdkafka as they are ("bootstrap.servers", "security.protocol", "ssl.*",
  // "sasl.*", ...). Safeguard sets the properties its guarantees depend on itself
  // (enable.idempotence, acks, enable.auto.commit) and refuses a file that changes them.
  std::map<std::string, std::string> properties;
  int partitions = 12;
};

enum class BusKind { kEmbedded, kKafka, kKafkaMock };

struct BusConfig {
  BusKind kind = BusKind::kEmbedded;
  KafkaConfig kafka;
  Topics topics;
  // The disclosure scheme's keys (scheme.*, disclosure.*) of the same file, for the
  // services that run the scheme (common/disclosure/scheme_config.h).
  disclosure::SchemeConfig scheme;
  // How often each service signs a checkpoint of its log when it has grown
  // (audit.checkpoint_interval, e.g. "10s", "500ms").
  absl::Duration checkpoint_interval = absl::Seconds(10);
  // The agencies' review and retention rules (retention.*; common/privacy/retention.h).
  privacy::RetentionRules retention = privacy::RetentionRules::Defaults();
};

// Parses config file text. kInvalidArgument names the line and key that is wrong.
absl::StatusOr<BusConfig> ParseBusConfig(const std::string& text);

// Reads and parses `path`. kNotFound when the file cannot be read.
absl::StatusOr<BusConfig> LoadBusConfig(const std::string& path);

}  // namespace safeguard
