// mappa-service's state on RocksDB: per-record risk views and timelines, the reference
// index, the identity index (name keys and links between records), the current alerts
// and their change log, the last applied version of every stream, and the consumed bus
// positions.
//
// A record is what the events filed under one key build; a person is the set of records
// joined by links that hold (see identity.h). Reads are of people: GetPersonView combines
// a person's records by replaying their events in recorded order, so a link or an unlink
// reshapes the picture exactly as if the events had always been filed together or apart.
//
// ApplyRecords writes the view changes and the new positions in one WriteBatch, so after
// a crash the service resumes exactly where its state ends: no event applied twice, none
// skipped. Events are also deduplicated by (stream, version), because the bus delivers at
// least once. Each stream's events are applied strictly in version order: an event that
// arrives ahead of a missing version is held (durably) and a gap is reported until the
// missing one arrives, which releases it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/bus/event_bus.h"
#include "common/time_util.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "safeguard/v1/disclosure_service.pb.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/meeting_service.pb.h"
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
  // Opens the state at `path` to read only, as it stands at this moment (an auditor
  // comparing it with a rebuild; mappa-service may keep running). Nothing can be applied.
  static absl::StatusOr<std::unique_ptr<RiskViewStore>> OpenReadOnly(const std::string& path);

  // Applies `records` in order, in one atomic write with their positions, then brings
  // the stored alerts of every person they touched up to date (see UpdateAlerts). Not
  // thread-safe with itself or the alert updates (one consumer thread writes); safe with
  // the readers.
  absl::StatusOr<ApplyStats> ApplyRecords(const std::vector<BusRecord>& records);

  // The next offset to consume for (topic, partition); 0 when none is stored.
  absl::StatusOr<int64_t> Position(const std::string& topic, int32_t partition);

  // The record key a reference ("pnc:...", "visor:...") belongs to; kNotFound if none.
  absl::StatusOr<std::string> ResolveReference(const std::string& reference);

  // The stored view of one record (facts only; call ComputeAsOf for the rest).
  absl::StatusOr<safeguard::v1::RiskView> GetView(const std::string& record_key);

  // The records of the person `record_key` belongs to, best key first (see
  // BetterRecordKey); just {record_key} when it is linked to none.
  absl::StatusOr<std::vector<std::string>> PersonRecords(const std::string& record_key);

  // The picture of the person `record_key` belongs to (facts only): subject_key is the
  // person's key, linked_records and identity_links are filled. kNotFound if no such record.
  absl::StatusOr<safeguard::v1::RiskView> GetPersonView(const std::string& record_key);

  // Up to `page_size` timeline entries of the person `record_key` belongs to, after
  // `page_token` (empty for the first page). kInvalidArgument naming "page_token" when
  // the token is not one this store issued.
  absl::StatusOr<safeguard::v1::GetTimelineResponse> GetTimeline(const std::string& record_key,
                                                                 uint32_t page_size,
                                                                 const std::string& page_token);

  // One identity link; kNotFound if no evidence or decision has mentioned it.
  absl::StatusOr<safeguard::v1::IdentityLink> GetLink(const std::string& link_id);

  // Links with `status` (CANDIDATE: only those whose records are not already one person),
  // by link id, up to `page_size` after `page_token`, each with its records' identities.
  absl::StatusOr<safeguard::v1::ListIdentityLinksResponse> ListLinks(
      safeguard::v1::IdentityLinkStatus status, uint32_t page_size, const std::string& page_token);

  // --- Disclosure scheme cases (police's, folded from the bus by common/disclosure) ---

  // One case as its events make it; kNotFound if no event of it has arrived.
  absl::StatusOr<safeguard::v1::DisclosureCase> GetCase(const std::string& case_ref);

  // Calls `visit` with every case, by case ref, from the first after `after` (empty: from
  // the start) until `visit` returns false.
  absl::Status VisitCases(const std::string& after,
                          const std::function<bool(const safeguard::v1::DisclosureCase&)>& visit);

  // --- MAPPA meetings (mappa-service's own, folded from mappa.events by meeting.h) ---

  // One meeting; kNotFound if no record of it has arrived.
  absl::StatusOr<safeguard::v1::MappaMeeting> GetMeeting(const std::string& meeting_ref);

  // Calls `visit` with the facts of every person (as GetPersonView, without links) whose
  // key sorts after `after` (empty: from the start), by person key, until it returns false.
  absl::Status VisitPeople(const std::string& after,
                           const std::function<bool(const safeguard::v1::RiskView&)>& visit);

  // Calls `visit` with every meeting, by meeting ref, until it returns false.
  absl::Status VisitMeetings(const std::function<bool(const safeguard::v1::MappaMeeting&)>& visit);

  // --- Alerts ---

  // Recomputes, as of today, the alerts of the people `record_keys` belong to, stores
  // what changed and appends each change to the change log. Alerts stored under a key
  // that is no longer its person's key (after a link) are cleared.
  absl::Status UpdateAlerts(const std::set<std::string>& record_keys);

  // Recomputes every person's alerts as of today (time alone raises and clears some),
  // and clears stored alerts of keys that are no longer a person's.
  absl::Status ReevaluateAllAlerts();

  // The current alerts (of `rule` only, unless unspecified), by subject key then rule.
  absl::StatusOr<safeguard::v1::ListAlertsResponse> ListAlerts(safeguard::v1::AlertRule rule,
                                                               uint32_t page_size,
                                                               const std::string& page_token);

  // Up to `limit` alert changes after `after_sequence`.
  absl::StatusOr<std::vector<safeguard::v1::AlertChange>> AlertChangesAfter(uint64_t after_sequence,
                                                                          size_t limit);

  // The last alert change's sequence (0 before any).
  uint64_t AlertSequence() const;

  // Blocks until an alert change after `after_sequence` exists or `timeout` passes;
  // true if one exists.
  bool WaitForAlertChange(uint64_t after_sequence, absl::Duration timeout);

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

  // The stored link, or an empty one (no link_id) when there is none.
  absl::StatusOr<safeguard::v1::IdentityLink> LoadLink(const std::string& link_id);
  // The ids of every link that mentions `record_key`.
  absl::StatusOr<std::vector<std::string>> LinkIdsOf(const std::string& record_key);
  // The person's picture built from `records`' events in recorded order.
  absl::StatusOr<safeguard::v1::RiskView> CombinedView(const std::vector<std::string>& records);
  // The facts of the person whose records (best first) are `records`: the stored view of
  // a lone record, else CombinedView. No links filled.
  absl::StatusOr<safeguard::v1::RiskView> FactsOf(const std::vector<std::string>& records);
  // Brings the stored alerts under `person_key` to `now_holding`, in `batch`, logging
  // each change under the next `*sequence`.
  absl::Status ReplaceAlerts(const std::string& person_key, std::vector<safeguard::v1::Alert> now_holding,
                             absl::Time at, rocksdb::WriteBatch* batch, uint64_t* sequence);
  // Writes `batch` (alert changes) and wakes the watchers.
  absl::Status CommitAlerts(rocksdb::WriteBatch* batch, uint64_t last_sequence);

  std::unique_ptr<rocksdb::DB> db_;
  const Clock clock_;

  // The alert change log's last sequence: written by the one writer, read by watchers.
  mutable std::mutex alert_mu_;
  std::condition_variable alert_cv_;
  uint64_t alert_sequence_ = 0;  // guarded by alert_mu_; the writer's next is this + 1
  struct {
    std::atomic<uint64_t> applied{0}, duplicates{0}, parked{0}, released{0}, unreadable{0};
  } counters_;
};

}  // namespace safeguard::mappa
