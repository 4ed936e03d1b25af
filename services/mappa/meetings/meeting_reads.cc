#include "services/mappa/meetings/meeting_reads.h"

#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/meetings/meeting_folder.h"
#include "services/mappa/projection/person_views.h"
#include "services/mappa/reads/paging.h"

namespace safeguard::mappa {

namespace v1 = safeguard::v1;

absl::StatusOr<RecordedAnswer<v1::MappaMeeting>> MeetingReads::Answer(const v1::GetMeetingRequest& request) {
  ASSIGN_OR_RETURN(const std::string ref, disclosure::NormaliseCaseRef("meeting_ref", request.meeting_ref()));
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  RecordedAnswer<v1::MappaMeeting> recorded;
  recorded.purpose = request.purpose();
  ASSIGN_OR_RETURN(std::optional<v1::MappaMeeting> m, GetMeeting(state_->Read(), ref));
  Consultation consulted{.view = "mappa.Meeting", .subjects = {absl::StrCat("meeting:", ref)}};
  if (m.has_value()) {
    for (const auto& item : m->agenda()) {
      if (!item.item().subject_key().empty()) consulted.subjects.push_back(item.item().subject_key());
      if (!item.item().case_ref().empty()) consulted.subjects.push_back(disclosure::CaseKey(item.item().case_ref()));
    }
    recorded.answer = std::move(*m);
  } else {
    recorded.answer = absl::NotFoundError(absl::StrCat("meeting_ref: no meeting ", ref));
  }
  recorded.consulted = {std::move(consulted)};
  return recorded;
}

absl::StatusOr<RecordedAnswer<v1::ListDisclosureNotConsideredResponse>> MeetingReads::Answer(
    const v1::ListDisclosureNotConsideredRequest& request) {
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(v1::ListDisclosureNotConsideredResponse response,
                   DisclosureNotConsidered(state_->Read(), page_size, request.page_token()));
  RecordedAnswer<v1::ListDisclosureNotConsideredResponse> recorded;
  recorded.purpose = request.purpose();
  Consultation shown{.view = "mappa.DisclosureNotConsidered"};
  for (const auto& s : response.subjects()) shown.subjects.push_back(s.subject_key());
  recorded.consulted = {std::move(shown)};
  recorded.answer = std::move(response);
  return recorded;
}

absl::StatusOr<v1::ListMeetingsResponse> MeetingReads::Answer(const v1::ListMeetingsRequest& request) {
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  if (request.state() != v1::MEETING_STATE_UNSPECIFIED) {
    RETURN_IF_ERROR(validation::RequireEnum("state", request.state(), v1::MeetingState_descriptor()));
  }
  v1::ListMeetingsResponse response;
  RETURN_IF_ERROR(VisitMeetings(
      state_->Read(),
      [&](const v1::MappaMeeting& m) {
        if (request.state() != v1::MEETING_STATE_UNSPECIFIED && m.state() != request.state()) return true;
        if (!request.force().empty() && m.scheduled().force() != request.force()) return true;
        if (response.meetings_size() == static_cast<int>(page_size)) {
          response.set_next_page_token(response.meetings(response.meetings_size() - 1).meeting_ref());
          return false;
        }
        v1::MeetingSummary* summary = response.add_meetings();
        summary->set_meeting_ref(m.meeting_ref());
        summary->set_state(m.state());
        *summary->mutable_scheduled() = m.scheduled();
        summary->set_agenda_items(static_cast<uint32_t>(m.agenda_size()));
        for (const auto& item : m.agenda()) {
          if (item.has_review() || item.has_discussion()) summary->set_decided(summary->decided() + 1);
        }
        return true;
      },
      request.page_token()));
  return response;
}

void MeetingReads::Handle(const v1::ListMeetingsRequest& request, const CallContext&,
                          Reply<v1::ListMeetingsResponse> reply) {
  reply(Answer(request));
}

void MeetingReads::Handle(const v1::GetMeetingRequest& request, const CallContext& call, Reply<v1::MappaMeeting> reply) {
  GiveWhenRecorded(*access_, call, Answer(request), std::move(reply));
}

void MeetingReads::Handle(const v1::ListDisclosureNotConsideredRequest& request, const CallContext& call,
                          Reply<v1::ListDisclosureNotConsideredResponse> reply) {
  GiveWhenRecorded(*access_, call, Answer(request), std::move(reply));
}

}  // namespace safeguard::mappa
