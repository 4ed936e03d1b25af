// MAPPA meetings, written: schedule a level 2 or 3 meeting, record attendance, add agenda
// items (a subject, resolved to the record mappa-service holds, or a disclosure case),
// record the panel's decisions on each, and close the meeting with its minutes. Each is
// validated (kInvalidArgument naming the field), checked against the meeting folded from
// its stream (meeting.h; kFailedPrecondition otherwise) and appended to mappa-service's
// own event store, whose outbox publishes it on mappa.events. A subject review is filed
// in the subject's picture too. Knows nothing of gRPC. Thread-safe.
#pragma once

#include "common/agency/command_submitter.h"
#include "safeguard/v1/meeting_service.pb.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {

class MeetingCommands {
 public:
  using Done = agency::CommandSubmitter::Done;

  // `store` (mappa-service's own event store) and `views` must outlive this object.
  MeetingCommands(EventStore* store, const MappaState* views, Clock clock = SystemClock());

  void Handle(const safeguard::v1::ScheduleMeetingRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordAttendanceRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::AddAgendaItemRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordSubjectReviewRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordCaseDiscussionRequest& r, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordMinutesRequest& r, const CallContext& call, Done done);

 private:
  // The meeting as its stream holds it now (version 0 if it does not exist).
  absl::StatusOr<safeguard::v1::MappaMeeting> Current(const std::string& meeting_ref);
  template <typename Request>
  void Submit(const Request& r, absl::StatusOr<agency::ValidatedCommand> valid, const CallContext& call, Done done);

  EventStore* const store_;
  agency::CommandSubmitter submitter_;
  const MappaState* const views_;
};

}  // namespace safeguard::mappa
