// Every Safeguard service in one process on the embedded bus: police-service with its
// event store and outbox relay, the RocksDB event bus, and mappa-service with its consumer
// and views. Each keeps its RocksDB under its own folder of `data_dir`:
//   <data_dir>/bus, <data_dir>/police, <data_dir>/mappa
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/time_util.h"

namespace safeguard {

class RocksDbEventBus;

struct EmbeddedOptions {
  std::string data_dir;
  std::string host = "127.0.0.1";
  int police_port = 0;  // 0: the OS chooses
  int mappa_port = 0;
  Clock clock = SystemClock();
};

class EmbeddedSystem {
 public:
  // Opens the stores (creating `data_dir` if needed), starts the relay and consumer, and
  // starts both gRPC servers. kUnavailable when a port cannot be bound or a store cannot
  // be opened (e.g. another process holds it).
  static absl::StatusOr<std::unique_ptr<EmbeddedSystem>> Start(EmbeddedOptions options);

  ~EmbeddedSystem();  // Shutdown()

  // Stops accepting calls, finishes those in flight, stops the relay and consumer.
  void Shutdown();

  const std::string& police_address() const;
  // The embedded bus, for in-process readers such as tests and the auditor's tooling.
  RocksDbEventBus* bus() const;
  const std::string& mappa_address() const;

  struct Parts;

 private:
  explicit EmbeddedSystem(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace safeguard
