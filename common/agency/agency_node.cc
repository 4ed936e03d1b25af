#include "common/agency/agency_node.h"

#include <grpcpp/impl/codegen/service_type.h>

#include <filesystem>

#include "common/audit/log_audit.h"
#include "common/outbox/outbox_relay.h"
#include "common/status_macros.h"

namespace safeguard::agency {

struct AgencyNode::Parts {
  std::string service_name;
  std::unique_ptr<EventStore> store;
  std::unique_ptr<OutboxRelay> relay;
  std::unique_ptr<audit::LogAudit> audit;
  std::unique_ptr<AccessRecorder> recorder;
  std::vector<std::unique_ptr<grpc::Service>> services;

  // The relay and the checkpointer stop before the store they read goes; the store's
  // writer (which notifies the relay) stops before the relay object goes.
  ~Parts() {
    if (relay) relay->Stop();
    audit.reset();
    store.reset();
  }
};

absl::StatusOr<std::unique_ptr<AgencyNode>> AgencyNode::Start(AgencyNodeOptions options,
                                                             EventBus* bus,
                                                             const MakeAgencyServices& make_services) {
  auto p = std::make_unique<Parts>();
  p->service_name = options.service_name;
  ASSIGN_OR_RETURN(p->store,
                   EventStore::Open(EventStore::Options{
                       .path = (std::filesystem::path(options.data_dir) / options.store_name).string(),
                       .clock = options.clock}));
  p->relay = std::make_unique<OutboxRelay>(p->store.get(), bus, OutboxRelay::Options{.topic = options.topic});
  p->store->SetCommitListener([relay = p->relay.get()] { relay->Notify(); });
  p->relay->Start();
  ASSIGN_OR_RETURN(p->audit, audit::LogAudit::Start(p->store.get(), options.data_dir, options.store_name,
                                                    options.checkpoint_interval, options.clock));
  p->recorder = std::make_unique<AccessRecorder>(bus, options.audit_topic, options.clock);
  p->services = make_services(p->store.get(), p->recorder.get(), options.clock);
  return std::unique_ptr<AgencyNode>(new AgencyNode(std::move(p)));
}

AgencyNode::AgencyNode(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
AgencyNode::~AgencyNode() = default;

std::vector<grpc::Service*> AgencyNode::services() {
  std::vector<grpc::Service*> out;
  for (const auto& s : parts_->services) out.push_back(s.get());
  out.push_back(parts_->audit->service());
  return out;
}

void AgencyNode::Stop() {
  parts_->relay->Stop();
  parts_->audit->Stop();
}

absl::Status AgencyNode::ReportStatus(safeguard::v1::ServiceStatus* status) {
  status->add_services(parts_->service_name);
  status->set_last_log_sequence(status->last_log_sequence() + parts_->store->LastSequence());
  ASSIGN_OR_RETURN(uint64_t pending, parts_->store->OutboxPending());
  status->set_outbox_pending(status->outbox_pending() + pending);
  status->set_events_published(status->events_published() + parts_->relay->published());
  return absl::OkStatus();
}

}  // namespace safeguard::agency
