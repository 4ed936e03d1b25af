// The auditor's questions of the logs (a copy of the embedded bus, or a Kafka cluster),
// answered by replaying them, never by asking the live system:
//  - ViewAsOf: a subject's consolidated view as it stood at a moment, i.e. from every event
//    recorded by then, folded into a fresh state and read through mappa-service's own read
//    path (MappaReads) with that moment as "now": what a panel could have seen;
//  - Consultations: who consulted a subject's data, when and why (audit.access).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/bus/bus_config.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/crypto/key_vault.h"
#include "services/safeguard_audit/log_source.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard::audit_tool {

struct AsOfOptions {
  LogSource logs;            // the copy of the logs
  Topics topics;             // the agency topics and mappa.events
  std::string work_dir;      // an empty directory for the rebuilt state
  absl::Time as_of;
  safeguard::v1::SubjectRef subject;
  safeguard::v1::Purpose purpose;
  std::string user = "auditor";
  // The deployment's key vault: the data keys on the keys topics open the events. Must
  // outlive the call.
  const crypto::KeyVault* vault = nullptr;
};

absl::StatusOr<safeguard::v1::RiskView> ViewAsOf(const AsOfOptions& options);

// Replays the copy of the logs into a fresh state, up to exactly the positions the live
// state records as consumed, and compares every view with the live one: each person's
// picture (its stored facts), each disclosure case and each meeting, by a SHA-256 digest
// of its deterministic serialization.
struct ReplayOptions {
  LogSource logs;            // the copy of the logs
  Topics topics;
  std::string live_state;    // mappa-service's state directory (<data_dir>/mappa), read only
  std::string work_dir;      // an empty directory for the rebuilt state
  const crypto::KeyVault* vault = nullptr;  // as AsOfOptions::vault
};

struct ViewDigest {
  std::string view;          // "person pnc:...", "case CSODS/...", "meeting MAPPA/..."
  std::string live;          // hex digests; empty when the view is missing on that side
  std::string rebuilt;
  bool same() const { return live == rebuilt; }
};

struct ReplayReport {
  uint64_t events_replayed = 0;
  std::vector<ViewDigest> views;    // by view name
  uint64_t differences = 0;
  // Keys destroyed on the bus after the position the live state stands at: erasures it
  // has not applied yet (the views they touch differ until it has).
  uint64_t keys_destroyed_after_position = 0;
};

absl::StatusOr<ReplayReport> ReplayAndCompare(const ReplayOptions& options);

// Every access record on `audit_topic` whose subject is one of `subject_keys` (found by
// their pseudonyms under `vault`), in order, opened with the data keys on `keys_topics`
// (one whose key was destroyed stays sealed: who read, when, why, but not what).
absl::StatusOr<std::vector<safeguard::v1::AccessRecord>> Consultations(const LogSource& logs,
                                                                      const std::string& audit_topic,
                                                                      const std::vector<std::string>& subject_keys,
                                                                      const crypto::KeyVault& vault,
                                                                      const std::vector<std::string>& keys_topics);

// Every refused call recorded on `audit_topic` (AccessRecord.refusal), in order.
absl::StatusOr<std::vector<safeguard::v1::AccessRecord>> Refusals(const LogSource& logs,
                                                                 const std::string& audit_topic);

// One line per record: when, who (user, role, agency), which view, why.
std::string DescribeConsultation(const safeguard::v1::AccessRecord& record);

// One line per refused call: when, who (as the certificate named them), what, the answer.
std::string DescribeRefusal(const safeguard::v1::AccessRecord& record);

}  // namespace safeguard::audit_tool
