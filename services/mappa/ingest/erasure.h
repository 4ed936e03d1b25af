// The agencies' data protection decisions, as mappa-service carries them out
// (docs/security.md, "Erasure and restriction").
//
// Erasure: when an agency destroys a subject's data key, the destroyed key's record comes
// on its keys topic. Everything mappa-service opened with that key goes from its state:
// the events themselves, from each record they were filed under (the index of which
// records each key opened events of is kept for this), their timeline entries and
// corrections' notes, the online identifiers only they notified, what the identity index
// derived from them (references, profile, blocks, links nothing else holds up), the
// pictures folded from them (folded again from what is left, or gone), and the history
// of alert changes about the record or raised by those events (a watcher is told to take
// down each such alert that no longer stands: AlertFolder::WithdrawForgotten). Events
// parked under the key are sealed again in place. After the batch is committed, the
// state's table files are compacted (MappaState::Purge), so no file of it holds what was
// erased.
//
// When nothing of a record is left but mappa-service's own events about it (its panels'
// reviews), those go too, and mappa-service destroys its own data key for the record, so
// its reads of the record are sealed for good with it. That, and the purge, happen once the
// batch is committed; the batch records them as to do (ErasureAftermath), so that a crash
// in between leaves them to the next start (Projector).
//
// Restriction: an agency's restriction of its data (an event on its topic) is kept by the
// data key it covers; a read of a person any of whose records is restricted, by any
// agency, is refused through mappa-service (the agency's data protection officer reads
// the agency's own record). Alert watchers are told to take down the person's alerts
// (AlertFolder::WithdrawPerson), and shown them again once no restriction covers the
// person (a lifting, an erasure of the restricted record, or an unlinking).
//
// Works in one batch's transaction; not thread-safe.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/crypto/key_vault.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/keys.pb.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "services/mappa/alerts/alert_folder.h"
#include "services/mappa/identity/identity_index.h"
#include "services/mappa/projection/person_views.h"
#include "services/mappa/state/state_reader.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

class DataProtectionFolder {
 public:
  // `vault` (nullptr: events come unsealed, and nothing is indexed by key) names the data
  // keys. All must outlive the folder.
  DataProtectionFolder(Transaction* txn, const crypto::KeyVault* vault, IdentityFolder* identity,
                       PersonFolder* persons)
      : txn_(txn), vault_(vault), identity_(identity), persons_(persons) {}

  // Notes that `e`, filed under `record`, was opened with its agency's data key for it.
  void Filed(const std::string& record, const safeguard::v1::EventEnvelope& e);

  // Key `key` was destroyed: drops what it sealed (above).
  absl::Status Erase(const safeguard::v1::DataKeyRecord& key);

  // An agency's decision `e` (privacy::DecisionOf): a restriction or its lifting is kept
  // by data key; an erasure is carried out by its keys' records, when they come.
  absl::Status Decide(const safeguard::v1::EventEnvelope& e);

  // After the pictures and alerts are flushed: the alert history of what was erased, and
  // what is left to do once the batch is committed (ErasureAftermath). With `alerts`
  // (nullptr while a rebuild files events: no watch is served until it has folded
  // everyone's alerts), alert watchers are told what the batch changed in what the reads
  // show (AlertFolder). That is asked of each person of a record a decision or an erasure
  // covered, and of each whom `reshaped` (the batch's identity changes) joined or parted:
  // whether their alerts were hidden in `committed` (the state as the batch began: this
  // batch is not yet committed, and is the only writer) and are shown now, or the other
  // way round.
  absl::Status Flush(AlertFolder* alerts, const Reshaped& reshaped, const StateReader& committed);

  // Whether this batch erased anything (then the state is purged once committed).
  bool erased() const { return erasures_ > 0; }

 private:
  // The records key `key_id` opened events of.
  absl::StatusOr<std::vector<std::string>> RecordsOf(const std::string& key_id) const;
  // What the batch changed in whose alerts the reads show (Flush).
  absl::Status ShowWatchersWhatChanged(AlertFolder* alerts, const Reshaped& reshaped, const StateReader& committed);
  // Events parked under `key_id` sealed again in place.
  absl::Status SealParked(const std::string& key_id, safeguard::v1::Agency agency);

  Transaction* const txn_;
  const crypto::KeyVault* const vault_;
  IdentityFolder* const identity_;
  PersonFolder* const persons_;
  size_t erasures_ = 0;
  std::set<std::string> erased_records_;  // records nothing is left of
  safeguard::v1::ErasureAftermath aftermath_;  // mappa-service's keys for records nothing is left of
  std::set<std::string> erased_events_;   // event ids
  std::set<std::string> decided_records_;  // records a restriction, its lifting or an erasure covered
};

// --- Reads, of a snapshot or a transaction ---

// The restrictions any agency put on its data about any of `records` (none without a vault).
absl::StatusOr<std::vector<safeguard::v1::RecordRestriction>> RestrictionsOf(const StateReader& state,
                                                                           const crypto::KeyVault* vault,
                                                                           const std::vector<std::string>& records);

// Whether any agency restricted its data about any record of the person `person_key`.
absl::StatusOr<bool> IsRestrictedPerson(const StateReader& state, const crypto::KeyVault* vault,
                                        const std::string& person_key);

// The work an erasure committed in the state left to do (nullopt: none).
absl::StatusOr<std::optional<safeguard::v1::ErasureAftermath>> ErasureAftermathOf(const StateReader& state);
// Notes, in `txn`, that the aftermath is done.
void EndErasureAftermath(Transaction* txn);

// What any agency erased of the records (or references) `records`: one notice per record
// and agency whose data key for it was destroyed. Empty without a vault.
absl::StatusOr<std::vector<safeguard::v1::DataProtectionNotice>> ErasuresOf(const StateReader& state,
                                                                          const crypto::KeyVault* vault,
                                                                          const std::vector<std::string>& records);

}  // namespace safeguard::mappa
