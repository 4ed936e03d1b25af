// The disclosure scheme's cases as mappa-service holds them: each police case folded from
// its steps on the bus (common/disclosure/disclosure_case.h, the same fold police-service
// checks its commands against). An enquiry names its subject but is not a fact about them
// (and the subject is never told of it), so it is folded into its case, never into
// anyone's picture.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "safeguard/v1/disclosure_service.pb.h"
#include "safeguard/v1/envelope.pb.h"
#include "services/mappa/state/state_reader.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

class CaseFolder {
 public:
  explicit CaseFolder(Transaction* txn) : txn_(txn) {}

  // Folds the step `e` into its case.
  absl::Status Apply(const safeguard::v1::EventEnvelope& e);
  // Writes every case the batch changed.
  void Flush();

 private:
  Transaction* const txn_;
  std::map<std::string, safeguard::v1::DisclosureCase> cases_;  // this batch's, by case ref
};

// One case as its steps make it; nullopt if no step of it has arrived.
absl::StatusOr<std::optional<safeguard::v1::DisclosureCase>> GetCase(const StateReader& state,
                                                                    const std::string& case_ref);

// Calls `visit` with every case, by case ref, from the first after `after` (empty: from
// the start) until `visit` returns false.
absl::Status VisitCases(const StateReader& state, const std::string& after,
                        const std::function<bool(const safeguard::v1::DisclosureCase&)>& visit);

}  // namespace safeguard::mappa
