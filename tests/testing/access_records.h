// What the audit topic on the embedded bus says: every consultation (AccessRecordsOn),
// and apart from them the refused calls recorded as security events (RefusalsOn).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "common/bus/event_bus_rocksdb.h"
#include "safeguard/v1/storage.pb.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::testing {

// Every record on the audit topic whose refusal is set (`refusals`) or not.
inline std::vector<safeguard::v1::AccessRecord> AuditRecordsOn(RocksDbEventBus& bus, bool refusals) {
  std::vector<safeguard::v1::AccessRecord> out;
  absl::StatusOr<std::vector<BusRecord>> records = bus.Read(kAuditAccessTopic, 0, 100000);
  EXPECT_THAT(records, IsOk());
  if (!records.ok()) return out;
  for (const BusRecord& r : *records) {
    safeguard::v1::AccessRecord a;
    EXPECT_TRUE(a.ParseFromString(r.value)) << "unreadable access record at offset " << r.offset;
    if (a.has_refusal() == refusals) out.push_back(std::move(a));
  }
  return out;
}

inline std::vector<safeguard::v1::AccessRecord> AccessRecordsOn(RocksDbEventBus& bus) {
  return AuditRecordsOn(bus, /*refusals=*/false);
}

inline std::vector<safeguard::v1::AccessRecord> RefusalsOn(RocksDbEventBus& bus) {
  return AuditRecordsOn(bus, /*refusals=*/true);
}

}  // namespace safeguard::testing
