// Every access record the embedded bus holds: what the audit topic says was consulted.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "common/bus/event_bus_rocksdb.h"
#include "safeguard/v1/storage.pb.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::testing {

inline std::vector<safeguard::v1::AccessRecord> AccessRecordsOn(RocksDbEventBus& bus) {
  std::vector<safeguard::v1::AccessRecord> out;
  absl::StatusOr<std::vector<BusRecord>> records = bus.Read(kAuditAccessTopic, 0, 100000);
  EXPECT_THAT(records, IsOk());
  if (!records.ok()) return out;
  for (const BusRecord& r : *records) {
    safeguard::v1::AccessRecord a;
    EXPECT_TRUE(a.ParseFromString(r.value)) << "unreadable access record at offset " << r.offset;
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace safeguard::testing
