#include "services/mappa/meetings/meeting_commands.h"

#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/cases/case_folder.h"
#include "services/mappa/identity/identity_index.h"
#include "services/mappa/mappa_stream_state.h"
#include "services/mappa/meetings/meeting.h"
#include "services/mappa/meetings/meeting_validation.h"
#include "services/mappa/projection/person_views.h"
#include "services/mappa/projection/risk_projection.h"
#include "services/mappa/reads/subject_lookup.h"

namespace safeguard::mappa {
namespace {

namespace v = safeguard::validation;
namespace v1 = safeguard::v1;
using agency::ValidatedCommand;

// A decision needs the meeting to have taken place.
absl::Status HeldBy(const v1::MappaMeeting& m, absl::Time now, absl::string_view field) {
  if (m.version() > 0 && FromProtoTimestamp(m.scheduled().meeting_at()) > now + kClockSkew) {
    return absl::FailedPreconditionError(absl::StrCat(field, ": meeting ", m.meeting_ref(), " is not until ",
                                                      FormatTimestamp(m.scheduled().meeting_at()),
                                                      "; it is recorded at or after the meeting"));
  }
  return absl::OkStatus();
}

}  // namespace

MeetingCommands::MeetingCommands(EventStore* store, const MappaState* views, Clock clock)
    : store_(store), submitter_(store, v1::AGENCY_MAPPA, "mappa", std::move(clock)), views_(views) {}

absl::StatusOr<v1::MappaMeeting> MeetingCommands::Current(const std::string& meeting_ref) {
  ASSIGN_OR_RETURN(v1::MappaMeeting m,
                   MeetingOf(*store_->CommittedState(submitter_.StreamId(MeetingStreamSuffix(meeting_ref)))));
  m.set_meeting_ref(meeting_ref);
  return m;
}

template <typename Request>
void MeetingCommands::Submit(const Request& r, absl::StatusOr<ValidatedCommand> valid, const CallContext& call,
                             Done done) {
  v1::CommandHeader header;
  header.set_command_id(r.header().command_id());
  StreamRule rule;
  if (valid.ok()) {
    v1::EventEnvelope step = valid->event;
    step.set_stream_id(submitter_.StreamId(valid->subject_key));
    rule = [step](const StreamState& state) -> absl::Status {
      ASSIGN_OR_RETURN(const v1::MappaMeeting m, MeetingOf(state));
      return CheckMeetingStep(m, step);
    };
  }
  submitter_.Submit(r, header, std::move(valid), call, std::move(rule), std::move(done));
}

void MeetingCommands::Handle(const v1::ScheduleMeetingRequest& r, const CallContext& call, Done done) {
  Submit(r, Validate(r, submitter_.Today()), call, std::move(done));
}

void MeetingCommands::Handle(const v1::RecordAttendanceRequest& r, const CallContext& call, Done done) {
  auto valid = [&]() -> absl::StatusOr<ValidatedCommand> {
    ASSIGN_OR_RETURN(ValidatedCommand out, Validate(r, submitter_.Today()));
    ASSIGN_OR_RETURN(const v1::MappaMeeting m, Current(MeetingRefOf(absl::StrCat("mappa/", out.subject_key))));
    RETURN_IF_ERROR(HeldBy(m, submitter_.Now(), "attendance"));
    return out;
  }();
  Submit(r, std::move(valid), call, std::move(done));
}

void MeetingCommands::Handle(const v1::AddAgendaItemRequest& r, const CallContext& call, Done done) {
  auto valid = [&]() -> absl::StatusOr<ValidatedCommand> {
    ASSIGN_OR_RETURN(ValidatedCommand out, Validate(r, submitter_.Today()));
    v1::MeetingAgendaItemAdded* item = out.event.mutable_meeting_agenda_item_added();
    if (item->has_subject()) {
      // The person the subject's reference belongs to, as mappa-service holds them now.
      ASSIGN_OR_RETURN(const std::string reference, LookupReference(item->subject(), "item.subject"));
      ASSIGN_OR_RETURN(std::optional<Person> person, FindPerson(views_->Read(), reference));
      if (!person.has_value()) {
        return absl::NotFoundError(absl::StrCat("item.subject: no record is known as ", reference));
      }
      item->set_subject_key(person->key);
    } else {
      ASSIGN_OR_RETURN(std::optional<v1::DisclosureCase> c, GetCase(views_->Read(), item->case_ref()));
      if (!c.has_value()) {
        return absl::NotFoundError(absl::StrCat("item.case_ref: no disclosure case ", item->case_ref(), " is known"));
      }
    }
    return out;
  }();
  Submit(r, std::move(valid), call, std::move(done));
}

void MeetingCommands::Handle(const v1::RecordSubjectReviewRequest& r, const CallContext& call, Done done) {
  auto valid = [&]() -> absl::StatusOr<ValidatedCommand> {
    ASSIGN_OR_RETURN(ValidatedCommand out, Validate(r, submitter_.Today()));
    v1::MappaSubjectReviewed* review = out.event.mutable_mappa_subject_reviewed();
    const std::string ref = MeetingRefOf(absl::StrCat("mappa/", out.subject_key));
    ASSIGN_OR_RETURN(const v1::MappaMeeting m, Current(ref));
    RETURN_IF_ERROR(HeldBy(m, submitter_.Now(), "review"));
    const v1::AgendaItem* item = FindItem(m, review->item_ref());
    if (item != nullptr && !item->item().subject_key().empty()) {
      // Filed in the subject's picture; s.327A's presumption applies to a child sex offender.
      // The review is refused, not let through unchecked, when the picture cannot be read.
      out.event.set_subject_key(item->item().subject_key());
      absl::StatusOr<std::optional<v1::RiskView>> view = [&]() -> absl::StatusOr<std::optional<v1::RiskView>> {
        const Snapshot views = views_->Read();
        // The person the agenda named, as they are now (a link since may have given them
        // another key).
        ASSIGN_OR_RETURN(std::optional<Person> person, FindPerson(views, item->item().subject_key()));
        if (!person.has_value()) return std::optional<v1::RiskView>();
        return PersonFacts(views, person->key);
      }();
      if (!view.ok() || !view->has_value()) {
        return absl::UnavailableError(absl::StrCat(
            "review: the subject's picture cannot be read to check s.327A's presumption to disclose, so the review "
            "is not recorded; try again",
            view.ok() ? " (mappa-service holds no picture of " + item->item().subject_key() + " yet)"
                      : ": " + std::string(view.status().message())));
      }
      ComputeAsOf(submitter_.Today(), &**view);
      if ((*view)->flags().child_sexual_offence_history() && review->disclosure_considered() &&
          !review->presumption_to_disclose_noted()) {
        return absl::FailedPreconditionError(
            "review.presumption_to_disclose_noted: the subject has a child sexual offence on record; considering "
            "disclosure under s.327A means noting the presumption to disclose");
      }
    }
    review->set_meeting_ref(ref);
    review->set_reviewed_on(FormatIsoDate(DayOf(FromProtoTimestamp(m.scheduled().meeting_at()))));
    return out;
  }();
  Submit(r, std::move(valid), call, std::move(done));
}

void MeetingCommands::Handle(const v1::RecordCaseDiscussionRequest& r, const CallContext& call, Done done) {
  auto valid = [&]() -> absl::StatusOr<ValidatedCommand> {
    ASSIGN_OR_RETURN(ValidatedCommand out, Validate(r, submitter_.Today()));
    v1::MeetingDisclosureCaseDiscussed* d = out.event.mutable_meeting_disclosure_case_discussed();
    const std::string ref = MeetingRefOf(absl::StrCat("mappa/", out.subject_key));
    ASSIGN_OR_RETURN(const v1::MappaMeeting m, Current(ref));
    RETURN_IF_ERROR(HeldBy(m, submitter_.Now(), "discussion"));
    if (const v1::AgendaItem* item = FindItem(m, d->item_ref())) d->set_case_ref(item->item().case_ref());
    d->set_meeting_ref(ref);
    return out;
  }();
  Submit(r, std::move(valid), call, std::move(done));
}

void MeetingCommands::Handle(const v1::RecordMinutesRequest& r, const CallContext& call, Done done) {
  auto valid = [&]() -> absl::StatusOr<ValidatedCommand> {
    ASSIGN_OR_RETURN(ValidatedCommand out, Validate(r, submitter_.Now()));
    ASSIGN_OR_RETURN(const v1::MappaMeeting m, Current(MeetingRefOf(absl::StrCat("mappa/", out.subject_key))));
    RETURN_IF_ERROR(HeldBy(m, submitter_.Now(), "minutes"));
    if (m.version() > 0 && *out.occurred_at < FromProtoTimestamp(m.scheduled().meeting_at())) {
      return v::FieldError("minutes.at", "is before the meeting");
    }
    return out;
  }();
  Submit(r, std::move(valid), call, std::move(done));
}

}  // namespace safeguard::mappa
