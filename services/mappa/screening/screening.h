// Identifier screening for accredited online platforms.
//
// Held means: the identifier (normalised, see online_identifier.h) is on the latest
// register notification of a person whose notification period is current, and who is
// under a relevant restriction today: an order in force (SHPO, SOPO, sexual risk order),
// or an active probation supervision with a condition restricting contact with children
// or monitoring internet use. The person is judged whole: the notification may be in the
// police's record and the licence condition in probation's, once the records are linked.
// The answer is that one bit.
//
// Every check, held or not, is recorded on the audit topic before it is answered, as a
// disclosure to the calling platform (who asked, when, what identifier, their reference,
// and for a match, whose record). If it cannot be recorded, no answer is given.
// Knows nothing of gRPC. Thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/access/access_log.h"
#include "common/crypto/key_vault.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "common/time_util.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/screening_service.pb.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::mappa {

class Screening {
 public:
  // `state` and `access` must outlive this object.
  // `vault` (nullptr: none) names the data keys agencies restricted: a restricted person
  // is not judged.
  Screening(const MappaState* state, AccessLog* access, Clock clock = SystemClock(),
            const crypto::KeyVault* vault = nullptr);

  // The calling platform is `call.actor.user()`; usernames are matched on that platform.
  void Handle(const safeguard::v1::CheckIdentifierRequest& request, const CallContext& call,
              Reply<safeguard::v1::CheckIdentifierResponse> reply);

  // The answer and the disclosure it makes, before it is recorded.
  absl::StatusOr<RecordedAnswer<safeguard::v1::CheckIdentifierResponse>> Answer(
      const safeguard::v1::CheckIdentifierRequest& request, const CallContext& call);

 private:
  const MappaState* const state_;
  AccessLog* const access_;
  const Clock clock_;
  const crypto::KeyVault* const vault_;
};

// Whether `view`, computed as of its day, holds `key` on its current register notification
// under a relevant restriction (see above). Exposed for tests.
bool HeldUnderRestriction(const safeguard::v1::RiskView& view, const std::string& key);

}  // namespace safeguard::mappa
