#include "services/safeguardd/embedded_system.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/grpc/server_setup.h"
#include "common/outbox/outbox_relay.h"
#include "common/status_macros.h"
#include "common/store/event_store.h"
#include "services/mappa/mappa_consumer.h"
#include "services/mappa/mappa_grpc_service.h"
#include "services/mappa/mappa_reads.h"
#include "services/mappa/risk_view_store.h"
#include "services/police/police_commands.h"
#include "services/police/police_grpc_service.h"

namespace safeguard {

struct EmbeddedSystem::Parts {
  // Declared in dependency order; destroyed in reverse.
  std::unique_ptr<RocksDbEventBus> bus;
  std::unique_ptr<EventStore> police_store;
  std::unique_ptr<OutboxRelay> police_relay;
  std::unique_ptr<police::PoliceCommands> police_commands;
  std::unique_ptr<police::PoliceGrpcService> police_service;
  std::unique_ptr<mappa::RiskViewStore> mappa_store;
  std::unique_ptr<mappa::MappaConsumer> mappa_consumer;
  std::unique_ptr<mappa::MappaReads> mappa_reads;
  std::unique_ptr<mappa::MappaGrpcService> mappa_service;
  RunningServer police_server;
  RunningServer mappa_server;
  bool stopped = false;

  // Threads stop before anything they use goes: servers (whose handlers append), then the
  // relay and consumer, then the police store (whose writer thread notifies the relay).
  ~Parts() {
    police_server.server.reset();
    mappa_server.server.reset();
    if (police_relay) police_relay->Stop();
    if (mappa_consumer) mappa_consumer->Stop();
    police_store.reset();
  }
};

absl::StatusOr<std::unique_ptr<EmbeddedSystem>> EmbeddedSystem::Start(EmbeddedOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", options.data_dir, ": ", ec.message()));
  }
  const std::filesystem::path dir(options.data_dir);
  auto p = std::make_unique<Parts>();

  ASSIGN_OR_RETURN(p->bus, RocksDbEventBus::Open((dir / "bus").string(), options.clock));
  ASSIGN_OR_RETURN(p->police_store,
                   EventStore::Open(EventStore::Options{.path = (dir / "police").string(),
                                                        .clock = options.clock}));
  p->police_relay = std::make_unique<OutboxRelay>(p->police_store.get(), p->bus.get(),
                                                  OutboxRelay::Options{.topic = kPoliceTopic});
  p->police_store->SetCommitListener([relay = p->police_relay.get()] { relay->Notify(); });
  p->police_relay->Start();
  p->police_commands = std::make_unique<police::PoliceCommands>(p->police_store.get(), options.clock);
  p->police_service = std::make_unique<police::PoliceGrpcService>(p->police_commands.get());

  ASSIGN_OR_RETURN(p->mappa_store,
                   mappa::RiskViewStore::Open((dir / "mappa").string(), options.clock));
  p->mappa_consumer = std::make_unique<mappa::MappaConsumer>(
      p->bus.get(), p->mappa_store.get(), std::vector<std::string>{kPoliceTopic});
  p->mappa_consumer->Start();
  p->mappa_reads =
      std::make_unique<mappa::MappaReads>(p->mappa_store.get(), p->bus.get(), options.clock);
  p->mappa_service = std::make_unique<mappa::MappaGrpcService>(p->mappa_reads.get());

  ASSIGN_OR_RETURN(p->police_server,
                   StartServer(options.host, options.police_port, {p->police_service.get()}));
  ASSIGN_OR_RETURN(p->mappa_server,
                   StartServer(options.host, options.mappa_port, {p->mappa_service.get()}));
  return std::unique_ptr<EmbeddedSystem>(new EmbeddedSystem(std::move(p)));
}

EmbeddedSystem::EmbeddedSystem(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

EmbeddedSystem::~EmbeddedSystem() { Shutdown(); }

void EmbeddedSystem::Shutdown() {
  if (parts_->stopped) return;
  parts_->stopped = true;
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(5);
  parts_->police_server.server->Shutdown(deadline);
  parts_->mappa_server.server->Shutdown(deadline);
  parts_->police_relay->Stop();
  parts_->mappa_consumer->Stop();
}

const std::string& EmbeddedSystem::police_address() const { return parts_->police_server.address; }
RocksDbEventBus* EmbeddedSystem::bus() const { return parts_->bus.get(); }
const std::string& EmbeddedSystem::mappa_address() const { return parts_->mappa_server.address; }

}  // namespace safeguard
