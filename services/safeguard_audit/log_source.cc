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
  if (source.kafka) {
    // Partition by partition, as the embedded bus's one partition reads.
    std::map<int32_t, std::vector<BusRecord>> by_partition;
    RETURN_IF_ERROR(ReadWholeTopic(
        *source.kafka, topic, "safeguard-audit",
        [&by_partition](BusRecord r) {
          by_partition[r.partition].push_back(std::move(r));
          return absl::OkStatus();
        },
        [&progress](uint64_t done, uint64_t total) {
          progress.set_total(total);
          progress.Set(done);
        }));
    std::vector<BusRecord> all;
    for (auto& [partition, records] : by_partition) {
      for (BusRecord& r : records) all.push_back(std::move(r));
    }
    return all;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<RocksDbEventBus> bus, RocksDbEventBus::OpenReadOnly(source.bus_dir));
  progress.set_total(static_cast<uint64_t>(bus->EndOffset(topic)));
  std::vector<BusRecord> all;
  for (int64_t offset = 0;;) {
    ASSIGN_OR_RETURN(std::vector<BusRecord> records, bus->Read(topic, offset, 10000));
    if (records.empty()) break;
    offset = records.back().offset + 1;
    for (auto& r : records) all.push_back(std::move(r));
    progress.Set(all.size());
  }
  return all;
}

}  // namespace safeguard::audit_tool
