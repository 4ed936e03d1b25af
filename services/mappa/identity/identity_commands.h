// MAPPA users' identity decisions: confirm or reject a proposed link, unlink records that
// were linked, or link two records no rule proposed. Each is validated, checked against
// the link's state, and appended to mappa-service's own event store, whose outbox
// publishes it on mappa.events; the views change when mappa-service consumes it, exactly
// as they would on replay.
//
// State rules (kFailedPrecondition naming link_id otherwise):
//  - confirm: the link does not already hold;
//  - reject: the link is a candidate awaiting a decision;
//  - unlink: the link holds (confirmed, or automatic from a shared national identifier).
// The link's current state is its stream's last decision (exact, read from the event
// store under the append's optimistic concurrency) over the evidence mappa-service has
// seen. Knows nothing of gRPC. Thread-safe.
#pragma once

#include "common/agency/command_submitter.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {

class IdentityCommands {
 public:
  using Done = agency::CommandSubmitter::Done;

  // `store` (mappa-service's own event store) and `views` must outlive this object.
  IdentityCommands(EventStore* store, const MappaState* views, Clock clock = SystemClock());

  // Records `decision` (LINKED: confirm; REJECTED: reject; UNLINKED: unlink) on the
  // request's link.
  void Decide(const safeguard::v1::DecideIdentityLinkRequest& request,
              safeguard::v1::IdentityLinkStatus decision, const CallContext& call, Done done);
  // Links two records no rule proposed.
  void Handle(const safeguard::v1::LinkRecordsRequest& request, const CallContext& call, Done done);

 private:
  // Appends `decision` on `link` (its evidence as mappa-service last saw it).
  void Submit(const std::string& command_id, const safeguard::v1::IdentityLink& link,
              safeguard::v1::IdentityLinkStatus decision, const std::string& reason,
              const CallContext& call, Done done);

  agency::CommandSubmitter submitter_;
  const MappaState* const views_;
};

}  // namespace safeguard::mappa
