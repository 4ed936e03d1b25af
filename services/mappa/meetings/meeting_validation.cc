#include "services/mappa/meetings/meeting_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/disclosure/scheme_config.h"
#include "common/status_macros.h"
#include "common/time_util.h"
#include "common/validation.h"
#include "services/mappa/meetings/meeting.h"
#include "services/mappa/reads/subject_lookup.h"

namespace safeguard::mappa {
namespace {

namespace v = safeguard::validation;
namespace v1 = safeguard::v1;
using agency::ValidatedCommand;

constexpr size_t kTextMax = 4000;
constexpr size_t kMinutesMax = 64000;
constexpr int kMaxAttendees = 60;
constexpr int kMaxActions = 50;

absl::Status Agency(const std::string& field, const std::string& agency) {
  if (!IsMeetingAgency(agency)) {
    return v::FieldError(field, "is not an agency that sits at MAPPA meetings (see docs/disclosure-scheme.md)");
  }
  return absl::OkStatus();
}

absl::Status ItemRef(const std::string& field, const std::string& value) {
  bool ok = !value.empty() && value.size() <= 16;
  for (char c : value) ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.');
  if (!ok) return v::FieldError(field, "must be 1-16 letters, digits, '-' or '.'");
  return absl::OkStatus();
}

absl::Status Moment(const std::string& field, const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return v::FieldError(field, "is required");
  if (t.nanos() < 0 || t.nanos() > 999999999) return v::FieldError(field, "is not a valid timestamp");
  return absl::OkStatus();
}

// The header: command id and meeting ref; the stream suffix and bus key.
template <typename Request>
absl::StatusOr<ValidatedCommand> Header(const Request& r, absl::CivilDay today) {
  RETURN_IF_ERROR(agency::CheckCommandSize(r));
  RETURN_IF_ERROR(v::CommandId("header.command_id", r.header().command_id()));
  ValidatedCommand out;
  ASSIGN_OR_RETURN(const std::string ref, disclosure::NormaliseCaseRef("header.meeting_ref", r.header().meeting_ref()));
  out.subject_key = MeetingStreamSuffix(ref);
  out.event.set_subject_key(absl::StrCat("meeting:", ref));
  out.occurred_on = today;
  return out;
}

}  // namespace

absl::StatusOr<ValidatedCommand> Validate(const v1::ScheduleMeetingRequest& r, absl::CivilDay today) {
  ASSIGN_OR_RETURN(ValidatedCommand out, Header(r, today));
  if (!r.has_meeting()) return v::FieldError("meeting", "is required");
  const v1::MappaMeetingScheduled& m = r.meeting();
  RETURN_IF_ERROR(Moment("meeting.meeting_at", m.meeting_at()));
  if (m.level() != 2 && m.level() != 3) {
    return v::FieldError("meeting.level", "must be 2 or 3 (level 1 cases are managed by the lead agency alone)");
  }
  if (!disclosure::IsForce(m.force())) {
    return v::FieldError("meeting.force", "is not a police force of England and Wales");
  }
  RETURN_IF_ERROR(v::RequireText("meeting.chair", m.chair(), v::kNameMax));
  RETURN_IF_ERROR(v::OptionalText("meeting.venue", m.venue(), v::kNameMax));
  out.event_type = "mappa.MeetingScheduled";
  *out.event.mutable_mappa_meeting_scheduled() = m;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordAttendanceRequest& r, absl::CivilDay today) {
  ASSIGN_OR_RETURN(ValidatedCommand out, Header(r, today));
  const v1::MeetingAttendanceRecorded& a = r.attendance();
  if (a.attendees().empty()) return v::FieldError("attendance.attendees", "needs at least one attendee");
  RETURN_IF_ERROR(v::MaxCount("attendance.attendees", a.attendees_size(), kMaxAttendees));
  for (int i = 0; i < a.attendees_size(); ++i) {
    const std::string base = v::Element("attendance.attendees", i);
    RETURN_IF_ERROR(v::RequireText(base + ".name", a.attendees(i).name(), v::kNameMax));
    RETURN_IF_ERROR(v::RequireText(base + ".role", a.attendees(i).role(), v::kNameMax));
    RETURN_IF_ERROR(Agency(base + ".agency", a.attendees(i).agency()));
  }
  for (int i = 0; i < a.apologies_size(); ++i) RETURN_IF_ERROR(Agency(v::Element("attendance.apologies", i), a.apologies(i)));
  out.event_type = "mappa.MeetingAttendanceRecorded";
  *out.event.mutable_meeting_attendance_recorded() = a;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::AddAgendaItemRequest& r, absl::CivilDay today) {
  ASSIGN_OR_RETURN(ValidatedCommand out, Header(r, today));
  v1::MeetingAgendaItemAdded item = r.item();
  RETURN_IF_ERROR(ItemRef("item.item_ref", item.item_ref()));
  if (!item.subject_key().empty()) return v::FieldError("item.subject_key", "is filled by mappa-service; leave it unset");
  const bool has_subject = item.has_subject();
  if (has_subject == !item.case_ref().empty()) {
    return v::FieldError("item.subject", "give either a subject or a case_ref");
  }
  if (has_subject) {
    RETURN_IF_ERROR(LookupReference(item.subject(), "item.subject").status());
  } else {
    ASSIGN_OR_RETURN(*item.mutable_case_ref(), disclosure::NormaliseCaseRef("item.case_ref", item.case_ref()));
  }
  RETURN_IF_ERROR(v::OptionalText("item.note", item.note(), kTextMax));
  out.event_type = "mappa.MeetingAgendaItemAdded";
  *out.event.mutable_meeting_agenda_item_added() = std::move(item);
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordSubjectReviewRequest& r, absl::CivilDay today) {
  ASSIGN_OR_RETURN(ValidatedCommand out, Header(r, today));
  const v1::MappaSubjectReviewed& review = r.review();
  RETURN_IF_ERROR(ItemRef("review.item_ref", review.item_ref()));
  if (!review.meeting_ref().empty() || !review.reviewed_on().empty()) {
    return v::FieldError("review.meeting_ref", "meeting_ref and reviewed_on are filled by mappa-service");
  }
  if (review.category() < 1 || review.category() > 3) return v::FieldError("review.category", "must be 1, 2 or 3");
  if (review.level() < 1 || review.level() > 3) return v::FieldError("review.level", "must be 1, 2 or 3");
  RETURN_IF_ERROR(v::MaxCount("review.actions", review.actions_size(), kMaxActions));
  for (int i = 0; i < review.actions_size(); ++i) {
    const std::string base = v::Element("review.actions", i);
    RETURN_IF_ERROR(v::RequireText(base + ".action", review.actions(i).action(), kTextMax));
    RETURN_IF_ERROR(Agency(base + ".owner_agency", review.actions(i).owner_agency()));
    if (!review.actions(i).due_date().empty()) {
      RETURN_IF_ERROR(v::RequireDate(base + ".due_date", review.actions(i).due_date()).status());
    }
  }
  if (review.disclosure_considered()) {
    RETURN_IF_ERROR(v::RequireEnum("review.disclosure_decision", review.disclosure_decision(),
                                   v1::S327aDecision_descriptor()));
    RETURN_IF_ERROR(v::RequireText("review.disclosure_rationale", review.disclosure_rationale(), kTextMax));
  } else if (review.disclosure_decision() != v1::S327A_DECISION_UNSPECIFIED || review.presumption_to_disclose_noted()) {
    return v::FieldError("review.disclosure_considered", "must be true when a disclosure decision is recorded");
  }
  if (!review.next_review_due().empty()) {
    RETURN_IF_ERROR(v::RequireDate("review.next_review_due", review.next_review_due()).status());
  }
  out.event_type = "mappa.SubjectReviewed";
  *out.event.mutable_mappa_subject_reviewed() = review;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordCaseDiscussionRequest& r, absl::CivilDay today) {
  ASSIGN_OR_RETURN(ValidatedCommand out, Header(r, today));
  const v1::MeetingDisclosureCaseDiscussed& d = r.discussion();
  RETURN_IF_ERROR(ItemRef("discussion.item_ref", d.item_ref()));
  if (!d.meeting_ref().empty() || !d.case_ref().empty()) {
    return v::FieldError("discussion.case_ref", "meeting_ref and case_ref are filled by mappa-service");
  }
  RETURN_IF_ERROR(v::RequireEnum("discussion.recommendation", d.recommendation(), v1::DisclosureOutcome_descriptor()));
  RETURN_IF_ERROR(v::RequireText("discussion.rationale", d.rationale(), kTextMax));
  if (d.recommendation() == v1::NO_DISCLOSURE) {
    if (!d.recommended_wording().empty()) {
      return v::FieldError("discussion.recommended_wording", "must be empty when nothing is to be disclosed");
    }
  } else {
    RETURN_IF_ERROR(v::RequireText("discussion.recommended_wording", d.recommended_wording(), kTextMax));
    if (d.recommended_recipients().empty()) {
      return v::FieldError("discussion.recommended_recipients", "must say who should be told");
    }
  }
  for (int i = 0; i < d.recommended_recipients_size(); ++i) {
    RETURN_IF_ERROR(
        v::RequireText(v::Element("discussion.recommended_recipients", i), d.recommended_recipients(i), v::kNameMax));
  }
  out.event_type = "mappa.DisclosureCaseDiscussed";
  *out.event.mutable_meeting_disclosure_case_discussed() = d;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordMinutesRequest& r, absl::Time now) {
  ASSIGN_OR_RETURN(ValidatedCommand out, Header(r, DayOf(now)));
  RETURN_IF_ERROR(Moment("minutes.at", r.minutes().at()));
  if (FromProtoTimestamp(r.minutes().at()) > now + kClockSkew) return v::FieldError("minutes.at", "is in the future");
  RETURN_IF_ERROR(v::RequireText("minutes.minutes", r.minutes().minutes(), kMinutesMax));
  out.occurred_at = FromProtoTimestamp(r.minutes().at());
  out.occurred_on = DayOf(*out.occurred_at);
  out.event_type = "mappa.MeetingMinutesRecorded";
  *out.event.mutable_meeting_minutes_recorded() = r.minutes();
  return out;
}

}  // namespace safeguard::mappa
