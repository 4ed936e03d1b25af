// The alerts that hold now, kept per person, and the log of every change (raised,
// updated, cleared), in the same transaction as the facts that change them: a batch
// either commits its facts and their alerts together or neither, so an alert can never
// be left stale by a failure between the two. Time alone raises and clears some alerts
// (a notification falls due, an order expires), so every person's are also brought up to
// date when the day changes (Projector::ReevaluateAlerts).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/crypto/key_vault.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "services/mappa/state/state_reader.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

class AlertFolder {
 public:
  // Works in `txn` as of `now`; the change log continues after `last_sequence`.
  AlertFolder(Transaction* txn, absl::Time now, uint64_t last_sequence)
      : txn_(txn), now_(now), sequence_(last_sequence) {}

  // Brings the stored alerts of the person `person_key` to what `facts` (their picture's
  // facts) raise today; nullptr for a person who is no more (a link made them part of
  // another): their alerts clear.
  absl::Status Update(const std::string& person_key, const safeguard::v1::RiskView* facts);

  // Data protection decisions (ingest/erasure.h), after this batch's updates. A watcher
  // shown an alert is told to take it down (ALERT_WITHDRAWN, naming it by its withdrawal
  // id alone) when the reads stop showing it, since the changes that would clear it are
  // not shown (restricted) or not kept (erased):
  //
  // A record of the person `person_key` is restricted: each of their alerts a watcher may
  // hold (those standing, and those this batch changed) is withdrawn.
  absl::Status WithdrawPerson(const crypto::KeyVault& vault, const std::string& person_key);
  // An erasure took `forgotten` out of the history (ForgetAlertChanges): each that does not
  // stand now is withdrawn (one that does was changed by this batch, and that change
  // stays).
  absl::Status WithdrawForgotten(const crypto::KeyVault& vault, const std::vector<safeguard::v1::Alert>& forgotten);
  // The person's restriction was lifted: each alert of theirs standing is shown again
  // (ALERT_REINSTATED).
  absl::Status Reinstate(const std::string& person_key);

  // The last change's sequence, once the transaction commits.
  uint64_t last_sequence() const { return sequence_; }

 private:
  // Appends a change of `kind` to the history.
  void Log(safeguard::v1::AlertChangeKind kind, const safeguard::v1::Alert& alert);
  // Appends ALERT_WITHDRAWN for the alert `alert_id`.
  void LogWithdrawn(const crypto::KeyVault& vault, const std::string& alert_id);
  // The person's standing alerts (none: an empty set).
  absl::StatusOr<safeguard::v1::AlertSet> Standing(const std::string& person_key) const;

  Transaction* const txn_;
  const absl::Time now_;
  uint64_t sequence_;
  std::map<std::string, std::set<std::string>> logged_;  // alert ids this batch changed, by person
};

// What an ALERT_WITHDRAWN change names the alert `alert_id` by (Alert.withdrawal_id).
std::string AlertWithdrawalId(const crypto::KeyVault& vault, const std::string& alert_id);

// --- Reads ---

// The current alerts (of `rule` only, unless unspecified), by subject key then rule, up to
// `page_size` after `page_token`; `sequence` says which change the list reflects.
absl::StatusOr<safeguard::v1::ListAlertsResponse> ListAlerts(const StateReader& state,
                                                             safeguard::v1::AlertRule rule, uint32_t page_size,
                                                             const std::string& page_token);

// How many alerts stand now, by rule (rules with none left out). Reads every person's
// alerts: for a scrape now and then, not for every call.
absl::StatusOr<std::map<safeguard::v1::AlertRule, uint64_t>> CountOpenAlerts(const StateReader& state);

// Up to `limit` alert changes after `after_sequence`, in order.
absl::StatusOr<std::vector<safeguard::v1::AlertChange>> AlertChangesAfter(const StateReader& state,
                                                                          uint64_t after_sequence, size_t limit);

// The last alert change's sequence (0 before any).
absl::StatusOr<uint64_t> LastAlertSequence(const StateReader& state);

// Erasure (ingest/erasure.h): takes out of the history of changes, in `txn`, every change
// of an alert on one of `subjects` or raised by one of `events`, and gives the alerts
// whose changes went (each once, as last changed). Those changes' sequence numbers are
// then missing from the history; a watcher resuming after one carries on from the next.
// Reads the whole history: erasure is rare.
absl::StatusOr<std::vector<safeguard::v1::Alert>> ForgetAlertChanges(Transaction* txn,
                                                                     const std::set<std::string>& subjects,
                                                                     const std::set<std::string>& events);

}  // namespace safeguard::mappa
