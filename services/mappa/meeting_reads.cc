#include "services/mappa/meeting_reads.h"

#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"
#include "services/mappa/mappa_reads.h"
#include "services/mappa/risk_projection.h"

namespace safeguard::mappa {

namespace v1 = safeguard::v1;

absl::StatusOr<v1::MappaMeeting> MeetingReads::GetMeeting(const v1::GetMeetingRequest& request,
                                                          const CallContext& call) {
  ASSIGN_OR_RETURN(const std::string ref, disclosure::NormaliseCaseRef("meeting_ref", request.meeting_ref()));
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  absl::StatusOr<v1::MappaMeeting> m = store_->GetMeeting(ref);
  std::vector<std::string> consulted = {absl::StrCat("meeting:", ref)};
  if (m.ok()) {
    for (const auto& item : m->agenda()) {
      if (!item.item().subject_key().empty()) consulted.push_back(item.item().subject_key());
      if (!item.item().case_ref().empty()) consulted.push_back(disclosure::CaseKey(item.item().case_ref()));
    }
  }
  RETURN_IF_ERROR(recorder_->Record(call, request.purpose(), "mappa.Meeting", consulted));
  return m;
}

absl::StatusOr<v1::ListDisclosureNotConsideredResponse> MeetingReads::ListDisclosureNotConsidered(
    const v1::ListDisclosureNotConsideredRequest& request, const CallContext& call) {
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  const absl::CivilDay today = DayOf(recorder_->Now());
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
  std::vector<std::string> shown;
  for (const auto& s : response.subjects()) shown.push_back(s.subject_key());
  RETURN_IF_ERROR(recorder_->Record(call, request.purpose(), "mappa.DisclosureNotConsidered", shown));
  return response;
}

}  // namespace safeguard::mappa
