// The police record: turns validated commands into events on the police event store.
//
// Besides field validation, some commands have rules that depend on what is already
// recorded about the subject: an order reference and an intelligence reference are each
// recorded once per subject, and a breach must name an order already recorded for that
// subject (kFailedPrecondition otherwise). These rules are checked against the subject's
// stream and the append is made conditional on the version read, so a concurrent write
// cannot slip between the check and the append; such a conflict is retried internally
// unless the caller gave its own expected_version, in which case it gets kAborted.
//
// Knows nothing of gRPC. Thread-safe.
#pragma once

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "common/grpc/caller.h"
#include "common/store/event_store.h"
#include "common/time_util.h"
#include "safeguard/v1/police_service.pb.h"

namespace safeguard::police {

// The stream holding the police record of a subject.
std::string PoliceStreamId(const std::string& subject_key);

class PoliceCommands {
 public:
  using Done = std::function<void(absl::StatusOr<safeguard::v1::CommandResult>)>;

  // `store` must outlive this object.
  PoliceCommands(EventStore* store, Clock clock = SystemClock());

  // Each validates, applies the subject's rules and appends; `done` runs exactly once,
  // possibly on the store's writer thread, and must not block.
  void Handle(const safeguard::v1::RecordConvictionRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordRegisterNotificationRequest& request, const CallContext& call,
              Done done);
  void Handle(const safeguard::v1::RecordOrderRequest& request, const CallContext& call, Done done);
  void Handle(const safeguard::v1::RecordOrderBreachRequest& request, const CallContext& call,
              Done done);
  void Handle(const safeguard::v1::RecordIntelligenceRequest& request, const CallContext& call,
              Done done);

 private:
  // A rule over the subject's existing events; OK to proceed.
  using StateRule = std::function<absl::Status(const std::vector<safeguard::v1::EventEnvelope>&)>;

  template <typename Request>
  void Submit(const Request& request, const CallContext& call, StateRule rule, Done done);
  void AppendWithRule(std::shared_ptr<EventStore::AppendCommand> command, StateRule rule,
                      bool caller_expected_version, int attempts_left, Done done);

  EventStore* const store_;
  const Clock clock_;
};

}  // namespace safeguard::police
