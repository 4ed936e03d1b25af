#include "common/audit/log_verifier.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/audit/checkpoint.h"
#include "common/merkle/merkle.h"
#include "safeguard/v1/envelope.pb.h"

namespace safeguard::audit {

absl::StatusOr<LogOrder> InLogOrder(const std::vector<std::string>& messages) {
  std::map<uint64_t, std::string> by_sequence;
  LogOrder out;
  for (size_t i = 0; i < messages.size(); ++i) {
    safeguard::v1::EventEnvelope e;
    if (!e.ParseFromString(messages[i])) {
      return absl::InvalidArgumentError(absl::StrCat("message ", i + 1, " of the copy is not an event"));
    }
    auto [it, inserted] = by_sequence.emplace(e.log_sequence(), messages[i]);
    if (!inserted && it->second != messages[i] && out.problem.empty()) {
      out.problem = absl::StrCat("event ", e.log_sequence(), " appears twice with different contents (event ids ",
                                 e.event_id(), ")");
      out.sequence = e.log_sequence();
    }
  }
  for (auto& [seq, bytes] : by_sequence) out.events.push_back(std::move(bytes));
  return out;
}

absl::StatusOr<LogReport> VerifyLog(const std::string& origin, const std::string& public_key,
                                    const std::vector<std::string>& events,
                                    std::vector<safeguard::v1::SignedCheckpoint> checkpoints,
                                    const LeafReference& reference) {
  LogReport report;
  report.events = events.size();
  auto fail = [&](std::string what, std::optional<uint64_t> sequence) {
    report.problem = std::move(what);
    report.first_bad_sequence = sequence;
    return report;
  };

  // Sequences: 1, 2, 3... as copied.
  std::vector<safeguard::v1::EventEnvelope> parsed(events.size());
  std::map<uint64_t, size_t> position_of;  // sequence -> first position in the copy
  for (size_t i = 0; i < events.size(); ++i) {
    if (!parsed[i].ParseFromString(events[i])) {
      return absl::InvalidArgumentError(absl::StrCat("event at position ", i + 1, " of the copy is unreadable"));
    }
    position_of.emplace(parsed[i].log_sequence(), i + 1);
  }
  std::vector<std::string> leaves;
  leaves.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const safeguard::v1::EventEnvelope& e = parsed[i];
    const uint64_t expected = i + 1;
    if (e.log_sequence() > expected) {
      auto later = position_of.find(expected);
      if (later != position_of.end()) {
        return fail(absl::StrCat("events are out of order: ", e.log_sequence(), " is at position ", expected,
                                 " and ", expected, " at position ", later->second),
                    expected);
      }
      return fail(absl::StrCat("event ", expected, " is missing: the copy goes from ", expected - 1, " to ",
                               e.log_sequence(), " (event id ", e.event_id(), ")"),
                  expected);
    }
    if (e.log_sequence() < expected) {
      return fail(absl::StrCat("event ", e.log_sequence(), " (event id ", e.event_id(), ") is out of place at position ",
                               expected, ": repeated or reordered"),
                  e.log_sequence());
    }
    leaves.push_back(merkle::LeafHash(events[i]));
  }

  // The copy's tree, for the root at any size.
  std::map<std::pair<int, uint64_t>, std::string> nodes;
  merkle::TreeBuilder builder;
  for (const std::string& leaf : leaves) {
    for (auto& n : builder.Append(leaf)) nodes[{n.level, n.index}] = std::move(n.hash);
  }
  const merkle::NodeSource source = [&nodes](int level, uint64_t index) -> absl::StatusOr<std::string> {
    auto it = nodes.find({level, index});
    if (it == nodes.end()) return absl::NotFoundError("node");
    return it->second;
  };

  std::sort(checkpoints.begin(), checkpoints.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
  uint64_t verified = 0;
  for (const safeguard::v1::SignedCheckpoint& c : checkpoints) {
    if (c.origin() != origin) {
      return fail(absl::StrCat("checkpoint of size ", c.size(), " is of log ", c.origin(), ", not ", origin),
                  std::nullopt);
    }
    if (absl::Status signed_ok = VerifyCheckpoint(c, public_key); !signed_ok.ok()) {
      return fail(std::string(signed_ok.message()), std::nullopt);
    }
    if (c.size() > leaves.size()) {
      return fail(absl::StrCat("the log signed ", c.size(), " events but the copy holds ", leaves.size(),
                               ": events ", leaves.size() + 1, " to ", c.size(), " are missing"),
                  leaves.size() + 1);
    }
    absl::StatusOr<std::string> root = merkle::RootHash(source, c.size());
    if (!root.ok()) return root.status();
    if (*root != c.root_hash()) {
      // Some event up to this size differs from what was signed. With the log's own leaf
      // hashes (each proven against this signed root), name it.
      if (reference) {
        for (uint64_t seq = verified + 1; seq <= c.size(); ++seq) {
          absl::StatusOr<std::string> theirs = reference(seq, c.size());
          if (!theirs.ok()) break;
          if (*theirs != leaves[seq - 1]) {
            return fail(absl::StrCat("event ", seq, " was altered: its bytes do not hash to the leaf signed in the "
                                     "checkpoint of size ", c.size()),
                        seq);
          }
        }
      }
      return fail(absl::StrCat("the copy's root at size ", c.size(), " is not the signed one: an event from ",
                               verified + 1, " to ", c.size(), " was altered"),
                  verified + 1);
    }
    verified = c.size();
    ++report.checkpoints_verified;
  }
  report.verified_size = verified;
  return report;
}

}  // namespace safeguard::audit
