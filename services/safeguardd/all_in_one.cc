#include "services/safeguardd/all_in_one.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/bus/bus_factory.h"
#include "common/grpc/operations_service.h"
#include "common/grpc/server_setup.h"
#include "common/status_macros.h"
#include "services/mappa/mappa_node.h"
#include "services/police/police_service_node.h"
#include "services/probation/probation_service_node.h"
#include "services/childrens/childrens_service_node.h"

namespace safeguard {

namespace {

std::vector<ServedService> WithOps(std::vector<ServedService> services, grpc::Service* ops) {
  services.push_back({safeguard::v1::OperationsService::service_full_name(), ops});
  return services;
}

ReadyCheck ReadinessOf(ServiceNode* node) {
  return [node] { return node->Ready(); };
}

}  // namespace

struct AllInOneSystem::Parts {
  std::shared_ptr<const crypto::KeyVault> vault;  // declared first: destroyed after every node
  OpenedBus bus;
  std::shared_ptr<void> refusals;  // refused calls recorded on the audit topic
  std::unique_ptr<agency::AgencyNode> police;
  std::unique_ptr<agency::AgencyNode> probation;
  std::unique_ptr<agency::AgencyNode> childrens;
  std::unique_ptr<mappa::MappaNode> mappa;
  std::unique_ptr<OperationsGrpcService> police_ops;
  std::unique_ptr<OperationsGrpcService> mappa_ops;
  std::unique_ptr<OperationsGrpcService> probation_ops;
  std::unique_ptr<OperationsGrpcService> childrens_ops;
  RunningServer police_server;
  RunningServer mappa_server;
  RunningServer probation_server;
  RunningServer childrens_server;
  bool stopped = false;

  // Servers (whose handlers use the nodes) stop first, then the nodes' threads, then the
  // bus they publish to.
  ~Parts() {
    police_server.Reset();
    mappa_server.Reset();
    probation_server.Reset();
    childrens_server.Reset();
    police.reset();
    probation.reset();
    childrens.reset();
    mappa.reset();
  }
};

absl::StatusOr<std::unique_ptr<AllInOneSystem>> AllInOneSystem::Start(AllInOneOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", options.data_dir, ": ", ec.message()));
  }
  if (options.vault == nullptr) return absl::InvalidArgumentError("no key vault (AllInOneOptions::vault)");
  auto p = std::make_unique<Parts>();
  p->vault = options.vault;
  const crypto::KeyVault* vault = options.vault.get();
  ASSIGN_OR_RETURN(p->bus, OpenBus(options.bus, options.data_dir));
  p->refusals = options.security.refusals->Attach(p->bus.bus.get(), options.bus.topics.audit_access);
  ASSIGN_OR_RETURN(p->police, police::StartPoliceNode(options.data_dir, options.bus, p->bus.bus.get(), vault, options.clock));
  ASSIGN_OR_RETURN(p->probation,
                   probation::StartProbationNode(options.data_dir, options.bus, p->bus.bus.get(), vault, options.clock));
  ASSIGN_OR_RETURN(p->childrens,
                   childrens::StartChildrensNode(options.data_dir, options.bus, p->bus.bus.get(), vault, options.clock));
  ASSIGN_OR_RETURN(p->mappa, mappa::MappaNode::Start(
                                 {.data_dir = options.data_dir, .topics = options.bus.topics,
                                  .deadlines = options.bus.scheme.deadlines,
                                  .checkpoint_interval = options.bus.checkpoint_interval, .clock = options.clock,
                                  .policy = options.security.policy,
                                  .ready_max_lag = options.ready_max_lag,
                                  .vault = vault},
                                 p->bus.bus.get()));
  // Each server's status: its node's, and the access policy in force.
  auto reporters = [policy = options.security.policy](ServiceNode* node) {
    return std::vector<OperationsGrpcService::Reporter>{
        [node](safeguard::v1::ServiceStatus* s) { return node->ReportStatus(s); },
        [policy](safeguard::v1::ServiceStatus* s) { return policy->ReportStatus(s); }};
  };
  p->police_ops = std::make_unique<OperationsGrpcService>(p->bus.description, reporters(p->police.get()), options.backups);
  p->mappa_ops = std::make_unique<OperationsGrpcService>(p->bus.description, reporters(p->mappa.get()), options.backups);
  p->probation_ops = std::make_unique<OperationsGrpcService>(p->bus.description, reporters(p->probation.get()),
                                                        options.backups);
  ASSIGN_OR_RETURN(p->probation_server, StartServer(options.host, options.probation_port,
                                                    WithOps(p->probation->services(), p->probation_ops.get()),
                                                    options.security, ReadinessOf(p->probation.get())));
  p->childrens_ops = std::make_unique<OperationsGrpcService>(p->bus.description, reporters(p->childrens.get()),
                                                        options.backups);
  ASSIGN_OR_RETURN(p->childrens_server, StartServer(options.host, options.childrens_port,
                                                    WithOps(p->childrens->services(), p->childrens_ops.get()),
                                                    options.security, ReadinessOf(p->childrens.get())));
  ASSIGN_OR_RETURN(p->police_server, StartServer(options.host, options.police_port,
                                                 WithOps(p->police->services(), p->police_ops.get()), options.security,
                                                 ReadinessOf(p->police.get())));
  ASSIGN_OR_RETURN(p->mappa_server, StartServer(options.host, options.mappa_port,
                                                WithOps(p->mappa->services(), p->mappa_ops.get()), options.security,
                                                ReadinessOf(p->mappa.get())));
  return std::unique_ptr<AllInOneSystem>(new AllInOneSystem(std::move(p)));
}

AllInOneSystem::AllInOneSystem(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

AllInOneSystem::~AllInOneSystem() { Shutdown(); }

void AllInOneSystem::Shutdown() {
  if (parts_->stopped) return;
  parts_->stopped = true;
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(5);
  parts_->police_server.server->Shutdown(deadline);
  parts_->mappa_server.server->Shutdown(deadline);
  parts_->probation_server.server->Shutdown(deadline);
  parts_->childrens_server.server->Shutdown(deadline);
  parts_->police->Stop();
  parts_->probation->Stop();
  parts_->childrens->Stop();
  parts_->mappa->Stop();
}

const std::string& AllInOneSystem::police_address() const { return parts_->police_server.address; }
const std::string& AllInOneSystem::mappa_address() const { return parts_->mappa_server.address; }
const std::string& AllInOneSystem::probation_address() const {
  return parts_->probation_server.address;
}
const std::string& AllInOneSystem::childrens_address() const {
  return parts_->childrens_server.address;
}
std::vector<ServiceNode*> AllInOneSystem::nodes() const {
  return {parts_->police.get(), parts_->probation.get(), parts_->childrens.get(), parts_->mappa.get()};
}

std::vector<const ProcessStatus*> AllInOneSystem::statuses() const {
  return {&parts_->police_ops->status(), &parts_->probation_ops->status(), &parts_->childrens_ops->status(),
          &parts_->mappa_ops->status()};
}

const std::string& AllInOneSystem::bus_description() const { return parts_->bus.description; }
RocksDbEventBus* AllInOneSystem::embedded_bus() const { return parts_->bus.embedded; }
EventBus* AllInOneSystem::bus() const { return parts_->bus.bus.get(); }

}  // namespace safeguard
