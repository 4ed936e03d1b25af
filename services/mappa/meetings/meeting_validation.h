// Validation of MAPPA meeting commands (meeting_service.proto), on the request alone: each
// checks every field and returns kInvalidArgument naming every bad one, or the record
// ready to append (stream suffix "meeting/<ref>", bus key "meeting:<ref>", payload). What
// depends on the meeting or on the views (the meeting has happened; the agenda's subject
// resolved to a person; the review's date and the presumption to disclose) is
// MeetingCommands' business. Pure and thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/agency/command_validation.h"
#include "safeguard/v1/meeting_service.pb.h"

namespace safeguard::mappa {

absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::ScheduleMeetingRequest& r, absl::CivilDay today);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordAttendanceRequest& r, absl::CivilDay today);
// The item's subject is checked as a reference; subject_key is left for the commands to fill.
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::AddAgendaItemRequest& r, absl::CivilDay today);
// meeting_ref and reviewed_on are left for the commands to fill from the meeting.
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordSubjectReviewRequest& r,
                                                  absl::CivilDay today);
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordCaseDiscussionRequest& r,
                                                  absl::CivilDay today);
// `now` bounds the minutes' time.
absl::StatusOr<agency::ValidatedCommand> Validate(const safeguard::v1::RecordMinutesRequest& r, absl::Time now);

}  // namespace safeguard::mappa
