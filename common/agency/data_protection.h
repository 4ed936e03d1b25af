// An agency's data protection decisions (docs/security.md, "Erasure and restriction"):
// its data protection officer erases or restricts a subject's personal data, or lifts a
// restriction, and each decision is an event on the agency's stream
// "<agency>/data-protection" (common/privacy/decisions.h).
//
// An erasure destroys every data key the agency holds for the references given
// (EventStore::DestroyKey): the subject's events stay in the log, sealed, and nothing can
// open them again; the destroyed keys' records travel on the keys topic, and
// mappa-service drops the data from its views when it reads them. A decision recorded
// before a crash whose keys were not yet destroyed is carried out when the service next
// starts. A restriction hides the subject from every read of the agency's record but the
// officer's own (DataProtectionService.GetRecord); the restrictions in force are kept in
// memory, read back from the decisions stream at start.
//
// Review and retention (common/privacy/retention.h): every record of the agency's (its
// record of one subject, under one data key) has a review date its rules give from what
// it holds. The schedule is folded from the agency's log, incrementally, on the
// component's thread: at start (in the background), every minute (for the status and its
// metrics) and before each listing of the queue. A review's outcome is a decision like
// any other: kept (RetentionReviewed, the next review from then on), restricted or erased.
//
// Decisions are carried out one at a time on the component's own thread, so that two
// cannot race between their checks and their appends, and no gRPC thread waits on the
// flush and compaction an erasure makes. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/access/access_log.h"
#include "common/agency/command_validation.h"
#include "common/agency/data_protection_validation.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "common/privacy/retention.h"
#include "common/store/event_store.h"
#include "common/time_util.h"
#include "safeguard/v1/data_protection_service.pb.h"
#include "safeguard/v1/operations.pb.h"

namespace safeguard::crypto {
class KeyVault;
}

namespace safeguard::agency {

class DataProtection {
 public:
  struct Options {
    EventStore* store = nullptr;              // must outlive this object
    const crypto::KeyVault* vault = nullptr;  // names the data keys; must outlive this object
    safeguard::v1::Agency agency = safeguard::v1::AGENCY_UNSPECIFIED;
    std::string stream_prefix;                // the agency's streams: "<stream_prefix>/<subject key>"
    SubjectKeying keying = SubjectKeying::kPolice;
    std::string record_view;                  // its record in access records, e.g. "police.Record"
    AccessLog* access = nullptr;              // records each listing of the review queue
    privacy::RetentionRules retention = privacy::RetentionRules::Defaults();
    Clock clock = SystemClock();
  };

  using Kind = DecisionKind;

  // A restriction in force.
  struct Restriction {
    std::string basis;  // its label, e.g. "DPA 2018 s.47(3)"
    absl::Time since;
    std::string decision_id;
  };

  // What holds for a subject, by the keys the agency files them under.
  struct SubjectState {
    std::optional<Restriction> restriction;             // any of the keys restricted
    std::optional<safeguard::v1::KeyDestruction> erased;  // any of the keys destroyed
  };

  // Reads the decisions back, and destroys the keys of any erasure not yet carried out.
  static absl::StatusOr<std::unique_ptr<DataProtection>> Open(Options options);
  // Carries out the decisions already queued, then stops.
  ~DataProtection();

  // Records a decision of `kind`: kInvalidArgument naming each bad field (all at once);
  // kPermissionDenied for a caller of another agency; kNotFound when the agency holds no
  // data key for the references; kFailedPrecondition when the subject is erased already,
  // restricted already (a restriction), or not restricted (a lift). `reply` runs once the
  // decision is durable and carried out, on the component's thread.
  void Decide(Kind kind, const safeguard::v1::DataProtectionRequest& request, const CallContext& call,
              Reply<safeguard::v1::CommandResult> reply);

  // The state of the subject filed under `subject_keys`. Thread-safe.
  absl::StatusOr<SubjectState> StateOf(const std::vector<std::string>& subject_keys) const;

  // The review queue (DataProtectionService.ListReviews): kInvalidArgument naming each
  // bad field; recorded as a consultation of every record listed. `reply` runs on the
  // component's thread.
  void ListReviews(const safeguard::v1::ListReviewsRequest& request, const CallContext& call,
                   Reply<safeguard::v1::ListReviewsResponse> reply);

  // The schedule as last folded (for the status and its metrics). Thread-safe.
  safeguard::v1::ReviewStatus Reviews() const;

 private:
  explicit DataProtection(Options options);
  absl::StatusOr<safeguard::v1::CommandResult> Carry(Kind kind, const safeguard::v1::DataProtectionRequest& request,
                                                     const CallContext& call);
  // Applies decision event `e` to what is in force; for an erasure, destroys its keys.
  absl::Status Apply(const safeguard::v1::EventEnvelope& e);
  void Work();
  // Folds the log's events since the last fold into the schedule, and counts it. On the
  // component's thread only.
  absl::Status Refresh();
  absl::StatusOr<RecordedAnswer<safeguard::v1::ListReviewsResponse>> Queue(
      const safeguard::v1::ListReviewsRequest& request);
  // The review date of the record under data key `key_id` were it reviewed on `day`.
  std::optional<privacy::ReviewDate> ReviewedOn(const std::string& key_id, absl::CivilDay day);

  // One record's place in the schedule.
  struct Scheduled {
    privacy::RecordFacts facts;
    std::set<std::string> subject_keys;
  };

  const Options options_;
  const std::string stream_id_;

  mutable std::mutex mu_;
  std::map<std::string, Restriction> restricted_;  // by data key id
  std::deque<std::function<void()>> queue_;
  safeguard::v1::ReviewStatus reviews_;  // as last counted

  // The component's thread's alone.
  std::map<std::string, Scheduled> schedule_;  // by data key id
  uint64_t folded_to_ = 0;                     // the last log sequence folded into it
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread worker_;
};
}  // namespace safeguard::agency
