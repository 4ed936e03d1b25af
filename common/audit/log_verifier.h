// The auditor's check of a copy of one log against its signed checkpoints, needing nothing
// from Safeguard but the public key: every checkpoint's signature; every event in order,
// sequences 1, 2, 3... with no gap, duplicate or reordering; and the root of the copy's
// first n events equal to every signed root of size n (which also proves each checkpoint
// consistent with the one before). The first problem is named: the missing, repeated or
// misplaced sequence, or the first altered event. An altered event is located exactly when
// the log's own leaf hashes are available (AuditService's inclusion proofs); otherwise to
// the events between the last checkpoint that holds and the first that does not. Pure.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "safeguard/v1/audit.pb.h"

namespace safeguard::audit {

struct LogReport {
  uint64_t events = 0;                 // events in the copy
  uint64_t checkpoints_verified = 0;   // signed, and matching the copy
  uint64_t verified_size = 0;          // the largest size a checkpoint proves
  // Empty when every check passed; else what is wrong, naming the first bad event.
  std::string problem;
  std::optional<uint64_t> first_bad_sequence;
  bool ok() const { return problem.empty(); }
};

// The leaf hash the log itself holds for `sequence`, proven against the signed root of
// `size` (e.g. from AuditService.GetInclusionProof, verified); kNotFound if unavailable.
using LeafReference = std::function<absl::StatusOr<std::string>(uint64_t sequence, uint64_t size)>;

// Messages copied from a bus (any partitions, redeliveries included) put in log order by
// the sequence each carries; an identical redelivery is dropped. `problem` names a sequence
// that comes with two different contents.
struct LogOrder {
  std::vector<std::string> events;
  std::string problem;
  std::optional<uint64_t> sequence;
};
absl::StatusOr<LogOrder> InLogOrder(const std::vector<std::string>& messages);

// `events` are the copy's event bytes in the order copied (e.g. a topic partition);
// `checkpoints` in any order. kInvalidArgument for an unreadable event.
absl::StatusOr<LogReport> VerifyLog(const std::string& origin, const std::string& public_key,
                                    const std::vector<std::string>& events,
                                    std::vector<safeguard::v1::SignedCheckpoint> checkpoints,
                                    const LeafReference& reference = nullptr);

}  // namespace safeguard::audit
