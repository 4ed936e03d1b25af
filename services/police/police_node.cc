#include "services/police/police_node.h"

#include <filesystem>

#include "common/outbox/outbox_relay.h"
#include "common/status_macros.h"
#include "common/store/event_store.h"
#include "services/police/police_commands.h"
#include "services/police/police_grpc_service.h"

namespace safeguard::police {

struct PoliceNode::Parts {
  std::unique_ptr<EventStore> store;
  std::unique_ptr<OutboxRelay> relay;
  std::unique_ptr<PoliceCommands> commands;
  std::unique_ptr<PoliceGrpcService> service;

  // The relay stops before the store it reads goes; the store's writer (which notifies
  // the relay) stops before the relay object goes.
  ~Parts() {
    if (relay) relay->Stop();
    store.reset();
  }
};

absl::StatusOr<std::unique_ptr<PoliceNode>> PoliceNode::Start(PoliceNodeOptions options,
                                                             EventBus* bus) {
  auto p = std::make_unique<Parts>();
  ASSIGN_OR_RETURN(p->store, EventStore::Open(EventStore::Options{
                                 .path = (std::filesystem::path(options.data_dir) / "police").string(),
                                 .clock = options.clock}));
  p->relay = std::make_unique<OutboxRelay>(p->store.get(), bus, OutboxRelay::Options{.topic = options.topic});
  p->store->SetCommitListener([relay = p->relay.get()] { relay->Notify(); });
  p->relay->Start();
  p->commands = std::make_unique<PoliceCommands>(p->store.get(), options.clock);
  p->service = std::make_unique<PoliceGrpcService>(p->commands.get());
  return std::unique_ptr<PoliceNode>(new PoliceNode(std::move(p)));
}

PoliceNode::PoliceNode(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
PoliceNode::~PoliceNode() = default;

grpc::Service* PoliceNode::service() { return parts_->service.get(); }

void PoliceNode::Stop() { parts_->relay->Stop(); }

absl::Status PoliceNode::ReportStatus(safeguard::v1::ServiceStatus* status) {
  status->add_services("police-service");
  status->set_last_log_sequence(parts_->store->LastSequence());
  ASSIGN_OR_RETURN(uint64_t pending, parts_->store->OutboxPending());
  status->set_outbox_pending(pending);
  status->set_events_published(parts_->relay->published());
  return absl::OkStatus();
}

}  // namespace safeguard::police
