// Each person's picture: the facts of all their records' events, folded in recorded order
// (projection/risk_projection.h), stored whole, so that a read of a person is one look-up.
// An event that comes after everything its person's picture holds (the usual case) is
// folded in at once; one that comes earlier in recorded order than what is folded, or a
// person whose records changed (a link or an unlink), is folded again from its records'
// events once at the end of the batch, so the picture never depends on how the topics
// interleaved. The lists that only grow with history (intelligence, concerns, referrals)
// are stored to their newest kKeptPerList entries, with a count of the rest, so that
// folding one more event reads and writes the same bytes however long the history;
// PersonFactsInFull folds a person's whole lists again for the read that asks for them.
// Also kept: the s.327A list, the child sex offenders managed under MAPPA
// whose disclosure was not considered at the latest review.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "safeguard/v1/meeting_service.pb.h"
#include "services/mappa/identity/identity_index.h"
#include "services/mappa/projection/record_events.h"
#include "services/mappa/state/state_reader.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

// Entries of each growing list a stored picture keeps (the newest). Above the most that
// GetRiskView shows of a list, so the answer to it never needs more than what is stored.
inline constexpr int kKeptPerList = 100;

// What a batch did to the pictures.
struct PictureChanges {
  std::map<std::string, const safeguard::v1::RiskView*> changed;  // person key -> new facts
  std::vector<std::string> gone;                                  // person keys no longer any person's
};

class PersonFolder {
 public:
  // kFold: each event is folded into its person's picture. kFileOnly (a rebuild's filing,
  // projector.h): events are filed and nothing is folded; Flush is not called, and each
  // picture is folded once later (a Flush of its person as reshaped).
  enum class Mode { kFold, kFileOnly };

  // Works in `txn`, asking `identity` who is who; both must outlive the folder.
  PersonFolder(Transaction* txn, IdentityFolder* identity, Mode mode = Mode::kFold)
      : txn_(txn), identity_(identity), mode_(mode), events_(txn) {}

  // Files `e` (stored bytes `bytes`) under `record`, and folds it into its person's
  // picture (kFold).
  absl::Status Apply(const std::string& record, const safeguard::v1::EventEnvelope& e, std::string_view bytes);

  // Erasure (ingest/erasure.h): events were taken out of `record`; its person's picture
  // is folded again at Flush from what is left (and goes, when nothing is).
  absl::Status Refold(const std::string& record);

  // Adds `e` to `record`'s timeline without making it one of its facts.
  void Mention(const std::string& record, const safeguard::v1::EventEnvelope& e, std::string_view bytes) {
    events_.Mention(record, e, bytes);
  }

  // After identity's Flush: folds again what needs it and writes every changed picture.
  // The returned pointers are valid while the folder is.
  absl::StatusOr<PictureChanges> Flush(const Reshaped& reshaped);

 private:
  struct Picture {
    safeguard::v1::StoredPicture stored;  // the facts, as they will be written
    safeguard::v1::RiskView& view() { return *stored.mutable_facts(); }
    bool was_due = false;   // on the s.327A list when loaded
    bool dirty = false;
    bool refold = false;
  };
  absl::StatusOr<Picture*> Load(const std::string& person_key);

  Transaction* const txn_;
  IdentityFolder* const identity_;
  const Mode mode_;
  RecordEventsWriter events_;
  std::map<std::string, Picture> pictures_;  // this batch's, by person key
};

// --- Reads ---

// The stored facts of the person whose key is `person_key`; nullopt when there is none.
// A list stored to its newest entries is named in `shortened_sections` with its total.
absl::StatusOr<std::optional<safeguard::v1::RiskView>> PersonFacts(const StateReader& state,
                                                                  const std::string& person_key);

// The whole facts of the person made of `records` (every list entire), folded again from
// the records' events; nullopt when they have none. Costs the person's whole history:
// for a read that pages through a list the stored picture shortened.
absl::StatusOr<std::optional<safeguard::v1::RiskView>> PersonFactsInFull(const StateReader& state,
                                                                        const std::string& person_key,
                                                                        const std::vector<std::string>& records);

// Calls `visit` with the facts of every person whose key sorts after `after` (empty: from
// the start), by person key, until it returns false.
absl::Status VisitPeople(const StateReader& state, const std::string& after,
                         const std::function<bool(const safeguard::v1::RiskView&)>& visit);

// Up to `page_size` people on the s.327A list after `page_token`, by person key.
absl::StatusOr<safeguard::v1::ListDisclosureNotConsideredResponse> DisclosureNotConsidered(
    const StateReader& state, uint32_t page_size, const std::string& page_token);

}  // namespace safeguard::mappa
