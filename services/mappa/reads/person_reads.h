// Reads of a person's consolidated picture: the picture (GetRiskView), one of its lists
// whole (GetRiskViewSection), and its timeline. Each is answered from one snapshot of
// the state (state/snapshot.h), so that what it shows is one moment's, and is recorded on
// the audit topic, durably, before anything is given, against exactly the records its
// answer holds: the person's records, and each child's record consulted to show a child
// in contact's protection plans. A look-up of a subject that is not held is recorded too.
// Every read states a purpose. Knows nothing of gRPC. Thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "common/access/access_log.h"
#include "common/crypto/key_vault.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "common/time_util.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {

// The most entries of one list GetRiskView shows, and about the most bytes of the whole
// answer; a section of the picture is paged in pages of at most kMaxSectionPage.
inline constexpr int kMaxShownPerSection = 100;
inline constexpr size_t kMaxRiskViewBytes = 1 << 20;
inline constexpr uint32_t kMaxSectionPage = 100;

class PersonReads {
 public:
  // `state`, `access` and `vault` must outlive this object. `vault` (nullptr: none) names
  // the data keys whose destruction tells a reader what was erased.
  PersonReads(const MappaState* state, AccessLog* access, Clock clock = SystemClock(),
              const crypto::KeyVault* vault = nullptr)
      : state_(state), access_(access), clock_(std::move(clock)), vault_(vault) {}

  // The person's picture with its computed fields as of today, including, for each child
  // in current contact, that child's open child protection plans from the child's own
  // record, every identity link touching the person's records, and the alerts that hold.
  // Long lists are shortened to their most recent entries (RiskView.shortened_sections).
  // kInvalidArgument naming the field for a missing subject reference or purpose;
  // kNotFound for an unknown subject, saying what an agency erased of them if it did;
  // kPermissionDenied when an agency restricted one of the person's records (only its
  // data protection officer reads it, through the agency). The same holds for the
  // section and timeline reads; FindPerson lists a restricted person by keys alone.
  void Handle(const safeguard::v1::GetRiskViewRequest& request, const CallContext& call,
              Reply<safeguard::v1::RiskView> reply);
  absl::StatusOr<RecordedAnswer<safeguard::v1::RiskView>> Answer(const safeguard::v1::GetRiskViewRequest& request);

  // One list of the picture, most recent first, a page at a time.
  void Handle(const safeguard::v1::GetRiskViewSectionRequest& request, const CallContext& call,
              Reply<safeguard::v1::RiskViewSectionPage> reply);
  absl::StatusOr<RecordedAnswer<safeguard::v1::RiskViewSectionPage>> Answer(
      const safeguard::v1::GetRiskViewSectionRequest& request);

  // The people whose records compare best with a name and date of birth, ranked, with
  // the reasons (identity/match.h), at most max_results. Recorded as a consultation of
  // every record of every person listed, with what was searched for; a search finding no
  // one is recorded too, under what was searched for. kInvalidArgument naming every field
  // missing or malformed.
  void Handle(const safeguard::v1::FindPersonRequest& request, const CallContext& call,
              Reply<safeguard::v1::FindPersonResponse> reply);
  absl::StatusOr<RecordedAnswer<safeguard::v1::FindPersonResponse>> Answer(
      const safeguard::v1::FindPersonRequest& request);

  // A page of the person's timeline, ordered by when things happened.
  void Handle(const safeguard::v1::GetTimelineRequest& request, const CallContext& call,
              Reply<safeguard::v1::GetTimelineResponse> reply);
  absl::StatusOr<RecordedAnswer<safeguard::v1::GetTimelineResponse>> Answer(
      const safeguard::v1::GetTimelineRequest& request);

 private:
  const MappaState* const state_;
  AccessLog* const access_;
  const Clock clock_;
  const crypto::KeyVault* const vault_;
};

// Shortens `view`'s long lists to their most recent entries, at most
// kMaxShownPerSection each and about kMaxRiskViewBytes in all, saying what it shortened.
// Exposed for tests.
void ShortenLongLists(safeguard::v1::RiskView* view);

}  // namespace safeguard::mappa
