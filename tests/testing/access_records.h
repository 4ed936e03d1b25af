// What the audit topic on the embedded bus says: every consultation (AccessRecordsOn),
// and apart from them the refused calls recorded as security events (RefusalsOn).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/bus/event_bus_rocksdb.h"
#include "safeguard/v1/storage.pb.h"
#include "common/crypto/sealing.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_vault.h"

namespace safeguard::testing {

// Every record on the audit topic whose refusal is set (`refusals`) or not, opened with the
// data keys the keys topics carry (the test vault's; a record sealed under a key not there,
// or destroyed, stays sealed).
inline std::vector<safeguard::v1::AccessRecord> AuditRecordsOnce(RocksDbEventBus& bus, bool refusals, bool* all_opened) {
  *all_opened = true;
  std::map<std::string, std::string> keys;
  for (const char* topic : {kPoliceKeysTopic, kProbationKeysTopic, kChildrensKeysTopic, kMappaKeysTopic}) {
    absl::StatusOr<std::vector<BusRecord>> records = bus.Read(topic, 0, 100000);
    EXPECT_THAT(records, IsOk());
    if (!records.ok()) continue;
    for (const BusRecord& r : *records) {
      safeguard::v1::DataKeyRecord k;
      EXPECT_TRUE(k.ParseFromString(r.value));
      if (!k.has_wrapped()) {
        keys.erase(k.key_id());
        continue;
      }
      absl::StatusOr<std::string> key = TestVault()->Unwrap(k.wrapped(), k.key_id());
      EXPECT_THAT(key, IsOk());
      if (key.ok()) keys[k.key_id()] = *key;
    }
  }
  std::vector<safeguard::v1::AccessRecord> out;
  absl::StatusOr<std::vector<BusRecord>> records = bus.Read(kAuditAccessTopic, 0, 100000);
  EXPECT_THAT(records, IsOk());
  if (!records.ok()) return out;
  for (const BusRecord& r : *records) {
    safeguard::v1::AccessRecord a;
    EXPECT_TRUE(a.ParseFromString(r.value)) << "unreadable access record at offset " << r.offset;
    if (auto key = keys.find(a.sealed().key_id()); a.has_sealed() && key != keys.end()) {
      EXPECT_THAT(crypto::OpenAccessRecord(key->second, &a), IsOk());
    } else if (a.has_sealed()) {
      *all_opened = false;
    }
    if (a.has_refusal() == refusals) out.push_back(std::move(a));
  }
  return out;
}

// The same, waiting (up to 10 s) for the keys of records just made: a service publishes a
// key it makes for a read's record from its outbox, just after the record.
inline std::vector<safeguard::v1::AccessRecord> AuditRecordsOn(RocksDbEventBus& bus, bool refusals) {
  bool all_opened = false;
  std::vector<safeguard::v1::AccessRecord> out = AuditRecordsOnce(bus, refusals, &all_opened);
  for (const absl::Time end = absl::Now() + absl::Seconds(10); !all_opened && absl::Now() < end;) {
    absl::SleepFor(absl::Milliseconds(20));
    out = AuditRecordsOnce(bus, refusals, &all_opened);
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
