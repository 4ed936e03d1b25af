#include "services/mappa/meetings/meeting_folder.h"

#include "common/status_macros.h"
#include "services/mappa/meetings/meeting.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {
namespace {

std::string MeetingKey(const std::string& meeting_ref) { return prefix::kMeeting + meeting_ref; }

}  // namespace

absl::Status MeetingFolder::Apply(const safeguard::v1::EventEnvelope& e) {
  const std::string ref = MeetingRefOf(e.stream_id());
  auto it = meetings_.find(ref);
  if (it == meetings_.end()) {
    ASSIGN_OR_RETURN(std::optional<safeguard::v1::MappaMeeting> stored,
                     GetMessage<safeguard::v1::MappaMeeting>(*txn_, MeetingKey(ref), "meeting"));
    it = meetings_.emplace(ref, stored.value_or(safeguard::v1::MappaMeeting())).first;
  }
  ApplyMeetingStep(e, &it->second);
  return absl::OkStatus();
}

void MeetingFolder::Flush() {
  for (const auto& [ref, m] : meetings_) txn_->Put(MeetingKey(ref), m.SerializeAsString());
}

absl::StatusOr<std::optional<safeguard::v1::MappaMeeting>> GetMeeting(const StateReader& state,
                                                                     const std::string& meeting_ref) {
  return GetMessage<safeguard::v1::MappaMeeting>(state, MeetingKey(meeting_ref), "meeting");
}

absl::Status VisitMeetings(const StateReader& state,
                           const std::function<bool(const safeguard::v1::MappaMeeting&)>& visit,
                           const std::string& after) {
  absl::Status parsed;
  const std::string start = after.empty() ? "" : MeetingKey(after);
  RETURN_IF_ERROR(state.Scan(prefix::kMeeting, start, [&](std::string_view key, std::string_view value) {
    if (!after.empty() && key == start) return true;
    safeguard::v1::MappaMeeting m;
    if (!m.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parsed = absl::DataLossError("stored meeting is unreadable");
      return false;
    }
    return visit(m);
  }));
  return parsed;
}

}  // namespace safeguard::mappa
