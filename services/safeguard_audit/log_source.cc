#include "services/safeguard_audit/log_source.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/bus/event_bus_kafka.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/progress.h"
#include "common/status_macros.h"

namespace safeguard::audit_tool {

std::string Describe(const LogSource& source) {
  if (source.kafka) {
    auto servers = source.kafka->properties.find("bootstrap.servers");
    return absl::StrCat("Kafka at ", servers == source.kafka->properties.end() ? "?" : servers->second);
  }
  return absl::StrCat("the embedded bus copy at ", source.bus_dir);
}

absl::StatusOr<std::vector<BusRecord>> ReadLog(const LogSource& source, const std::string& topic) {
  Progress progress(absl::StrCat("reading ", topic), "records");
  // Partition by partition, each in offset order (Kafka's partitions arrive interleaved).
  std::map<int32_t, std::vector<BusRecord>> by_partition;
  uint64_t read = 0;
  auto keep = [&](BusRecord r) {
    by_partition[r.partition].push_back(std::move(r));
    progress.Set(++read);
    return absl::OkStatus();
  };
  if (source.kafka) {
    RETURN_IF_ERROR(ReadWholeTopic(*source.kafka, topic, "safeguard-audit", keep,
                                   [&progress](uint64_t, uint64_t total) { progress.set_total(total); }));
  } else {
    ASSIGN_OR_RETURN(std::unique_ptr<RocksDbEventBus> bus, RocksDbEventBus::OpenReadOnly(source.bus_dir));
    progress.set_total(static_cast<uint64_t>(bus->EndOffset(topic)));
    RETURN_IF_ERROR(bus->ReadWholeTopic(topic, keep));
  }
  std::vector<BusRecord> all;
  all.reserve(read);
  for (auto& [partition, records] : by_partition) {
    for (BusRecord& r : records) all.push_back(std::move(r));
  }
  return all;
}

}  // namespace safeguard::audit_tool
