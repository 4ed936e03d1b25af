// mappa-service's state on RocksDB: per-subject risk views, the merged timeline, the
// reference index, the last applied version of every agency stream, and the consumed bus
// positions.
//
// ApplyRecords writes the view changes and the new positions in one WriteBatch, so after
// a crash the service resumes exactly where its state ends: no event applied twice, none
// skipped. Events are also deduplicated by (stream, version), because the bus delivers at
// least once; a version beyond the next expected one is applied and reported as a gap.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/bus/event_bus.h"
#include "common/time_util.h"
#include "rocksdb/db.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard::mappa {

struct ApplyStats {
  uint64_t applied = 0;
  uint64_t duplicates = 0;   // already applied (same stream and version)
  uint64_t gaps = 0;         // applied, but an earlier version of the stream was missing
  uint64_t unreadable = 0;   // not an EventEnvelope: skipped and reported
};

class RiskViewStore {
 public:
  static absl::StatusOr<std::unique_ptr<RiskViewStore>> Open(const std::string& path,
                                                             Clock clock = SystemClock());

  // Applies `records` in order, in one atomic write with their positions. Not
  // thread-safe with itself (one consumer thread applies); safe with the readers.
  absl::StatusOr<ApplyStats> ApplyRecords(const std::vector<BusRecord>& records);

  // The next offset to consume for (topic, partition); 0 when none is stored.
  absl::StatusOr<int64_t> Position(const std::string& topic, int32_t partition);

  // The subject key a reference ("pnc:...", "visor:...") belongs to; kNotFound if none.
  absl::StatusOr<std::string> ResolveReference(const std::string& reference);

  // The stored view of `subject_key` (facts only; call ComputeAsOf for the rest).
  absl::StatusOr<safeguard::v1::RiskView> GetView(const std::string& subject_key);

  // Up to `page_size` timeline entries of `subject_key` after `page_token` (empty for
  // the first page). kInvalidArgument naming "page_token" when the token is not one this
  // store issued for this subject.
  absl::StatusOr<safeguard::v1::GetTimelineResponse> GetTimeline(const std::string& subject_key,
                                                                 uint32_t page_size,
                                                                 const std::string& page_token);

  // Gap reports recorded so far, oldest first.
  absl::StatusOr<std::vector<safeguard::v1::GapReport>> Gaps();

  uint64_t events_applied() const { return events_applied_.load(); }

 private:
  RiskViewStore(std::unique_ptr<rocksdb::DB> db, Clock clock);

  std::unique_ptr<rocksdb::DB> db_;
  const Clock clock_;
  std::atomic<uint64_t> events_applied_{0};
};

}  // namespace safeguard::mappa
