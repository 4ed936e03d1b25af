// Turns validated commands into events on an agency's event store: fills the envelope
// (type, schema version, agency, occurred_at, actor, correlation and causation ids),
// fingerprints the command for idempotency, and appends.
//
// Some commands have rules over what is already recorded in the subject's stream (an
// order reference recorded once; a breach names a recorded order). Such a rule is
// checked against the stream and the append made conditional on the version read, so a
// concurrent write cannot slip between check and append; a conflict is retried
// internally unless the caller gave its own expected_version (then it gets kAborted).
// A repeated command id returns its original result even where the rule would now
// refuse it. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/agency/command_validation.h"
#include "common/grpc/caller.h"
#include "common/store/event_store.h"
#include "common/time_util.h"

namespace safeguard::agency {

class CommandSubmitter {
 public:
  using Done = std::function<void(absl::StatusOr<safeguard::v1::CommandResult>)>;
  // A rule over the subject's existing events; OK to proceed.
  using StateRule = std::function<absl::Status(const std::vector<safeguard::v1::EventEnvelope>&)>;

  // Streams are named "<stream_prefix>/<subject key>". `store` must outlive this object.
  CommandSubmitter(EventStore* store, safeguard::v1::Agency agency, std::string stream_prefix,
                   Clock clock);

  // Today's date, for validators.
  absl::CivilDay Today() const { return DayOf(clock_()); }
  absl::Time Now() const { return clock_(); }

  // The stream of the subject filed under `subject_key`.
  std::string StreamId(const std::string& subject_key) const;

  // Appends `valid` (the outcome of validating `request`). `done` runs exactly once,
  // possibly on the store's writer thread, and must not block.
  void Submit(const google::protobuf::Message& request, const safeguard::v1::CommandHeader& header,
              absl::StatusOr<ValidatedCommand> valid, const CallContext& call, StateRule rule,
              Done done);

 private:
  void AppendWithRule(std::shared_ptr<EventStore::AppendCommand> command, StateRule rule,
                      bool caller_expected_version, int attempts_left, Done done);

  EventStore* const store_;
  const safeguard::v1::Agency agency_;
  const std::string stream_prefix_;
  const Clock clock_;
};

}  // namespace safeguard::agency
