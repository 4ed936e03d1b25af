// The state an event store keeps beside each stream for its commands' rules.
//
// A rule such as "an order reference is recorded once per subject" or "a breach names a
// supervision that has started and not ended" needs a fact about the stream, not the
// stream itself. Each agency says which facts its events establish (a StreamFolder), and
// the store keeps them as named entries of the stream ("order/ORD-1" -> ""), written in
// the same batch as each event, so that they always agree with the stream. A command's
// rule (a StreamRule) reads the entries it needs, on the store's writer thread against
// the committed state and the earlier appends of its group: no other append to the
// stream can come between the check and the write, so a rule never needs a retry and a
// conflict (ABORTED) comes only from a caller's own expected_version.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "safeguard/v1/envelope.pb.h"

namespace safeguard {

// One stream's entries, as a rule or a folder sees them.
class StreamState {
 public:
  virtual ~StreamState() = default;
  // The entry's value; nullopt when the stream has no such entry.
  virtual absl::StatusOr<std::optional<std::string>> Get(absl::string_view entry) const = 0;
  virtual void Put(absl::string_view entry, std::string value) = 0;
};

// A command's precondition over its stream's entries. OK lets the append proceed; any
// other status refuses the command and nothing is written. Runs on the writer thread:
// it must make only point reads through `state` and must not block.
using StreamRule = std::function<absl::Status(const StreamState& state)>;

// How one agency's events shape its streams' entries.
class StreamFolder {
 public:
  virtual ~StreamFolder() = default;
  // Names this fold. When it changes (a new rule needs a new fact), the store rebuilds
  // every stream's entries from its events when it next opens.
  virtual std::string Version() const = 0;
  // Sets the entries `event` (now the last of its stream) establishes.
  virtual absl::Status Apply(const safeguard::v1::EventEnvelope& event, StreamState& state) const = 0;
};

}  // namespace safeguard
