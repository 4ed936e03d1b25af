// Valid MAPPA meeting requests (meeting_service.proto), for tests and the fuzz seed corpus
// to start from and break one field at a time.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "common/time_util.h"
#include "safeguard/v1/meeting_service.pb.h"

namespace safeguard::testing {

inline constexpr char kMeetingRef[] = "MAPPA/KENT/0007";

template <typename Request>
void MeetingHeader(Request* r, const std::string& command_id) {
  r->mutable_header()->set_command_id(command_id);
  r->mutable_header()->set_meeting_ref(kMeetingRef);
}

inline safeguard::v1::ScheduleMeetingRequest ValidSchedule(absl::Time at) {
  safeguard::v1::ScheduleMeetingRequest r;
  MeetingHeader(&r, "cmd-schedule");
  *r.mutable_meeting()->mutable_meeting_at() = ToProtoTimestamp(at);
  r.mutable_meeting()->set_level(3);
  r.mutable_meeting()->set_force("kent");
  r.mutable_meeting()->set_chair("DCI Lowe");
  return r;
}

inline safeguard::v1::RecordAttendanceRequest ValidAttendance() {
  safeguard::v1::RecordAttendanceRequest r;
  MeetingHeader(&r, "cmd-attendance");
  auto* a = r.mutable_attendance()->add_attendees();
  a->set_name("DCI Lowe");
  a->set_role("chair");
  a->set_agency("police");
  r.mutable_attendance()->add_apologies("health");
  return r;
}

inline safeguard::v1::AddAgendaItemRequest ValidSubjectItem(const std::string& item = "1",
                                                            const std::string& pnc = "2019/0012345X") {
  safeguard::v1::AddAgendaItemRequest r;
  MeetingHeader(&r, "cmd-item-" + item);
  r.mutable_item()->set_item_ref(item);
  r.mutable_item()->mutable_subject()->set_pnc_id(pnc);
  return r;
}

inline safeguard::v1::RecordSubjectReviewRequest ValidReview() {
  safeguard::v1::RecordSubjectReviewRequest r;
  MeetingHeader(&r, "cmd-review-1");
  auto* x = r.mutable_review();
  x->set_item_ref("1");
  x->set_category(1);
  x->set_level(3);
  auto* a = x->add_actions();
  a->set_action("Weekly home visits");
  a->set_owner_agency("police");
  a->set_due_date("2025-02-01");
  x->set_disclosure_considered(true);
  x->set_presumption_to_disclose_noted(true);
  x->set_disclosure_decision(safeguard::v1::S327A_DISCLOSE);
  x->set_disclosure_rationale("Presumption to disclose to the partner with children.");
  return r;
}

inline safeguard::v1::RecordCaseDiscussionRequest ValidDiscussion() {
  safeguard::v1::RecordCaseDiscussionRequest r;
  MeetingHeader(&r, "cmd-discussion-2");
  auto* d = r.mutable_discussion();
  d->set_item_ref("2");
  d->set_recommendation(safeguard::v1::PARTIAL_DISCLOSURE);
  d->set_rationale("Unproven allegations about children.");
  d->set_recommended_wording("He has convictions for offences against adults.");
  d->add_recommended_recipients("the applicant");
  return r;
}

inline safeguard::v1::RecordMinutesRequest ValidMinutes(absl::Time at) {
  safeguard::v1::RecordMinutesRequest r;
  MeetingHeader(&r, "cmd-minutes");
  *r.mutable_minutes()->mutable_at() = ToProtoTimestamp(at);
  r.mutable_minutes()->set_minutes("Agreed as recorded.");
  return r;
}

}  // namespace safeguard::testing
