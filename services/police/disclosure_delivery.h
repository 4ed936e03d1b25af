// A disclosure scheme delivery is a disclosure of personal data (Data Protection Act 2018
// s.62): once police-service has recorded DisclosureDelivered, the disclosure itself is
// recorded on the audit topic — who gave it, when, about whom (the case and its subject),
// the words given and the recipient — before the officer is answered.
#pragma once

#include "common/access/access_log.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "common/store/event_store.h"
#include "safeguard/v1/disclosure_service.pb.h"
#include "services/police/disclosure_commands.h"

namespace safeguard::police {

class DeliveryRecorder {
 public:
  // All must outlive this object.
  DeliveryRecorder(EventStore* store, DisclosureCommands* commands, AccessLog* access)
      : store_(store), commands_(commands), access_(access) {}

  // Appends the delivery (DisclosureCommands), then records the disclosure it made, then
  // replies. If the disclosure cannot be recorded the delivery stands and the reply is
  // kUnavailable: repeating the command with its command_id records it then.
  void Handle(const safeguard::v1::RecordDeliveryRequest& request, const CallContext& call,
              Reply<safeguard::v1::CommandResult> reply);

 private:
  EventStore* const store_;
  DisclosureCommands* const commands_;
  AccessLog* const access_;
};

}  // namespace safeguard::police
