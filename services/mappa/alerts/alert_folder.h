// The alerts that hold now, kept per person, and the log of every change (raised,
// updated, cleared; withdrawn and reinstated by data protection decisions), in the same
// transaction as the facts that change them: a batch
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
  // Works in `txn` as of `now`; the change log continues after `last_sequence`. With a
  // `vault` (nullptr: none, and nothing is withdrawn), each alert is stored with its
  // withdrawal id (AlertWithdrawalId).
  AlertFolder(Transaction* txn, absl::Time now, uint64_t last_sequence, const crypto::KeyVault* vault)
      : txn_(txn), now_(now), sequence_(last_sequence), vault_(vault) {}

  // Brings the stored alerts of the person `person_key` to what `facts` (their picture's
  // facts) raise today; nullptr for a person who is no more (a link made them part of
  // another): their alerts clear.
  absl::Status Update(const std::string& person_key, const safeguard::v1::RiskView* facts);

  // Whether the person `person_key` has alerts standing.
  absl::StatusOr<bool> AnyStanding(const std::string& person_key) const;

  // Data protection decisions (ingest/erasure.h), after this batch's updates. The reads
  // hide a restricted person's alerts (reads/alert_reads.h), and an erasure forgets an
  // erased record's changes; a watcher that was shown one of those alerts is told to take
  // it down by the changes logged here.
  //
  // The person `person_key`'s alerts were shown and are now restricted: each standing
  // alert is withdrawn (ALERT_WITHDRAWN; the reads give only its withdrawal id).
  absl::Status WithdrawPerson(const std::string& person_key);
  // They were restricted and are shown again: each standing alert is reinstated.
  absl::Status Reinstate(const std::string& person_key);
  // An erasure took the changes of `forgotten` out of the history (ForgetAlertChanges):
  // each that no longer stands is withdrawn, by its withdrawal id alone; each that still
  // stands (on what is left) is given again as it stands (ALERT_UPDATED), since the
  // change that gave it so may be among those forgotten; unless it is the alert of one of
  // `erased_subjects` (a person a MAPPA user's link keeps keyed by an erased record), which
  // is withdrawn too rather than named again in the history.
  absl::Status WithdrawForgotten(const std::vector<safeguard::v1::Alert>& forgotten,
                                 const std::set<std::string>& erased_subjects);

  // The last change's sequence, once the transaction commits.
  uint64_t last_sequence() const { return sequence_; }

 private:
  // Appends a change of `kind` to the history.
  void Log(safeguard::v1::AlertChangeKind kind, const safeguard::v1::Alert& alert);
  // The person's standing alerts (none: an empty set).
  absl::StatusOr<safeguard::v1::AlertSet> Standing(const std::string& person_key) const;

  Transaction* const txn_;
  const absl::Time now_;
  uint64_t sequence_;
  const crypto::KeyVault* const vault_;
};

// What an ALERT_WITHDRAWN change names the alert `alert_id` by (Alert.withdrawal_id): its
// pseudonym, under the deployment's pseudonym key.
std::string AlertWithdrawalId(const crypto::KeyVault& vault, const std::string& alert_id);

// The withdrawal id of `alert`: the one stored with it, or (stored before alerts carried
// one) computed.
std::string WithdrawalIdOf(const crypto::KeyVault& vault, const safeguard::v1::Alert& alert);

// `change` as a withdrawal: its kind ALERT_WITHDRAWN, and of its alert only the
// withdrawal id (none without a vault).
void AsWithdrawal(const crypto::KeyVault* vault, safeguard::v1::AlertChange* change);

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
