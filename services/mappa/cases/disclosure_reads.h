// Reads of the disclosure scheme's cases as mappa-service folds them from police's events:
// one case, lists by force and state, the deadlines due soon and overdue per force, and
// the management information. Every read of cases states a purpose and is recorded on the
// audit topic, one record per case shown, before anything is returned; statistics hold no
// personal data and are not. Knows nothing of gRPC. Thread-safe.
#pragma once

#include <map>
#include <optional>

#include "absl/status/statusor.h"
#include "common/access/access_log.h"
#include "common/disclosure/scheme_config.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "safeguard/v1/disclosure_reads.pb.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {

class DisclosureReads {
 public:
  // `state` and `access` must outlive this object. `deadlines` are the scheme's.
  DisclosureReads(const MappaState* state, AccessLog* access, disclosure::Deadlines deadlines,
                  Clock clock = SystemClock());

  // The case with its deadlines as of now. kNotFound naming case_ref (the attempt is
  // recorded too).
  void Handle(const safeguard::v1::GetDisclosureCaseRequest& request, const CallContext& call,
              Reply<safeguard::v1::DisclosureCase> reply);
  // A page of cases, by case ref, of one force or state if asked.
  void Handle(const safeguard::v1::ListDisclosureCasesRequest& request, const CallContext& call,
              Reply<safeguard::v1::ListDisclosureCasesResponse> reply);
  // A page of the deadlines overdue and due soon, by force.
  void Handle(const safeguard::v1::ListDisclosureDeadlinesRequest& request, const CallContext& call,
              Reply<safeguard::v1::ListDisclosureDeadlinesResponse> reply);
  // The management information: counts only, no personal data, so nothing is recorded.
  void Handle(const safeguard::v1::GetDisclosureStatisticsRequest& request, const CallContext& call,
              Reply<safeguard::v1::GetDisclosureStatisticsResponse> reply);

 private:
  absl::StatusOr<RecordedAnswer<safeguard::v1::DisclosureCase>> Answer(
      const safeguard::v1::GetDisclosureCaseRequest& request);
  absl::StatusOr<RecordedAnswer<safeguard::v1::ListDisclosureCasesResponse>> Answer(
      const safeguard::v1::ListDisclosureCasesRequest& request);
  absl::StatusOr<RecordedAnswer<safeguard::v1::ListDisclosureDeadlinesResponse>> Answer(
      const safeguard::v1::ListDisclosureDeadlinesRequest& request);
  absl::StatusOr<safeguard::v1::GetDisclosureStatisticsResponse> Answer(
      const safeguard::v1::GetDisclosureStatisticsRequest& request);

  const MappaState* const state_;
  AccessLog* const access_;
  const disclosure::Deadlines deadlines_;
  const Clock clock_;
};

// The management information: one row per force (or division), counted where each case
// was handled and in the period its enquiry fell in, with the total. Cases are added one
// at a time, so that a national count never holds every case. Pure.
class DisclosureStatistics {
 public:
  DisclosureStatistics(std::optional<absl::CivilDay> from, std::optional<absl::CivilDay> until,
                       safeguard::v1::StatisticsGrouping grouping)
      : from_(from), until_(until), grouping_(grouping) {}

  void Add(const safeguard::v1::DisclosureCase& c);
  safeguard::v1::GetDisclosureStatisticsResponse Finish() &&;

 private:
  struct Row {
    safeguard::v1::DisclosureStatistics counts;
    std::vector<double> days;  // to decision, for the median: one number per decided case
  };
  static void Count(const safeguard::v1::DisclosureCase& c, Row* row);
  static safeguard::v1::DisclosureStatistics Finished(Row& row);

  const std::optional<absl::CivilDay> from_, until_;
  const safeguard::v1::StatisticsGrouping grouping_;
  std::map<std::pair<std::string, std::string>, Row> rows_;
  Row total_;
};

}  // namespace safeguard::mappa
