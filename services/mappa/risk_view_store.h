// mappa-service's state on RocksDB: per-subject risk views, the merged timeline, the
// reference index, the last applied version of every agency stream, and the consumed bus
// positions.
//
// ApplyRecords writes the view changes and the new positions in one WriteBatch, so after
// a crash the service resumes exactly where its state ends: no event applied twice, none
// skipped. Events are also deduplicated by (stream, version), because the bus delivers at
// least once. Each stream's events are applied strictly in version order: an event that
// arrives ahead of a missing version is held (durably) and a gap is reported until the
// missing one arrives, which releases it.
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
#include "safeguard/v1/operations.pb.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard::mappa {

struct ApplyStats {
  uint64_t applied = 0;      // applied to views (including released ones)
  uint64_t duplicates = 0;   // already applied or already waiting (same stream and version)
  uint64_t parked = 0;       // ahead of their stream: held until the missing version comes
  uint64_t released = 0;     // held earlier, applied now that their turn came
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

  // Open gaps: versions some stream is waiting for, with the version that revealed each.
  absl::StatusOr<std::vector<safeguard::v1::GapReport>> Gaps();

  // The subjects any of whose register notifications listed the online identifier with
  // this key (see OnlineIdentifierKey). Callers confirm against the current view.
  absl::StatusOr<std::vector<std::string>> SubjectsWithIdentifier(const std::string& key);

  // Every stored consumer position.
  absl::StatusOr<std::vector<safeguard::v1::ConsumerPosition>> Positions();

  // How many events are held waiting for an earlier version of their stream.
  absl::StatusOr<uint64_t> EventsWaiting();

  // Totals since this process opened the store.
  ApplyStats totals() const {
    return ApplyStats{counters_.applied.load(), counters_.duplicates.load(), counters_.parked.load(),
                      counters_.released.load(), counters_.unreadable.load()};
  }

 private:
  RiskViewStore(std::unique_ptr<rocksdb::DB> db, Clock clock);

  std::unique_ptr<rocksdb::DB> db_;
  const Clock clock_;
  struct {
    std::atomic<uint64_t> applied{0}, duplicates{0}, parked{0}, released{0}, unreadable{0};
  } counters_;
};

}  // namespace safeguard::mappa
