// Each record's events, kept so that a person's picture can be folded again from them
// (when records are linked or unlinked, or an event arrives out of recorded order), and
// each record's timeline, ordered by when things happened in the world. An event is
// stored once, as the bus carried it; the timeline points at it. A MAPPA identity
// decision is in the timelines of both records it names, but is an event of neither.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "services/mappa/state/state_reader.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

// Writes a record's events and timeline entries into a transaction.
class RecordEventsWriter {
 public:
  explicit RecordEventsWriter(Transaction* txn) : txn_(txn) {}

  // Files `e` (whose stored bytes are `bytes`) under `record`, in its timeline too.
  void File(const std::string& record, const safeguard::v1::EventEnvelope& e, std::string_view bytes);
  // Adds `e`, which is not one of `record`'s events, to its timeline.
  void Mention(const std::string& record, const safeguard::v1::EventEnvelope& e, std::string_view bytes);

 private:
  Transaction* const txn_;
};

// Erasure (ingest/erasure.h): takes every event of `agency` filed under `record` out of
// its events, its timeline and its corrections' notes, in `txn`; returns them. When no
// event of the record is left, its timeline goes whole (what mentioned it too).
absl::StatusOr<std::vector<safeguard::v1::EventEnvelope>> UnfileAgencyEvents(Transaction* txn,
                                                                            const std::string& record,
                                                                            safeguard::v1::Agency agency);

// Every event of `records`, in recorded order (the order their pictures fold them in).
absl::StatusOr<std::vector<safeguard::v1::EventEnvelope>> EventsOf(const StateReader& state,
                                                                   const std::vector<std::string>& records);

// Up to `page_size` entries of the merged timelines of `records` after `page_token`
// (empty for the first page), ordered by when things happened. An entry that two of the
// records share (an identity decision) is shown once. kInvalidArgument naming
// "page_token" for a token this did not give.
absl::StatusOr<safeguard::v1::GetTimelineResponse> TimelineOf(const StateReader& state,
                                                             const std::vector<std::string>& records,
                                                             uint32_t page_size, const std::string& page_token);

}  // namespace safeguard::mappa
