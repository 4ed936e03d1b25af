// MAPPA meetings as mappa-service holds them: each meeting folded from its records on
// mappa.events (meetings/meeting.h, the same fold MeetingCommands checks against). A
// review of a subject is also a fact about them, which the projection files in their
// picture.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/meeting_service.pb.h"
#include "services/mappa/state/state_reader.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

class MeetingFolder {
 public:
  explicit MeetingFolder(Transaction* txn) : txn_(txn) {}

  // Folds the record `e` into its meeting.
  absl::Status Apply(const safeguard::v1::EventEnvelope& e);
  // Writes every meeting the batch changed.
  void Flush();

 private:
  Transaction* const txn_;
  std::map<std::string, safeguard::v1::MappaMeeting> meetings_;  // this batch's, by meeting ref
};

// One meeting; nullopt if no record of it has arrived.
absl::StatusOr<std::optional<safeguard::v1::MappaMeeting>> GetMeeting(const StateReader& state,
                                                                     const std::string& meeting_ref);

// Calls `visit` with every meeting, by meeting ref, from the first after `after` (every
// one when empty), until it returns false.
absl::Status VisitMeetings(const StateReader& state, const std::function<bool(const safeguard::v1::MappaMeeting&)>& visit,
                           const std::string& after = "");

}  // namespace safeguard::mappa
