// A disclosure scheme delivery is a disclosure of personal data (Data Protection Act 2018
// s.62): once police-service has recorded DisclosureDelivered, the disclosure itself is
// recorded on the audit topic — who gave it, when, about whom (the case and its subject),
// the words given and the recipient — before the officer is answered.
#pragma once

#include "absl/status/statusor.h"
#include "common/access/access_recorder.h"
#include "common/grpc/caller.h"
#include "common/store/event_store.h"
#include "safeguard/v1/disclosure_service.pb.h"

namespace safeguard::police {

class DeliveryRecorder {
 public:
  // `store` and `recorder` must outlive this object.
  DeliveryRecorder(EventStore* store, AccessRecorder* recorder) : store_(store), recorder_(recorder) {}

  // Records the disclosure that `request` (already appended as `result`) made. Blocks on
  // the bus: call from a handler's thread. kUnavailable when it cannot be recorded: the
  // delivery stands, and repeating the command with its command_id records it then.
  absl::Status RecordDisclosure(const safeguard::v1::RecordDeliveryRequest& request,
                                const safeguard::v1::CommandResult& result, const CallContext& call);

 private:
  EventStore* const store_;
  AccessRecorder* const recorder_;
};

}  // namespace safeguard::police
