// Turns validated commands into events on an agency's event store: fills the envelope
// (type, schema version, agency, occurred_at, actor, correlation and causation ids),
// fingerprints the command for idempotency, and appends.
//
// Some commands have rules over what is already recorded in the subject's stream (an
// order reference recorded once; a breach names a recorded order). Such a rule reads the
// stream's state (common/store/stream_state.h) and is checked by the store's writer in
// the same step as the append, so a concurrent write cannot slip between check and
// append and nothing is ever retried: kAborted comes only from the caller's own
// expected_version. A repeated command id returns its original result even where the
// rule would now refuse it. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/agency/command_validation.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "common/store/event_store.h"
#include "common/time_util.h"

namespace safeguard::agency {

// What the store keeps to know a command again: SHA-256 of the request's type and its
// deterministic serialization (the same command always has the same fingerprint, a
// different one almost surely not).
std::string CommandFingerprint(const google::protobuf::Message& request);

class CommandSubmitter {
 public:
  using Done = Reply<safeguard::v1::CommandResult>;

  // Streams are named "<stream_prefix>/<subject key>". `store` must outlive this object.
  CommandSubmitter(EventStore* store, safeguard::v1::Agency agency, std::string stream_prefix,
                   Clock clock);

  // Today's date, for validators.
  absl::CivilDay Today() const { return DayOf(clock_()); }
  absl::Time Now() const { return clock_(); }

  // The stream of the subject filed under `subject_key`.
  std::string StreamId(const std::string& subject_key) const;

  // Appends `valid` (the outcome of validating `request`) if `rule` (may be empty)
  // allows it. `done` runs exactly once, possibly on the store's writer thread, and must
  // not block.
  void Submit(const google::protobuf::Message& request, const safeguard::v1::CommandHeader& header,
              absl::StatusOr<ValidatedCommand> valid, const CallContext& call, StreamRule rule,
              Done done);

 private:
  EventStore* const store_;
  const safeguard::v1::Agency agency_;
  const std::string stream_prefix_;
  const Clock clock_;
};

}  // namespace safeguard::agency
