#include "services/mappa/meetings/meeting.h"

#include <algorithm>
#include <array>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/provenance.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;
using safeguard::v1::EventEnvelope;
using safeguard::v1::MappaMeeting;

constexpr char kSuffixPrefix[] = "meeting/";
constexpr char kStreamPrefix[] = "mappa/meeting/";

v1::AgendaItem* FindItemMutable(MappaMeeting* m, const std::string& item_ref) {
  for (auto& item : *m->mutable_agenda()) {
    if (item.item().item_ref() == item_ref) return &item;
  }
  return nullptr;
}

}  // namespace

std::string MeetingStreamSuffix(const std::string& meeting_ref) { return absl::StrCat(kSuffixPrefix, meeting_ref); }

std::string MeetingRefOf(const std::string& stream_id) {
  if (!absl::StartsWith(stream_id, kStreamPrefix)) return "";
  return stream_id.substr(sizeof(kStreamPrefix) - 1);
}

bool IsMeetingEvent(const EventEnvelope& e) {
  const int n = static_cast<int>(e.payload_case());
  return n >= EventEnvelope::kMappaMeetingScheduled && n <= 429;
}

bool IsMeetingAgency(const std::string& agency) {
  static constexpr std::array<absl::string_view, 11> kAgencies = {
      "adult-social-care", "childrens-services", "education", "electronic-monitoring", "health", "housing",
      "jobcentre-plus",    "police",             "prison",    "probation",             "youth-justice"};
  return std::find(kAgencies.begin(), kAgencies.end(), agency) != kAgencies.end();
}

const v1::AgendaItem* FindItem(const MappaMeeting& m, const std::string& item_ref) {
  for (const auto& item : m.agenda()) {
    if (item.item().item_ref() == item_ref) return &item;
  }
  return nullptr;
}

absl::Status CheckMeetingStep(const MappaMeeting& m, const EventEnvelope& e) {
  const std::string ref = m.meeting_ref().empty() ? MeetingRefOf(e.stream_id()) : m.meeting_ref();
  if (e.has_mappa_meeting_scheduled()) {
    if (m.version() > 0) return absl::AlreadyExistsError(absl::StrCat("header.meeting_ref: meeting ", ref, " is already scheduled"));
    return absl::OkStatus();
  }
  if (m.version() == 0) {
    return absl::NotFoundError(absl::StrCat("header.meeting_ref: no meeting ", ref, " is scheduled"));
  }
  if (m.state() == v1::MEETING_MINUTED) {
    return absl::FailedPreconditionError(
        absl::StrCat("header.meeting_ref: meeting ", ref, " is minuted; nothing more is recorded on it"));
  }
  switch (e.payload_case()) {
    case EventEnvelope::kMeetingAttendanceRecorded:
      return absl::OkStatus();
    case EventEnvelope::kMeetingAgendaItemAdded:
      if (FindItem(m, e.meeting_agenda_item_added().item_ref()) != nullptr) {
        return absl::AlreadyExistsError(absl::StrCat("item.item_ref: '", e.meeting_agenda_item_added().item_ref(),
                                                     "' is already on the agenda of ", ref));
      }
      return absl::OkStatus();
    case EventEnvelope::kMappaSubjectReviewed: {
      const v1::AgendaItem* item = FindItem(m, e.mappa_subject_reviewed().item_ref());
      if (item == nullptr || item->item().subject_key().empty()) {
        return absl::FailedPreconditionError(absl::StrCat("review.item_ref: '", e.mappa_subject_reviewed().item_ref(),
                                                          "' is not a subject on the agenda of ", ref));
      }
      if (item->has_review()) {
        return absl::FailedPreconditionError(
            absl::StrCat("review.item_ref: '", e.mappa_subject_reviewed().item_ref(), "' is already decided"));
      }
      return absl::OkStatus();
    }
    case EventEnvelope::kMeetingDisclosureCaseDiscussed: {
      const v1::AgendaItem* item = FindItem(m, e.meeting_disclosure_case_discussed().item_ref());
      if (item == nullptr || item->item().case_ref().empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("discussion.item_ref: '", e.meeting_disclosure_case_discussed().item_ref(),
                         "' is not a disclosure case on the agenda of ", ref));
      }
      if (item->has_discussion()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "discussion.item_ref: '", e.meeting_disclosure_case_discussed().item_ref(), "' is already decided"));
      }
      return absl::OkStatus();
    }
    case EventEnvelope::kMeetingMinutesRecorded:
      if (m.attendance().attendees().empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("minutes: meeting ", ref, " has no attendance recorded; record who attended first"));
      }
      for (const auto& item : m.agenda()) {
        if (!item.has_review() && !item.has_discussion()) {
          return absl::FailedPreconditionError(absl::StrCat("minutes: agenda item '", item.item().item_ref(),
                                                            "' of ", ref, " has no decision recorded"));
        }
      }
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError("event: is not a record of a MAPPA meeting");
  }
}

void ApplyMeetingStep(const EventEnvelope& e, MappaMeeting* m) {
  if (m->meeting_ref().empty()) m->set_meeting_ref(MeetingRefOf(e.stream_id()));
  m->set_version(e.stream_version());
  *m->add_history() = ProvenanceOf(e);
  switch (e.payload_case()) {
    case EventEnvelope::kMappaMeetingScheduled:
      *m->mutable_scheduled() = e.mappa_meeting_scheduled();
      m->set_state(v1::MEETING_SCHEDULED);
      break;
    case EventEnvelope::kMeetingAttendanceRecorded:
      *m->mutable_attendance() = e.meeting_attendance_recorded();
      break;
    case EventEnvelope::kMeetingAgendaItemAdded:
      *m->add_agenda()->mutable_item() = e.meeting_agenda_item_added();
      break;
    case EventEnvelope::kMappaSubjectReviewed:
      if (v1::AgendaItem* item = FindItemMutable(m, e.mappa_subject_reviewed().item_ref())) {
        *item->mutable_review() = e.mappa_subject_reviewed();
      }
      break;
    case EventEnvelope::kMeetingDisclosureCaseDiscussed:
      if (v1::AgendaItem* item = FindItemMutable(m, e.meeting_disclosure_case_discussed().item_ref())) {
        *item->mutable_discussion() = e.meeting_disclosure_case_discussed();
      }
      break;
    case EventEnvelope::kMeetingMinutesRecorded:
      *m->mutable_minutes() = e.meeting_minutes_recorded();
      m->set_state(v1::MEETING_MINUTED);
      break;
    default:
      break;
  }
}

}  // namespace safeguard::mappa
