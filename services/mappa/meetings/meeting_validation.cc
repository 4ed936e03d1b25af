#include "services/mappa/meetings/meeting_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/disclosure/scheme_config.h"
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
  if (agency.empty()) return v::FieldError(field, "is required: an agency that sits at MAPPA meetings");
  if (!IsMeetingAgency(agency)) {
    return v::FieldError(field, "is not an agency that sits at MAPPA meetings (see docs/disclosure-scheme.md)");
  }
  return absl::OkStatus();
}

absl::Status ItemRef(const std::string& field, const std::string& value) {
  if (value.empty()) return v::FieldError(field, "is required (1-16 letters, digits, '-' or '.')");
  bool ok = value.size() <= 16;
  for (char c : value) ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.');
  if (!ok) return v::FieldError(field, "must be 1-16 letters, digits, '-' or '.'");
  return absl::OkStatus();
}

absl::Status Moment(const std::string& field, const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return v::FieldError(field, "is required");
  if (t.nanos() < 0 || t.nanos() > 999999999) return v::FieldError(field, "is not a valid timestamp");
  return absl::OkStatus();
}

absl::Status Level(const std::string& field, int value) {
  if (value == 0) return v::FieldError(field, "is required (1, 2 or 3)");
  if (value < 1 || value > 3) return v::FieldError(field, "must be 1, 2 or 3");
  return absl::OkStatus();
}

// The header: command id and meeting ref; the stream suffix and bus key. False when the
// request is too large to look at further.
template <typename Request>
bool Header(const Request& r, absl::CivilDay today, ValidatedCommand* out, v::Violations* problems) {
  if (!problems->Check(agency::CheckCommandSize(r))) return false;
  problems->Check(v::CommandId("header.command_id", r.header().command_id()));
  if (std::optional<std::string> ref =
          problems->Take(disclosure::NormaliseCaseRef("header.meeting_ref", r.header().meeting_ref()))) {
    out->subject_key = MeetingStreamSuffix(*ref);
    out->event.set_subject_key(absl::StrCat("meeting:", *ref));
  }
  out->occurred_on = today;
  return true;
}

}  // namespace

absl::StatusOr<ValidatedCommand> Validate(const v1::ScheduleMeetingRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Header(r, today, &out, &problems)) return problems.status();
  const v1::MappaMeetingScheduled& m = r.meeting();
  problems.Check(Moment("meeting.meeting_at", m.meeting_at()));
  if (m.level() == 0) {
    problems.Add("meeting.level", "is required (2 or 3)");
  } else if (m.level() != 2 && m.level() != 3) {
    problems.Add("meeting.level", "must be 2 or 3 (level 1 cases are managed by the lead agency alone)");
  }
  if (m.force().empty()) {
    problems.Add("meeting.force", "is required: a police force of England and Wales");
  } else if (!disclosure::IsForce(m.force())) {
    problems.Add("meeting.force", "is not a police force of England and Wales");
  }
  problems.Check(v::RequireText("meeting.chair", m.chair(), v::kNameMax));
  problems.Check(v::OptionalText("meeting.venue", m.venue(), v::kNameMax));
  out.event_type = "mappa.MeetingScheduled";
  *out.event.mutable_mappa_meeting_scheduled() = m;
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordAttendanceRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Header(r, today, &out, &problems)) return problems.status();
  const v1::MeetingAttendanceRecorded& a = r.attendance();
  if (a.attendees().empty()) problems.Add("attendance.attendees", "needs at least one attendee");
  if (problems.Check(v::MaxCount("attendance.attendees", a.attendees_size(), kMaxAttendees))) {
    for (int i = 0; i < a.attendees_size(); ++i) {
      const std::string base = v::Element("attendance.attendees", i);
      problems.Check(v::RequireText(base + ".name", a.attendees(i).name(), v::kNameMax));
      problems.Check(v::RequireText(base + ".role", a.attendees(i).role(), v::kNameMax));
      problems.Check(Agency(base + ".agency", a.attendees(i).agency()));
    }
  }
  if (problems.Check(v::MaxCount("attendance.apologies", a.apologies_size(), kMaxAttendees))) {
    for (int i = 0; i < a.apologies_size(); ++i) problems.Check(Agency(v::Element("attendance.apologies", i), a.apologies(i)));
  }
  out.event_type = "mappa.MeetingAttendanceRecorded";
  *out.event.mutable_meeting_attendance_recorded() = a;
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::AddAgendaItemRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Header(r, today, &out, &problems)) return problems.status();
  v1::MeetingAgendaItemAdded item = r.item();
  problems.Check(ItemRef("item.item_ref", item.item_ref()));
  if (!item.subject_key().empty()) problems.Add("item.subject_key", "is filled by mappa-service; leave it unset");
  const bool has_subject = item.has_subject();
  if (has_subject == !item.case_ref().empty()) {
    problems.Add("item.subject", "give either a subject or a case_ref (item.case_ref)");
  } else if (has_subject) {
    problems.Check(LookupReference(item.subject(), "item.subject").status());
  } else if (std::optional<std::string> ref =
                 problems.Take(disclosure::NormaliseCaseRef("item.case_ref", item.case_ref()))) {
    item.set_case_ref(*ref);
  }
  problems.Check(v::OptionalText("item.note", item.note(), kTextMax));
  out.event_type = "mappa.MeetingAgendaItemAdded";
  *out.event.mutable_meeting_agenda_item_added() = std::move(item);
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordSubjectReviewRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Header(r, today, &out, &problems)) return problems.status();
  const v1::MappaSubjectReviewed& review = r.review();
  problems.Check(ItemRef("review.item_ref", review.item_ref()));
  if (!review.meeting_ref().empty()) problems.Add("review.meeting_ref", "is filled by mappa-service; leave it unset");
  if (!review.reviewed_on().empty()) problems.Add("review.reviewed_on", "is filled by mappa-service; leave it unset");
  problems.Check(Level("review.category", review.category()));
  problems.Check(Level("review.level", review.level()));
  if (problems.Check(v::MaxCount("review.actions", review.actions_size(), kMaxActions))) {
    for (int i = 0; i < review.actions_size(); ++i) {
      const std::string base = v::Element("review.actions", i);
      problems.Check(v::RequireText(base + ".action", review.actions(i).action(), kTextMax));
      problems.Check(Agency(base + ".owner_agency", review.actions(i).owner_agency()));
      if (!review.actions(i).due_date().empty()) {
        problems.Check(v::RequireDate(base + ".due_date", review.actions(i).due_date()).status());
      }
    }
  }
  if (review.disclosure_considered()) {
    problems.Check(v::RequireEnum("review.disclosure_decision", review.disclosure_decision(),
                                  v1::S327aDecision_descriptor()));
    problems.Check(v::RequireText("review.disclosure_rationale", review.disclosure_rationale(), kTextMax));
  } else if (review.disclosure_decision() != v1::S327A_DECISION_UNSPECIFIED || review.presumption_to_disclose_noted()) {
    problems.Add("review.disclosure_considered", "must be true when a disclosure decision is recorded");
  }
  if (!review.next_review_due().empty()) {
    problems.Check(v::RequireDate("review.next_review_due", review.next_review_due()).status());
  }
  out.event_type = "mappa.SubjectReviewed";
  *out.event.mutable_mappa_subject_reviewed() = review;
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordCaseDiscussionRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Header(r, today, &out, &problems)) return problems.status();
  const v1::MeetingDisclosureCaseDiscussed& d = r.discussion();
  problems.Check(ItemRef("discussion.item_ref", d.item_ref()));
  if (!d.meeting_ref().empty()) problems.Add("discussion.meeting_ref", "is filled by mappa-service; leave it unset");
  if (!d.case_ref().empty()) problems.Add("discussion.case_ref", "is filled by mappa-service; leave it unset");
  problems.Check(v::RequireEnum("discussion.recommendation", d.recommendation(), v1::DisclosureOutcome_descriptor()));
  problems.Check(v::RequireText("discussion.rationale", d.rationale(), kTextMax));
  if (d.recommendation() == v1::NO_DISCLOSURE) {
    if (!d.recommended_wording().empty()) {
      problems.Add("discussion.recommended_wording", "must be empty when nothing is to be disclosed");
    }
  } else if (d.recommendation() != v1::DISCLOSURE_OUTCOME_UNSPECIFIED) {
    problems.Check(v::RequireText("discussion.recommended_wording", d.recommended_wording(), kTextMax));
    if (d.recommended_recipients().empty()) {
      problems.Add("discussion.recommended_recipients", "must say who should be told");
    }
  }
  if (problems.Check(v::MaxCount("discussion.recommended_recipients", d.recommended_recipients_size(), 10))) {
    for (int i = 0; i < d.recommended_recipients_size(); ++i) {
      problems.Check(
          v::RequireText(v::Element("discussion.recommended_recipients", i), d.recommended_recipients(i), v::kNameMax));
    }
  }
  out.event_type = "mappa.DisclosureCaseDiscussed";
  *out.event.mutable_meeting_disclosure_case_discussed() = d;
  return problems.Or(std::move(out));
}

absl::StatusOr<ValidatedCommand> Validate(const v1::RecordMinutesRequest& r, absl::Time now) {
  ValidatedCommand out;
  v::Violations problems;
  if (!Header(r, DayOf(now), &out, &problems)) return problems.status();
  if (problems.Check(Moment("minutes.at", r.minutes().at()))) {
    if (FromProtoTimestamp(r.minutes().at()) > now + kClockSkew) {
      problems.Add("minutes.at", "is in the future");
    } else {
      out.occurred_at = FromProtoTimestamp(r.minutes().at());
      out.occurred_on = DayOf(*out.occurred_at);
    }
  }
  problems.Check(v::RequireText("minutes.minutes", r.minutes().minutes(), kMinutesMax));
  out.event_type = "mappa.MeetingMinutesRecorded";
  *out.event.mutable_meeting_minutes_recorded() = r.minutes();
  return problems.Or(std::move(out));
}

}  // namespace safeguard::mappa
