// Every Safeguard service in one process: police-service, probation-service,
// childrens-service and mappa-service on one bus, the embedded RocksDB log by default.
// State lives under `data_dir`: <data_dir>/bus (embedded bus only), /police, /probation,
// /childrens, /mappa
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/bus/bus_config.h"
#include "common/crypto/key_vault.h"
#include "common/grpc/operations_service.h"
#include "common/service_node.h"
#include "common/store/backup.h"
#include "common/security/transport_security.h"
#include "common/time_util.h"

namespace safeguard {

class RocksDbEventBus;

struct AllInOneOptions {
  std::string data_dir;
  std::string host = "127.0.0.1";
  int police_port = 0;  // 0: the OS chooses
  int mappa_port = 0;
  int probation_port = 0;
  int childrens_port = 0;
  BusConfig bus;        // embedded unless set otherwise
  // How every server admits callers: mutual TLS and the access policy (required).
  security::ServerSecurity security;
  Clock clock = SystemClock();
  // mappa-service is ready for calls only within this many records of the log's end.
  int64_t ready_max_lag = 10000;
  // The process's backups, served by each OperationsService (null: none). Must outlive
  // the servers.
  Backups* backups = nullptr;
  // The deployment's key vault (required): every service seals its events' personal data
  // under keys it wraps (common/crypto/key_vault.h).
  std::shared_ptr<const crypto::KeyVault> vault;
};

class AllInOneSystem {
 public:
  // Opens the bus and both services' state and starts their servers. kUnavailable when a
  // port cannot be bound or a store is held by another process.
  static absl::StatusOr<std::unique_ptr<AllInOneSystem>> Start(AllInOneOptions options);
  ~AllInOneSystem();  // Shutdown()

  // Stops accepting calls, finishes those in flight, stops the relay and consumer.
  void Shutdown();

  const std::string& police_address() const;
  const std::string& mappa_address() const;
  const std::string& probation_address() const;
  const std::string& childrens_address() const;
  const std::string& bus_description() const;
  // The services' nodes and their status, for the operator's port (common/operator_port.h).
  std::vector<ServiceNode*> nodes() const;
  std::vector<const ProcessStatus*> statuses() const;
  // The embedded bus (nullptr on Kafka), for in-process readers such as tests.
  RocksDbEventBus* embedded_bus() const;
  // The bus, embedded or Kafka (the mock cluster's too), for in-process readers.
  EventBus* bus() const;

  struct Parts;

 private:
  explicit AllInOneSystem(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace safeguard
