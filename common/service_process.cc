#include "common/service_process.h"

#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/bus/bus_factory.h"
#include "common/grpc/operations_service.h"
#include "common/grpc/server_setup.h"
#include "common/logging.h"
#include "common/operator_port.h"
#include "common/process.h"
#include "common/security/transport_security.h"

ABSL_FLAG(std::string, data_dir, "", "Directory for this service's state (required)");
ABSL_FLAG(std::string, host, "127.0.0.1", "Address to listen on");
ABSL_FLAG(int, port, -1, "Port to listen on (0: any free port; default: the service's own)");
ABSL_FLAG(std::string, config, "", "Bus configuration file (docs/operations.md)");
ABSL_FLAG(std::string, key_vault, "",
          "The deployment's key vault file (required; the same for every service, kept outside the data "
          "directory, mode 0600; created by safeguard-keys create: docs/security.md)");
ABSL_FLAG(std::string, bus, "", "kafka (the default and only choice for a single service)");
ABSL_FLAG(std::string, bootstrap_servers, "", "Kafka bootstrap servers (overrides the config file)");
ABSL_FLAG(std::string, endpoints_file, "", "If set, write '<service>=ADDR' here once serving");
ABSL_FLAG(std::string, tls_ca, "", "PEM file: the CA whose client certificates are accepted (mutual TLS)");
ABSL_FLAG(std::string, tls_cert, "", "PEM file: this server's certificate chain");
ABSL_FLAG(std::string, tls_key, "", "PEM file: this server's private key");
ABSL_FLAG(std::string, access_policy, "", "Access policy file (default: the built-in deploy/config/access-policy.conf)");
ABSL_FLAG(bool, dev_plaintext, false,
          "DEVELOPMENT ONLY: no TLS; callers name themselves in metadata; loopback addresses only");

namespace safeguard {

int RunServiceProcess(int argc, char** argv, const ServiceProcessSpec& spec) {
  SetProgramUsage(absl::StrCat("Runs ", spec.name, " as its own process on Kafka."),
                  {"common/service_process.cc", "common/operator_port.cc"});
  absl::ParseCommandLine(argc, argv);
  BlockStopSignals();
  const auto fail = [&](const absl::Status& st, int code) {
    logging::Error(absl::StrCat("cannot start: ", st.message()), {{"code", absl::StatusCodeToString(st.code())}});
    return code;
  };
  absl::StatusOr<OperatorOptions> operator_options = OperatorOptionsFromFlags();
  if (!operator_options.ok()) {
    std::cerr << spec.name << ": " << operator_options.status().message() << std::endl;
    return 2;
  }
  logging::Init(spec.name, operator_options->log_format);

  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) return fail(absl::InvalidArgumentError("--data_dir is required"), 2);
  absl::StatusOr<security::ServerSecurity> admission =
      absl::GetFlag(FLAGS_dev_plaintext)
          ? security::DevPlaintextSecurity(absl::GetFlag(FLAGS_access_policy))
          : security::ServerSecurityFromFiles(absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_cert),
                                              absl::GetFlag(FLAGS_tls_key), absl::GetFlag(FLAGS_access_policy));
  if (!admission.ok()) return fail(admission.status(), 2);
  absl::StatusOr<BusConfig> config =
      BusConfigFrom(absl::GetFlag(FLAGS_config), absl::GetFlag(FLAGS_bus),
                    absl::GetFlag(FLAGS_bootstrap_servers));
  if (!config.ok()) return fail(config.status(), 2);
  if (absl::GetFlag(FLAGS_bus).empty() && absl::GetFlag(FLAGS_config).empty()) {
    config->kind = BusKind::kKafka;
  }
  if (config->kind != BusKind::kKafka) {
    return fail(absl::InvalidArgumentError(
                    "bus: a service on its own needs Kafka (for a development cluster run "
                    "safeguard-kafka-mock and pass its --bootstrap_servers); the embedded bus "
                    "and an in-process mock serve only safeguardd"),
                2);
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return fail(absl::FailedPreconditionError(absl::StrCat("cannot create ", data_dir)), 1);
  const std::string vault_path = absl::GetFlag(FLAGS_key_vault);
  if (vault_path.empty()) return fail(absl::InvalidArgumentError("--key_vault is required (docs/security.md)"), 2);
  absl::StatusOr<std::unique_ptr<crypto::FileKeyVault>> vault = crypto::FileKeyVault::Open(vault_path, data_dir);
  if (!vault.ok()) return fail(vault.status(), 2);

  absl::StatusOr<OpenedBus> bus = OpenBus(*config, data_dir, spec.topics(config->topics));
  if (!bus.ok()) return fail(bus.status(), 1);
  const std::shared_ptr<void> refusals = admission->refusals->Attach(bus->bus.get(), config->topics.audit_access);
  if (absl::Status st = CheckBackupDir(operator_options->backup_dir, data_dir); !st.ok()) return fail(st, 2);
  absl::StatusOr<std::unique_ptr<ServiceNode>> node =
      spec.start(data_dir, *config, bus->bus.get(), vault->get(), admission->policy, *operator_options);
  if (!node.ok()) return fail(node.status(), 1);
  Backups backups({.data_dir = data_dir,
                   .backup_dir = operator_options->backup_dir,
                   .every = operator_options->backup_every,
                   .keep = operator_options->backup_keep});
  OperationsGrpcService ops(bus->description, {[n = node->get()](auto* s) { return n->ReportStatus(s); },
                                               [policy = admission->policy](auto* s) { return policy->ReportStatus(s); }},
                             &backups);
  const int port = absl::GetFlag(FLAGS_port) >= 0 ? absl::GetFlag(FLAGS_port) : spec.default_port;
  std::vector<ServedService> services = (*node)->services();
  services.push_back({safeguard::v1::OperationsService::service_full_name(), &ops});
  absl::StatusOr<RunningServer> server = StartServer(absl::GetFlag(FLAGS_host), port, services, *admission,
                                                     [n = node->get()] { return n->Ready(); });
  if (!server.ok()) return fail(server.status(), 1);
  absl::StatusOr<std::unique_ptr<OperatorPort>> operator_port = OperatorPort::Start(
      *operator_options, absl::GetFlag(FLAGS_host), spec.name, {node->get()}, {&ops.status()}, data_dir);
  if (!operator_port.ok()) return fail(operator_port.status(), 1);

  logging::Info(absl::StrCat(spec.name, " listening on ", server->address, ", on the ", bus->description),
                {{"address", server->address},
                 {"operator_port", (*operator_port)->address()},
                 {"data_dir", data_dir},
                 {"key_vault", (*vault)->Describe()},
                 {"callers", security::DescribeServerSecurity(*admission)}});
  if (const std::string path = absl::GetFlag(FLAGS_endpoints_file); !path.empty()) {
    std::map<std::string, std::string> endpoints = {{spec.name, server->address}};
    if (!(*operator_port)->address().empty()) endpoints["metrics"] = (*operator_port)->address();
    if (absl::Status st = WriteEndpointsFile(path, endpoints); !st.ok()) return fail(st, 1);
  }
  // A revoke line takes effect within two seconds of the file's change, or at once on SIGHUP.
  admission->policy->Watch(absl::Seconds(1), /*on_sighup=*/true);
  WaitForStopSignal();
  logging::Info(absl::StrCat(spec.name, " stopping"));
  operator_port->reset();
  server->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  (*node)->Stop();
  return 0;
}

}  // namespace safeguard
