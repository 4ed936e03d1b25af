// The online identifiers registered sex offenders have notified (email addresses,
// usernames), indexed for platform screening: which records' register notifications ever
// listed an identifier. A check then judges each such person's picture as it stands, so
// an identifier later dropped from the register stops matching without a delete here.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "safeguard/v1/envelope.pb.h"
#include "services/mappa/state/state_reader.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

// Indexes the identifiers `e` (filed under `record`) notifies, if it is a notification or
// a correction amending one. (A retracted notification's identifiers stop matching as the
// rest do: the picture judged no longer holds them.)
void IndexIdentifiers(Transaction* txn, const std::string& record, const safeguard::v1::EventEnvelope& e);

// Takes `record` out from under the identifiers only `removed` (its events erased)
// notified, and not `remaining` (its events kept).
void UnindexIdentifiers(Transaction* txn, const std::string& record,
                        const std::vector<safeguard::v1::EventEnvelope>& removed,
                        const std::vector<safeguard::v1::EventEnvelope>& remaining);

// The records any of whose notifications listed the identifier with key `key`
// (online_identifier.h).
absl::StatusOr<std::vector<std::string>> RecordsWithIdentifier(const StateReader& state, const std::string& key);

}  // namespace safeguard::mappa
