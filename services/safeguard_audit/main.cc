// safeguard-audit: the auditor's tool. Today: `verify`, which checks a copy of one log,
// taken from the embedded bus, against the checkpoints its service signed (docs/audit.md).
//   safeguard-audit verify --server=127.0.0.1:50051 --bus_dir=./safeguard-data/bus
//       --topic=police.events [--public_key=police.pub.pem]
// Exit status: 0 the copy is as signed, 1 a problem was found, 2 the check could not run.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "services/safeguard_audit/verify.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "the service that keeps the log (HOST:PORT)");
ABSL_FLAG(std::string, bus_dir, "./safeguard-data/bus", "the embedded bus directory holding the copy");
ABSL_FLAG(std::string, topic, "police.events", "the log's topic");
ABSL_FLAG(std::string, public_key, "", "the log's public key as recorded (PEM); empty: the service's own");
ABSL_FLAG(std::string, user, "auditor", "who is auditing");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("safeguard-audit verify --server=HOST:PORT --bus_dir=DIR --topic=TOPIC [--public_key=PEM]");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2 || std::string(args[1]) != "verify") {
    std::cerr << "usage: safeguard-audit verify --server=HOST:PORT --bus_dir=DIR --topic=TOPIC [--public_key=PEM]\n";
    return 2;
  }
  auto outcome = safeguard::audit_tool::VerifyLogCopy({.server = absl::GetFlag(FLAGS_server),
                                                       .bus_dir = absl::GetFlag(FLAGS_bus_dir),
                                                       .topic = absl::GetFlag(FLAGS_topic),
                                                       .public_key_pem = absl::GetFlag(FLAGS_public_key),
                                                       .user = absl::GetFlag(FLAGS_user)});
  if (!outcome.ok()) {
    std::cerr << "safeguard-audit: " << outcome.status() << std::endl;
    return 2;
  }
  std::cout << safeguard::audit_tool::Describe(*outcome);
  return outcome->report.ok() ? 0 : 1;
}
