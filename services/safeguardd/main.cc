// safeguardd: every Safeguard service in one process, on the embedded bus by default.
//
//   safeguardd --data_dir=./safeguard-data [--demo] [--host=127.0.0.1]
//              [--police_port=50051] [--mappa_port=50052] [--probation_port=50053]
//              [--childrens_port=50054]
//              [--endpoints_file=PATH]
//              [--bus=embedded|kafka-mock|kafka] [--config=FILE] [--bootstrap_servers=...]
//              [--pki_dir=DIR] [--tls_ca=FILE --tls_cert=FILE --tls_key=FILE]
//              [--access_policy=FILE] [--dev_plaintext]
//
// Every server requires a client certificate (mutual TLS). Without --tls_cert, the
// certificates come from a local certificate authority in --pki_dir (<data_dir>/pki by
// default), created on the first start with a client certificate for every role of the
// access policy (docs/security.md). Prints where each endpoint listens, then serves
// until SIGINT or SIGTERM.
#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/key_vault.h"
#include "common/logging.h"
#include "common/operator_port.h"
#include "common/process.h"
#include "common/security/transport_security.h"
#include "services/safeguardd/all_in_one.h"
#include "services/safeguardd/demo_data.h"

ABSL_FLAG(std::string, data_dir, "./safeguard-data", "Directory for all state; survives restarts");
ABSL_FLAG(std::string, host, "127.0.0.1", "Address to listen on");
ABSL_FLAG(int, police_port, 50051, "police-service port (0: any free port)");
ABSL_FLAG(int, mappa_port, 50052, "mappa-service port (0: any free port)");
ABSL_FLAG(int, probation_port, 50053, "probation-service port (0: any free port)");
ABSL_FLAG(int, childrens_port, 50054, "childrens-service port (0: any free port)");
ABSL_FLAG(bool, demo, false, "Load the demo subjects (idempotent: loading twice adds nothing)");
ABSL_FLAG(std::string, endpoints_file, "",
          "If set, write 'police=', 'probation=', 'childrens=' and 'mappa=ADDR' lines here once serving");
ABSL_FLAG(std::string, bus, "",
          "embedded (default), kafka, or kafka-mock (an in-memory mock cluster: keeps nothing)");
ABSL_FLAG(std::string, config, "", "Bus configuration file (docs/operations.md)");
ABSL_FLAG(std::string, bootstrap_servers, "", "Kafka bootstrap servers (overrides the config file)");
ABSL_FLAG(std::string, pki_dir, "",
          "Local certificate authority and certificates, created if missing (default: <data_dir>/pki)");
ABSL_FLAG(std::string, tls_ca, "", "PEM file: the CA whose client certificates are accepted (instead of --pki_dir)");
ABSL_FLAG(std::string, tls_cert, "", "PEM file: the servers' certificate chain (instead of --pki_dir)");
ABSL_FLAG(std::string, tls_key, "", "PEM file: the servers' private key (instead of --pki_dir)");
ABSL_FLAG(std::string, key_vault, "",
          "The key vault file: key-encryption keys and the pseudonym key (default: <data_dir>.vault beside the data "
          "directory, created if missing; kept out of the data directory and its backups: docs/security.md)");
ABSL_FLAG(std::string, access_policy, "", "Access policy file (default: the built-in deploy/config/access-policy.conf)");
ABSL_FLAG(bool, dev_plaintext, false,
          "DEVELOPMENT ONLY: no TLS; callers name themselves in metadata; loopback addresses only");

int main(int argc, char** argv) {
  safeguard::SetProgramUsage("Runs every Safeguard service in one process.",
                             {"services/safeguardd/main.cc", "common/operator_port.cc"});
  absl::ParseCommandLine(argc, argv);
  safeguard::BlockStopSignals();
  absl::StatusOr<safeguard::OperatorOptions> operator_options = safeguard::OperatorOptionsFromFlags();
  if (!operator_options.ok()) {
    std::cerr << "safeguardd: " << operator_options.status().message() << std::endl;
    return 2;
  }
  safeguard::logging::Init("safeguardd", operator_options->log_format);
  // A start-up failure: said in the log, and to the person at the terminal.
  const auto fail = [](const absl::Status& st, int code) {
    safeguard::logging::Error(absl::StrCat("cannot start: ", st.message()),
                              {{"code", absl::StatusCodeToString(st.code())}});
    return code;
  };

  safeguard::AllInOneOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.host = absl::GetFlag(FLAGS_host);
  options.police_port = absl::GetFlag(FLAGS_police_port);
  options.mappa_port = absl::GetFlag(FLAGS_mappa_port);
  options.probation_port = absl::GetFlag(FLAGS_probation_port);
  options.childrens_port = absl::GetFlag(FLAGS_childrens_port);
  auto bus = safeguard::BusConfigFrom(absl::GetFlag(FLAGS_config), absl::GetFlag(FLAGS_bus),
                                      absl::GetFlag(FLAGS_bootstrap_servers));
  if (!bus.ok()) return fail(bus.status(), 2);
  options.bus = *bus;

  // How the servers admit callers, and how the demo loader calls them.
  namespace security = safeguard::security;
  const std::string policy_path = absl::GetFlag(FLAGS_access_policy);
  const std::string pki_dir =
      absl::GetFlag(FLAGS_pki_dir).empty() ? options.data_dir + "/pki" : absl::GetFlag(FLAGS_pki_dir);
  absl::StatusOr<security::ServerSecurity> admission;
  security::CredentialsForRole demo_caller;
  std::string certificates_note;
  if (absl::GetFlag(FLAGS_dev_plaintext)) {
    admission = security::DevPlaintextSecurity(policy_path);
    if (admission.ok()) demo_caller = security::DevPlaintextCredentialsFor(admission->policy->current(), "demo-loader");
  } else if (!absl::GetFlag(FLAGS_tls_cert).empty()) {
    admission = security::ServerSecurityFromFiles(absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_cert),
                                                  absl::GetFlag(FLAGS_tls_key), policy_path);
    demo_caller = security::LocalPkiCredentials(security::LocalPki(pki_dir));
  } else {
    security::LocalPki pki(pki_dir);
    int created = 0;
    admission = security::LocalServerSecurity(pki, policy_path, &created);
    certificates_note = created > 0 ? absl::StrCat("Created ", created, " certificates in ", pki_dir,
                                                   " (a local CA; one client certificate per role in clients/)")
                                    : absl::StrCat("Certificates in ", pki_dir);
    demo_caller = security::LocalPkiCredentials(pki);
  }
  if (!admission.ok()) return fail(admission.status(), 2);
  options.security = *admission;
  options.ready_max_lag = operator_options->ready_max_lag;

  std::unique_ptr<safeguard::ScratchDirectory> scratch;
  if (options.bus.kind == safeguard::BusKind::kKafkaMock) {
    // A fresh mock cluster starts empty; state kept from an earlier one would point past
    // its end. Keep nothing at all, consistently.
    scratch = std::make_unique<safeguard::ScratchDirectory>("safeguard-kafka-mock");
    options.data_dir = scratch->path();
  }
  if (absl::Status st = safeguard::CheckBackupDir(operator_options->backup_dir, options.data_dir); !st.ok()) {
    return fail(st, 2);
  }
  // The key vault: given, or (for one machine) beside the data directory, made on first use.
  std::unique_ptr<safeguard::ScratchDirectory> vault_scratch;
  std::string vault_path = absl::GetFlag(FLAGS_key_vault);
  if (vault_path.empty() && scratch != nullptr) {
    vault_scratch = std::make_unique<safeguard::ScratchDirectory>("safeguard-vault");
    vault_path = vault_scratch->path() + "/vault";
  } else if (vault_path.empty()) {
    vault_path = std::filesystem::path(options.data_dir).lexically_normal().string();
    while (vault_path.size() > 1 && vault_path.back() == '/') vault_path.pop_back();
    vault_path += ".vault";
  }
  const bool vault_existed = std::filesystem::exists(vault_path);
  absl::StatusOr<std::unique_ptr<safeguard::crypto::FileKeyVault>> vault =
      absl::GetFlag(FLAGS_key_vault).empty() ? safeguard::crypto::FileKeyVault::OpenOrCreate(vault_path, options.data_dir)
                                             : safeguard::crypto::FileKeyVault::Open(vault_path, options.data_dir);
  if (!vault.ok()) return fail(vault.status(), 2);
  const std::string vault_note = absl::StrCat(vault_existed ? "Key vault: " : "Created the key vault ", vault_path,
                                              vault_existed ? "" : " (keep it out of the data directory's backups)");
  options.vault = std::shared_ptr<const safeguard::crypto::KeyVault>(std::move(*vault));
  auto backups = std::make_unique<safeguard::Backups>(safeguard::BackupOptions{
      .data_dir = options.data_dir,
      .backup_dir = operator_options->backup_dir,
      .every = operator_options->backup_every,
      .keep = operator_options->backup_keep});
  options.backups = backups.get();
  auto system = safeguard::AllInOneSystem::Start(options);
  if (!system.ok()) return fail(system.status(), 1);
  auto operator_port = safeguard::OperatorPort::Start(*operator_options, options.host, "safeguardd",
                                                      (*system)->nodes(), (*system)->statuses(), options.data_dir);
  if (!operator_port.ok()) return fail(operator_port.status(), 1);
  std::cout << "Safeguard is running on the " << (*system)->bus_description() << ", data in "
            << options.data_dir << "\n"
            << "  police-service     " << (*system)->police_address() << "\n"
            << "  probation-service  " << (*system)->probation_address() << "\n"
            << "  childrens-service  " << (*system)->childrens_address() << "\n"
            << "  mappa-service      " << (*system)->mappa_address() << "\n"
            << "  operator's port    "
            << ((*operator_port)->address().empty()
                    ? std::string("none")
                    : absl::StrCat("http://", (*operator_port)->address(), "/metrics, /livez, /readyz"))
            << "\n"
            << "Callers: " << security::DescribeServerSecurity(options.security) << std::endl;
  if (!certificates_note.empty()) std::cout << certificates_note << std::endl;
  std::cout << vault_note << std::endl;
  safeguard::logging::Info(absl::StrCat("serving on the ", (*system)->bus_description()),
                           {{"police", (*system)->police_address()},
                            {"probation", (*system)->probation_address()},
                            {"childrens", (*system)->childrens_address()},
                            {"mappa", (*system)->mappa_address()},
                            {"operator_port", (*operator_port)->address()},
                            {"data_dir", options.data_dir}});
  if (options.bus.kind == safeguard::BusKind::kKafkaMock) {
    std::cout << "WARNING: development mode. The Kafka mock cluster and the state in "
              << options.data_dir << " are deleted when this process stops: NOTHING IS KEPT."
              << std::endl;
  }
  if (absl::GetFlag(FLAGS_demo)) {
    auto loaded = safeguard::LoadDemoData((*system)->police_address(), (*system)->probation_address(),
                                          (*system)->childrens_address(), (*system)->mappa_address(),
                                          demo_caller);
    if (!loaded.ok()) {
      return fail(absl::Status(loaded.status().code(),
                               absl::StrCat("loading demo data failed: ", loaded.status().message())),
                  1);
    }
    std::cout << "Demo data: " << loaded->recorded << " events recorded, " << loaded->replayed
              << " already present" << std::endl;
  }
  if (const std::string path = absl::GetFlag(FLAGS_endpoints_file); !path.empty()) {
    std::map<std::string, std::string> endpoints = {{"police", (*system)->police_address()},
                                                    {"probation", (*system)->probation_address()},
                                                    {"childrens", (*system)->childrens_address()},
                                                    {"mappa", (*system)->mappa_address()}};
    if (!(*operator_port)->address().empty()) endpoints["metrics"] = (*operator_port)->address();
    if (auto st = safeguard::WriteEndpointsFile(path, endpoints); !st.ok()) return fail(st, 1);
  }
  // A revoke line takes effect within two seconds of the file's change, or at once on SIGHUP.
  options.security.policy->Watch(absl::Seconds(1), /*on_sighup=*/true);
  std::cout << "Press Ctrl-C to stop." << std::endl;
  safeguard::WaitForStopSignal();
  std::cout << "safeguardd: stopping" << std::endl;
  safeguard::logging::Info("stopping");
  operator_port->reset();
  (*system)->Shutdown();
  backups.reset();
  return 0;
}
