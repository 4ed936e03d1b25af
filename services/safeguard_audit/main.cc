// safeguard-audit: the auditor's tool, over the logs: a copy of the embedded bus
// (--bus_dir), or a Kafka cluster (--bootstrap_servers, or --config with the cluster's TLS
// and SASL settings, as the services take them); see docs/audit.md.
//   safeguard-audit verify --server=127.0.0.1:50051 --bus_dir=./safeguard-data/bus
//       --topic=police.events [--public_key=police.pub.pem]
//       [--pki_dir=./safeguard-data/pki --as=auditor | --cert=F --key=F --ca=F]
//   safeguard-audit verify --store=./safeguard-data/police [--public_key=police.pub.pem]
//   safeguard-audit view-as-of --bus_dir=... --as_of=2026-11-23T10:15:00Z
//       --subject=pnc:2011/0045123K --purpose_detail='complaint C-17' --work_dir=/tmp/asof
//   safeguard-audit consultations --bus_dir=... --subject=pnc:2011/0045123K[,probation:X1]
//   safeguard-audit replay --bus_dir=... --state_dir=./safeguard-data/mappa --work_dir=/tmp/replay
//   safeguard-audit refusals --bus_dir=...
// Any command reading the logs takes --bootstrap_servers=HOSTS [--config=FILE] instead of
// --bus_dir to read them from Kafka.
// Exit status: 0 done (verify: the copy is as signed; replay: every view is the same),
// 1 a problem was found, 2 the command could not run.
#include <filesystem>
#include <iostream>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "services/safeguard_audit/replay.h"

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/audit/checkpoint.h"
#include "common/bus/bus_config.h"
#include "common/process.h"
#include "common/security/client_options.h"
#include "common/store/event_store.h"
#include "services/safeguard_audit/verify.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "the service that keeps the log (HOST:PORT)");
ABSL_FLAG(std::string, bus_dir, "./safeguard-data/bus", "the embedded bus directory holding the copy");
ABSL_FLAG(std::string, topic, "police.events", "the log's topic");
ABSL_FLAG(std::string, public_key, "", "the log's public key as recorded (PEM); empty: the service's own");
ABSL_FLAG(std::string, user, "auditor", "view-as-of: who is auditing (recorded with the consultation)");
ABSL_FLAG(std::string, pki_dir, "./safeguard-data/pki", "verify: the local certificates (clients/<as>.pem)");
ABSL_FLAG(std::string, as, "auditor", "verify: the role whose local certificate to present");
ABSL_FLAG(std::string, cert, "", "verify: the auditor's client certificate (PEM), instead of --pki_dir");
ABSL_FLAG(std::string, key, "", "verify: its private key (PEM)");
ABSL_FLAG(std::string, ca, "", "verify: the CA that signed the server's certificate (PEM)");
ABSL_FLAG(std::string, subject, "", "view-as-of: the subject's reference (pnc:..., visor:..., probation:..., "
                                    "childrens:...); consultations: record keys, comma-separated");
ABSL_FLAG(std::string, as_of, "", "view-as-of: the moment, RFC 3339 (2026-11-23T10:15:00Z)");
ABSL_FLAG(std::string, purpose_detail, "", "view-as-of: why (e.g. the complaint or review reference)");
ABSL_FLAG(std::string, work_dir, "", "view-as-of: an empty directory for the rebuilt state");
ABSL_FLAG(std::string, audit_topic, "audit.access", "consultations: the access records' topic");
ABSL_FLAG(std::string, key_vault, "./safeguard-data.vault",
          "view-as-of, replay, consultations: the deployment's key vault, whose keys open the events and access "
          "records (docs/security.md)");
ABSL_FLAG(std::string, store, "", "verify: an event store's directory (e.g. <data_dir>/police), checked whole "
                                  "instead of a bus copy");
ABSL_FLAG(std::string, state_dir, "./safeguard-data/mappa", "replay: mappa-service's live state (read only)");
ABSL_FLAG(std::string, bootstrap_servers, "",
          "read the logs from this Kafka cluster instead of --bus_dir (HOST:PORT,...)");
ABSL_FLAG(std::string, config, "",
          "a bus configuration file (docs/operations.md): its kafka.* settings (TLS, SASL) reach the cluster; "
          "with bus = kafka, the logs are read from it instead of --bus_dir");

namespace {

// Where the logs are read: Kafka when --bootstrap_servers or a configuration file naming
// Kafka is given, else the embedded bus copy in --bus_dir.
absl::StatusOr<safeguard::audit_tool::LogSource> Logs() {
  safeguard::audit_tool::LogSource source;
  source.bus_dir = absl::GetFlag(FLAGS_bus_dir);
  const std::string servers = absl::GetFlag(FLAGS_bootstrap_servers);
  const std::string config_path = absl::GetFlag(FLAGS_config);
  if (servers.empty() && config_path.empty()) return source;
  auto config = safeguard::BusConfigFrom(config_path, servers.empty() ? "" : "kafka", servers);
  if (!config.ok()) return config.status();
  if (config->kind != safeguard::BusKind::kKafka) {
    if (!servers.empty()) return absl::InvalidArgumentError("--bootstrap_servers: the configuration is not Kafka's");
    return source;  // a configuration of the embedded bus: --bus_dir
  }
  if (config->kafka.properties["bootstrap.servers"].empty()) {
    return absl::InvalidArgumentError("--bootstrap_servers: required to read from Kafka (or kafka.bootstrap.servers "
                                      "in --config)");
  }
  source.kafka = config->kafka;
  return source;
}

// `safeguard-audit verify --store=DIR`: the whole store against its tree and its signed
// checkpoints, read-only (the service may be running).
int VerifyStoreCommand() {
  std::string dir = absl::GetFlag(FLAGS_store);
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::string public_key;
  std::string whose;
  if (const std::string pem = absl::GetFlag(FLAGS_public_key); !pem.empty()) {
    auto key = safeguard::audit::ReadPublicKeyPem(pem);
    if (!key.ok()) {
      std::cerr << "safeguard-audit: --public_key: " << key.status() << std::endl;
      return 2;
    }
    public_key = *key;
    whose = "the key recorded in " + pem;
  } else {
    // The service's own key, beside the store: proves the store agrees with itself only.
    const std::string own = dir + "-checkpoint-key.pem";
    if (std::filesystem::exists(own)) {
      auto key = safeguard::audit::SigningKey::LoadOrCreate(own);
      if (!key.ok()) {
        std::cerr << "safeguard-audit: " << own << ": " << key.status() << std::endl;
        return 2;
      }
      public_key = (*key)->public_key();
      whose = "the service's own key (" + own + "); give --public_key for the one you recorded";
    }
  }
  safeguard::EventStore::CheckpointCheck signed_by;
  if (!public_key.empty()) {
    signed_by = [&public_key](const safeguard::v1::SignedCheckpoint& c) {
      return safeguard::audit::VerifyCheckpoint(c, public_key);
    };
  }
  auto report = safeguard::EventStore::ScrubAt(dir, signed_by);
  if (!report.ok()) {
    std::cerr << "safeguard-audit: " << report.status() << std::endl;
    return 2;
  }
  std::cout << "store " << dir << ": " << report->events << " of " << report->last_sequence << " events checked, "
            << report->checkpoints_verified << " signed checkpoint(s) reproduced (up to event " << report->verified_size
            << "), signatures " << (public_key.empty() ? "NOT checked (no key given or found)" : "checked with " + whose)
            << "\n";
  if (report->ok() && public_key.empty()) {
    std::cout << "PROBLEM: no key to check the checkpoints' signatures: give --public_key (the key you recorded)"
              << std::endl;
    return 1;
  }
  if (report->ok() && report->events > 0 && report->checkpoints_verified == 0) {
    std::cout << "PROBLEM: no signed checkpoint covers the store's " << report->events
              << " events: nothing proves they are as written" << std::endl;
    return 1;
  }
  if (report->ok()) {
    std::cout << "OK: every event matches its Merkle leaf and place, and the tree its signed roots" << std::endl;
    return 0;
  }
  std::cout << "PROBLEM at event " << report->first_bad_sequence.value_or(0) << ": " << report->problem << std::endl;
  return 1;
}

int ViewAsOfCommand(const safeguard::audit_tool::LogSource& logs) {
  absl::Time as_of;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, absl::GetFlag(FLAGS_as_of), &as_of, &err)) {
    std::cerr << "safeguard-audit: --as_of: " << err << std::endl;
    return 2;
  }
  const std::string subject = absl::GetFlag(FLAGS_subject);
  const size_t colon = subject.find(':');
  safeguard::v1::SubjectRef ref;
  const std::string kind = subject.substr(0, colon), value = colon == std::string::npos ? "" : subject.substr(colon + 1);
  if (kind == "pnc") {
    ref.set_pnc_id(value);
  } else if (kind == "visor") {
    ref.set_visor_ref(value);
  } else if (kind == "probation") {
    ref.set_probation_case_ref(value);
  } else if (kind == "childrens") {
    ref.set_childrens_case_id(value);
  } else {
    std::cerr << "safeguard-audit: --subject: expected pnc:, visor:, probation: or childrens: and a reference\n";
    return 2;
  }
  safeguard::v1::Purpose purpose;
  purpose.set_code(safeguard::v1::AUDIT);
  purpose.set_detail(absl::GetFlag(FLAGS_purpose_detail));
  auto vault = safeguard::crypto::FileKeyVault::Open(absl::GetFlag(FLAGS_key_vault));
  if (!vault.ok()) {
    std::cerr << "safeguard-audit: --key_vault: " << vault.status().message() << std::endl;
    return 2;
  }
  auto view = safeguard::audit_tool::ViewAsOf({.logs = logs,
                                               .work_dir = absl::GetFlag(FLAGS_work_dir),
                                               .as_of = as_of,
                                               .subject = ref,
                                               .purpose = purpose,
                                               .user = absl::GetFlag(FLAGS_user),
                                               .vault = vault->get()});
  if (!view.ok()) {
    std::cerr << "safeguard-audit: " << view.status() << std::endl;
    return 2;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  print.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(*view, &json, print);
  std::cout << json;
  return 0;
}

int ReplayCommand(const safeguard::audit_tool::LogSource& logs) {
  auto vault = safeguard::crypto::FileKeyVault::Open(absl::GetFlag(FLAGS_key_vault));
  if (!vault.ok()) {
    std::cerr << "safeguard-audit: --key_vault: " << vault.status().message() << std::endl;
    return 2;
  }
  auto report = safeguard::audit_tool::ReplayAndCompare({.logs = logs,
                                                         .live_state = absl::GetFlag(FLAGS_state_dir),
                                                         .work_dir = absl::GetFlag(FLAGS_work_dir),
                                                         .vault = vault->get()});
  if (!report.ok()) {
    std::cerr << "safeguard-audit: " << report.status() << std::endl;
    return 2;
  }
  for (const auto& v : report->views) {
    std::cout << (v.same() ? "same      " : "DIFFERENT ") << v.view << "  live "
              << (v.live.empty() ? "(missing)" : v.live.substr(0, 16)) << "  rebuilt "
              << (v.rebuilt.empty() ? "(missing)" : v.rebuilt.substr(0, 16)) << "\n";
  }
  std::cout << report->events_replayed << " events replayed; " << report->views.size() << " views; "
            << report->differences << " different" << std::endl;
  if (report->keys_destroyed_after_position > 0) {
    std::cout << report->keys_destroyed_after_position
              << " data key(s) were destroyed (erased) on the bus after the point the live state has applied: the "
                 "views they touch differ until mappa-service applies the erasure; replay again once it has caught "
                 "up (docs/audit.md)"
              << std::endl;
  }
  return report->differences == 0 ? 0 : 1;
}

int ConsultationsCommand(const safeguard::audit_tool::LogSource& logs) {
  std::vector<std::string> keys = absl::StrSplit(absl::GetFlag(FLAGS_subject), ',', absl::SkipEmpty());
  auto vault = safeguard::crypto::FileKeyVault::Open(absl::GetFlag(FLAGS_key_vault));
  if (!vault.ok()) {
    std::cerr << "safeguard-audit: --key_vault: " << vault.status().message() << std::endl;
    return 2;
  }
  auto records = safeguard::audit_tool::Consultations(logs, absl::GetFlag(FLAGS_audit_topic), keys, **vault,
                                                      safeguard::Topics().keys());
  if (!records.ok()) {
    std::cerr << "safeguard-audit: " << records.status() << std::endl;
    return 2;
  }
  for (const auto& r : *records) std::cout << safeguard::audit_tool::DescribeConsultation(r) << "\n";
  std::cout << records->size() << " consultation(s)" << std::endl;
  return 0;
}

int RefusalsCommand(const safeguard::audit_tool::LogSource& logs) {
  auto records = safeguard::audit_tool::Refusals(logs, absl::GetFlag(FLAGS_audit_topic));
  if (!records.ok()) {
    std::cerr << "safeguard-audit: " << records.status() << std::endl;
    return 2;
  }
  for (const auto& r : *records) std::cout << safeguard::audit_tool::DescribeRefusal(r) << "\n";
  std::cout << records->size() << " refused call(s)" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  safeguard::SetProgramUsage(
      "safeguard-audit verify | view-as-of | consultations | refusals | replay [flags] (docs/audit.md)",
      {"services/safeguard_audit/main.cc"});
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string command = args.size() == 2 ? args[1] : "";
  if (command == "verify" && !absl::GetFlag(FLAGS_store).empty()) return VerifyStoreCommand();
  auto logs = Logs();
  if (!logs.ok()) {
    std::cerr << "safeguard-audit: " << logs.status().message() << std::endl;
    return 2;
  }
  if (command == "view-as-of") return ViewAsOfCommand(*logs);
  if (command == "consultations") return ConsultationsCommand(*logs);
  if (command == "replay") return ReplayCommand(*logs);
  if (command == "refusals") return RefusalsCommand(*logs);
  if (command != "verify") {
    std::cerr << "usage: safeguard-audit verify | view-as-of | consultations | refusals | replay [flags]; see --help\n";
    return 2;
  }
  auto credentials = safeguard::security::ClientCredentialsFrom({.pki_dir = absl::GetFlag(FLAGS_pki_dir),
                                                                 .as = absl::GetFlag(FLAGS_as),
                                                                 .cert = absl::GetFlag(FLAGS_cert),
                                                                 .key = absl::GetFlag(FLAGS_key),
                                                                 .ca = absl::GetFlag(FLAGS_ca)});
  if (!credentials.ok()) {
    std::cerr << "safeguard-audit: " << credentials.status() << std::endl;
    return 2;
  }
  auto outcome = safeguard::audit_tool::VerifyLogCopy({.server = absl::GetFlag(FLAGS_server),
                                                       .logs = *logs,
                                                       .topic = absl::GetFlag(FLAGS_topic),
                                                       .public_key_pem = absl::GetFlag(FLAGS_public_key),
                                                       .credentials = *credentials});
  if (!outcome.ok()) {
    std::cerr << "safeguard-audit: " << outcome.status() << std::endl;
    return 2;
  }
  std::cout << safeguard::audit_tool::Describe(*outcome);
  return outcome->report.ok() ? 0 : 1;
}
