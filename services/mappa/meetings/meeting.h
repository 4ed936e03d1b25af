// A MAPPA meeting as its events make it, and which record it may take next. One fold
// serves the commands (MeetingCommands checks each against the meeting folded from its
// stream) and the reads (RiskViewStore folds the same events from mappa.events). Pure and
// thread-safe.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/meeting_service.pb.h"

namespace safeguard::mappa {

// The suffix of a meeting's stream under mappa-service's prefix: "meeting/<ref>".
std::string MeetingStreamSuffix(const std::string& meeting_ref);
// The meeting ref of a stream id "mappa/meeting/<ref>"; empty if it is not one.
std::string MeetingRefOf(const std::string& stream_id);

// Whether `e` is a record of a MAPPA meeting.
bool IsMeetingEvent(const safeguard::v1::EventEnvelope& e);

// Whether `agency` is one of the short names of the agencies that sit at MAPPA meetings.
bool IsMeetingAgency(const std::string& agency);

// OK when `m` (version 0 when it does not exist) may take `e`. Otherwise kAlreadyExists
// (a second schedule; an agenda item ref used twice), kNotFound (no such meeting),
// kFailedPrecondition naming the field (a minuted meeting; a decision on an item that is
// not on the agenda or is already decided; minutes before every item is decided).
absl::Status CheckMeetingStep(const safeguard::v1::MappaMeeting& m, const safeguard::v1::EventEnvelope& e);

void ApplyMeetingStep(const safeguard::v1::EventEnvelope& e, safeguard::v1::MappaMeeting* m);

// The agenda item `item_ref` of `m`, or nullptr.
const safeguard::v1::AgendaItem* FindItem(const safeguard::v1::MappaMeeting& m, const std::string& item_ref);

}  // namespace safeguard::mappa
