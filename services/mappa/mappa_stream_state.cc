#include "services/mappa/mappa_stream_state.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/mappa/identity/identity.h"
#include "services/mappa/meetings/meeting.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;

constexpr char kMeetingEntry[] = "meeting";
constexpr char kDecisionEntry[] = "decision";

}  // namespace

absl::StatusOr<v1::MappaMeeting> MeetingOf(const StreamState& state) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, state.Get(kMeetingEntry));
  v1::MappaMeeting m;
  if (bytes.has_value() && !m.ParseFromString(*bytes)) return absl::DataLossError("stored meeting is unreadable");
  return m;
}

absl::StatusOr<v1::IdentityLinkStatus> LastDecisionOf(const StreamState& state) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, state.Get(kDecisionEntry));
  int decision = 0;
  if (value.has_value() && (!absl::SimpleAtoi(*value, &decision) || !v1::IdentityLinkStatus_IsValid(decision))) {
    return absl::DataLossError("stored identity decision is unreadable");
  }
  return static_cast<v1::IdentityLinkStatus>(decision);
}

absl::Status MappaStreamFolder::Apply(const v1::EventEnvelope& e, StreamState& state) const {
  if (IsMeetingEvent(e)) {
    ASSIGN_OR_RETURN(v1::MappaMeeting m, MeetingOf(state));
    ApplyMeetingStep(e, &m);
    state.Put(kMeetingEntry, m.SerializeAsString());
  }
  if (std::optional<IdentityDecision> d = IdentityDecisionOf(e)) {
    state.Put(kDecisionEntry, absl::StrCat(static_cast<int>(d->decision)));
  }
  return absl::OkStatus();
}

}  // namespace safeguard::mappa
