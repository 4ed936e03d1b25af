// Reads of the disclosure scheme's cases as mappa-service folds them from police's events:
// one case, lists by force and state, the deadlines due soon and overdue per force, and
// the management information. Every read of cases states a purpose and is recorded on the
// audit topic, one record per case shown, before anything is returned; statistics hold no
// personal data and are not. Knows nothing of gRPC. Thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "common/disclosure/scheme_config.h"
#include "common/grpc/caller.h"
#include "safeguard/v1/disclosure_reads.pb.h"
#include "common/access/access_recorder.h"
#include "services/mappa/risk_view_store.h"

namespace safeguard::mappa {

class DisclosureReads {
 public:
  // `store` and `recorder` must outlive this object. `deadlines` are the scheme's.
  DisclosureReads(RiskViewStore* store, AccessRecorder* recorder, disclosure::Deadlines deadlines);

  // The case with its deadlines as of now. kNotFound naming case_ref (the attempt is
  // recorded too).
  absl::StatusOr<safeguard::v1::DisclosureCase> GetCase(const safeguard::v1::GetDisclosureCaseRequest& request,
                                                        const CallContext& call);

  absl::StatusOr<safeguard::v1::ListDisclosureCasesResponse> ListCases(
      const safeguard::v1::ListDisclosureCasesRequest& request, const CallContext& call);

  absl::StatusOr<safeguard::v1::ListDisclosureDeadlinesResponse> ListDeadlines(
      const safeguard::v1::ListDisclosureDeadlinesRequest& request, const CallContext& call);

  absl::StatusOr<safeguard::v1::GetDisclosureStatisticsResponse> Statistics(
      const safeguard::v1::GetDisclosureStatisticsRequest& request);

 private:
  RiskViewStore* const store_;
  AccessRecorder* const recorder_;
  const disclosure::Deadlines deadlines_;
};

// The management information over `cases`: one row per force (or division), counted where
// each case was handled and in the period its enquiry fell in, with the total. Pure.
safeguard::v1::GetDisclosureStatisticsResponse ComputeStatistics(
    const std::vector<safeguard::v1::DisclosureCase>& cases, std::optional<absl::CivilDay> from,
    std::optional<absl::CivilDay> until, safeguard::v1::StatisticsGrouping grouping);

}  // namespace safeguard::mappa
