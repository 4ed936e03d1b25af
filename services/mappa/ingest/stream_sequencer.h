// Exactly once, in order: the bus delivers at least once and may reorder a stream's
// events across partitions and publish retries, so every event is admitted here first.
// An event that is its stream's next version is applied, then every later one it
// releases; one already applied (same stream and version) is a duplicate and skipped; one
// ahead of a missing version is held (durably) and a gap reported until the missing one
// arrives. The last applied version of each stream and the consumed bus positions are
// written in the batch's transaction, with everything the events changed.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "common/bus/event_bus.h"
#include "common/time_util.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "safeguard/v1/operations.pb.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

struct ApplyStats {
  uint64_t applied = 0;      // applied to views (including released ones)
  uint64_t duplicates = 0;   // already applied or already waiting (same stream and version)
  uint64_t parked = 0;       // ahead of their stream: held until the missing version comes
  uint64_t released = 0;     // held earlier, applied now that their turn came
  uint64_t unreadable = 0;   // not an EventEnvelope: skipped and reported
  uint64_t awaiting_key = 0;  // sealed under a data key not yet read: held until it comes

  ApplyStats& operator+=(const ApplyStats& o);
};

class StreamSequencer {
 public:
  // Applies one event (parsed, and its bytes as the bus carried them).
  using Apply = std::function<absl::Status(const safeguard::v1::EventEnvelope& event, std::string_view bytes)>;

  // Works in `txn`, which must outlive the sequencer; counts into `stats`.
  StreamSequencer(Transaction* txn, Clock clock, ApplyStats* stats);

  // Admits `record`: applies it (through `apply`) and every successor it releases, skips
  // it, holds it, or (not an event) reports and skips it. Either way its position counts
  // as consumed.
  absl::Status Admit(const BusRecord& record, const Apply& apply);

  // The parts of Admit, for a caller that reads the record itself (the projector opens
  // sealed events first): `record`'s position counts as consumed; `record` is reported
  // and skipped as unreadable (`why`); event `e`, `bytes` as it is to be kept, is admitted
  // in the order of its stream, which the bus carried as `stream` (its stored name, a
  // pseudonym: sealed or opened, an event keeps its place).
  void Consumed(const BusRecord& record);
  void Unreadable(const BusRecord& record, absl::string_view why);
  absl::Status AdmitEvent(const safeguard::v1::EventEnvelope& e, std::string_view bytes, const std::string& stream,
                          const Apply& apply);

  // Writes the streams' versions and the consumed positions into the transaction.
  void Finish();

  // --- Reads, of a snapshot or a transaction ---
  // The next offset to consume for (topic, partition); 0 when none is stored.
  static absl::StatusOr<int64_t> Position(const StateReader& state, const std::string& topic, int32_t partition);
  static absl::StatusOr<std::vector<safeguard::v1::ConsumerPosition>> Positions(const StateReader& state);
  // Up to `max` open gaps: versions some stream is waiting for.
  static absl::StatusOr<std::vector<safeguard::v1::GapReport>> Gaps(const StateReader& state, size_t max);
  // How many events are held waiting for an earlier version of their stream.
  static absl::StatusOr<uint64_t> EventsWaiting(const StateReader& state);

 private:
  absl::StatusOr<safeguard::v1::AppliedVersion*> Stream(const std::string& stream_id);
  // Holds `e` (bytes `bytes`) until its turn; reports the gap before it once.
  absl::Status Park(const safeguard::v1::EventEnvelope& e, std::string_view bytes, const std::string& stream,
                    safeguard::v1::AppliedVersion* applied);
  // Reports the version `stream` now waits for, if any of its events are held.
  absl::Status ReportGap(const std::string& stream, const safeguard::v1::AppliedVersion& applied, uint64_t seen);

  Transaction* const txn_;
  const Clock clock_;
  ApplyStats* const stats_;
  std::unordered_map<std::string, safeguard::v1::AppliedVersion> streams_;  // this batch's
  std::map<std::pair<std::string, int32_t>, int64_t> positions_;
};

}  // namespace safeguard::mappa
