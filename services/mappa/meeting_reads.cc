#include "services/mappa/meeting_reads.h"

#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"
#include "services/mappa/mappa_reads.h"
#include "services/mappa/risk_projection.h"

namespace safeguard::mappa {

namespace v1 = safeguard::v1;

absl::StatusOr<RecordedAnswer<v1::MappaMeeting>> MeetingReads::Answer(const v1::GetMeetingRequest& request) {
  ASSIGN_OR_RETURN(const std::string ref, disclosure::NormaliseCaseRef("meeting_ref", request.meeting_ref()));
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  RecordedAnswer<v1::MappaMeeting> recorded;
  recorded.purpose = request.purpose();
  recorded.answer = store_->GetMeeting(ref);
  if (!recorded.answer.ok() && !absl::IsNotFound(recorded.answer.status())) return recorded.answer.status();
  Consultation consulted{.view = "mappa.Meeting", .subjects = {absl::StrCat("meeting:", ref)}};
  if (recorded.answer.ok()) {
    for (const auto& item : recorded.answer->agenda()) {
      if (!item.item().subject_key().empty()) consulted.subjects.push_back(item.item().subject_key());
      if (!item.item().case_ref().empty()) consulted.subjects.push_back(disclosure::CaseKey(item.item().case_ref()));
    }
  }
  recorded.consulted = {std::move(consulted)};
  return recorded;
}

absl::StatusOr<RecordedAnswer<v1::ListDisclosureNotConsideredResponse>> MeetingReads::Answer(
    const v1::ListDisclosureNotConsideredRequest& request) {
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  const absl::CivilDay today = DayOf(clock_());
  v1::ListDisclosureNotConsideredResponse response;
  RETURN_IF_ERROR(store_->VisitPeople(request.page_token(), [&](const v1::RiskView& facts) {
    v1::RiskView view = facts;
    ComputeAsOf(today, &view);
    const v1::DisclosureConsideration& d = view.disclosure_consideration();
    if (!d.duty_applies() || d.considered_at_latest_review()) return true;
    if (response.subjects_size() == static_cast<int>(page_size)) {
      response.set_next_page_token(response.subjects(response.subjects_size() - 1).subject_key());
      return false;
    }
    v1::DisclosureNotConsidered* s = response.add_subjects();
    s->set_subject_key(view.subject_key());
    *s->mutable_identity() = view.identity();
    if (view.has_latest_mappa_review()) {
      s->set_category(view.latest_mappa_review().review().category());
      s->set_level(view.latest_mappa_review().review().level());
    } else {
      s->set_category(view.mappa_proposal().proposal().category());
      s->set_level(view.mappa_proposal().proposal().level());
    }
    *s->mutable_consideration() = d;
    return true;
  }));
  RecordedAnswer<v1::ListDisclosureNotConsideredResponse> recorded;
  recorded.purpose = request.purpose();
  Consultation shown{.view = "mappa.DisclosureNotConsidered"};
  for (const auto& s : response.subjects()) shown.subjects.push_back(s.subject_key());
  recorded.consulted = {std::move(shown)};
  recorded.answer = std::move(response);
  return recorded;
}

void MeetingReads::Handle(const v1::GetMeetingRequest& request, const CallContext& call, Reply<v1::MappaMeeting> reply) {
  absl::StatusOr<RecordedAnswer<v1::MappaMeeting>> answer = Answer(request);
  if (!answer.ok()) return reply(answer.status());
  GiveWhenRecorded(*access_, call, std::move(*answer), std::move(reply));
}

void MeetingReads::Handle(const v1::ListDisclosureNotConsideredRequest& request, const CallContext& call,
                          Reply<v1::ListDisclosureNotConsideredResponse> reply) {
  absl::StatusOr<RecordedAnswer<v1::ListDisclosureNotConsideredResponse>> answer = Answer(request);
  if (!answer.ok()) return reply(answer.status());
  GiveWhenRecorded(*access_, call, std::move(*answer), std::move(reply));
}

}  // namespace safeguard::mappa
