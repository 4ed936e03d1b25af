#include "common/agency/agency_node.h"

#include <grpcpp/impl/codegen/service_type.h>

#include "common/agency/data_protection_grpc_service.h"
#include "common/status_macros.h"
#include "safeguard/v1/audit.grpc.pb.h"

namespace safeguard::agency {

absl::StatusOr<std::unique_ptr<AgencyNode>> AgencyNode::Start(AgencyNodeOptions options, EventBus* bus,
                                                             const MakeAgencyServices& make_services) {
  std::unique_ptr<AgencyNode> node(new AgencyNode());
  node->service_name_ = options.service_name;
  ASSIGN_OR_RETURN(node->log_, EventLog::Open(EventLog::Options{.data_dir = options.data_dir,
                                                                .name = options.store_name,
                                                                .topic = options.topic,
                                                                .keys_topic = options.keys_topic,
                                                                .vault = options.vault,
                                                                .folder = options.folder,
                                                                .checkpoint_interval = options.checkpoint_interval,
                                                                .clock = options.clock},
                                              bus));
  node->access_ = std::make_unique<AccessLog>(
      bus, options.audit_topic, options.clock,
      AccessLog::Sealing{.vault = options.vault,
                         .key_for = [store = node->log_->store(), agency = options.agency](const std::string& basis) {
                           return store->KeyFor(agency, basis);
                         },
                         .keys_topic = options.keys_topic,
                         .keys_published = [store = node->log_->store()](const std::vector<std::string>& ids) {
                           store->RepublishIfDestroyed(ids);
                         }});
  ASSIGN_OR_RETURN(node->protection_, DataProtection::Open({.store = node->log_->store(),
                                                            .vault = options.vault,
                                                            .agency = options.agency,
                                                            .stream_prefix = options.store_name,
                                                            .keying = options.keying,
                                                            .record_view = options.record_view,
                                                            .access = node->access_.get(),
                                                            .retention = options.retention,
                                                            .clock = options.clock}));
  node->services_ = make_services(AgencyParts{.store = node->log_->store(),
                                              .access = node->access_.get(),
                                              .protection = node->protection_.get(),
                                              .clock = options.clock});
  node->services_.push_back({safeguard::v1::DataProtectionService::service_full_name(),
                             std::make_unique<DataProtectionGrpcService>(
                                 node->protection_.get(), options.agency, node->log_->store(), options.store_name,
                                 options.keying,
                                 options.record_view, node->access_.get(), options.clock)});
  return node;
}

// The services (which use the store) go before the decisions, and those before the log.
AgencyNode::~AgencyNode() {
  services_.clear();
  protection_.reset();
  log_.reset();
}

std::vector<ServedService> AgencyNode::services() {
  std::vector<ServedService> out;
  for (const auto& s : services_) out.push_back({s.name, s.service.get()});
  out.push_back({safeguard::v1::AuditService::service_full_name(), log_->audit_service()});
  return out;
}

void AgencyNode::Stop() { log_->Stop(); }

absl::Status AgencyNode::ReportStatus(safeguard::v1::ServiceStatus* status) {
  status->add_services(service_name_);
  log_->ReportStatus(status);
  *status->mutable_reviews() = protection_->Reviews();
  return absl::OkStatus();
}

}  // namespace safeguard::agency
