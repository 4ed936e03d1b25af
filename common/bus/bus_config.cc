#include "common/bus/bus_config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/disclosure/scheme_config.h"
#include "common/status_macros.h"

namespace safeguard {
namespace {

// Properties whose values carry Safeguard's delivery guarantees.
bool IsGuaranteeProperty(const std::string& key) {
  return key == "enable.idempotence" || key == "acks" || key == "request.required.acks" ||
         key == "enable.auto.commit" || key == "enable.auto.offset.store" ||
         key == "group.id" || key == "transactional.id";
}

}  // namespace

absl::StatusOr<BusConfig> ParseBusConfig(const std::string& text) {
  BusConfig config;
  std::map<std::string, std::string*> topic_keys = {
      {"topic.police", &config.topics.police},
      {"topic.probation", &config.topics.probation},
      {"topic.childrens", &config.topics.childrens},
      {"topic.mappa", &config.topics.mappa},
      {"topic.audit_access", &config.topics.audit_access},
      {"topic.police_keys", &config.topics.police_keys},
      {"topic.probation_keys", &config.topics.probation_keys},
      {"topic.childrens_keys", &config.topics.childrens_keys},
      {"topic.mappa_keys", &config.topics.mappa_keys},
  };
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_no;
    absl::string_view line = absl::StripAsciiWhitespace(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    const auto where = [&](const std::string& what) {
      return absl::InvalidArgumentError(absl::StrCat("config line ", line_no, ": ", what));
    };
    if (eq == absl::string_view::npos) return where("expected 'key = value'");
    const std::string key(absl::StripAsciiWhitespace(line.substr(0, eq)));
    const std::string value(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (key == "bus") {
      if (value == "embedded") {
        config.kind = BusKind::kEmbedded;
      } else if (value == "kafka") {
        config.kind = BusKind::kKafka;
      } else if (value == "kafka-mock") {
        config.kind = BusKind::kKafkaMock;
      } else {
        return where("bus: expected embedded, kafka or kafka-mock");
      }
    } else if (auto t = topic_keys.find(key); t != topic_keys.end()) {
      if (value.empty()) return where(absl::StrCat(key, ": topic name is empty"));
      *t->second = value;
    } else if (key == "topic.partitions") {
      if (!absl::SimpleAtoi(value, &config.kafka.partitions) || config.kafka.partitions < 1) {
        return where("topic.partitions: expected a positive number");
      }
    } else if (absl::StartsWith(key, "kafka.")) {
      const std::string property = key.substr(6);
      if (IsGuaranteeProperty(property)) {
        return where(absl::StrCat(key, ": Safeguard sets this itself; it cannot be configured"));
      }
      config.kafka.properties[property] = value;
    } else if (key == "audit.checkpoint_interval") {
      if (!absl::ParseDuration(value, &config.checkpoint_interval) ||
          config.checkpoint_interval <= absl::ZeroDuration()) {
        return where("audit.checkpoint_interval: expected a positive duration, e.g. 10s or 500ms");
      }
    } else if (disclosure::IsSchemeConfigKey(key)) {
      continue;  // the disclosure scheme's (ParseSchemeConfig)
    } else if (privacy::RetentionRules::IsRetentionKey(key)) {
      continue;  // the retention rules' (RetentionRules::Parse)
    } else {
      return where(absl::StrCat("unknown key '", key, "'"));
    }
  }
  ASSIGN_OR_RETURN(config.scheme, disclosure::ParseSchemeConfig(text));
  ASSIGN_OR_RETURN(config.retention, privacy::RetentionRules::Parse(text));
  return config;
}

absl::StatusOr<BusConfig> LoadBusConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<BusConfig> config = ParseBusConfig(text.str());
  if (!config.ok()) {
    return absl::Status(config.status().code(), absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace safeguard
