// `safeguard-audit verify`: checks a copy of one log, taken from the bus, against the
// checkpoints its service signed, with the public key the auditor recorded (or, if none is
// given, the one the service presents, which proves only that the log is consistent with
// itself). Uses common/audit/log_verifier.h; altered events are named with the service's
// leaf hashes, each proven against a signed root before it is believed.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>

#include "absl/status/statusor.h"
#include "common/audit/log_verifier.h"
#include "services/safeguard_audit/log_source.h"

namespace safeguard::audit_tool {

struct VerifyOptions {
  std::string server;           // HOST:PORT of the service that keeps the log
  LogSource logs;               // the copy of the logs
  std::string topic;            // the log's topic, e.g. "police.events"
  std::string public_key_pem;   // path to the recorded public key; empty: the server's
  // How to reach the server: an auditor's client certificate (security/client_options.h).
  std::shared_ptr<grpc::ChannelCredentials> credentials;
};

struct VerifyOutcome {
  std::string origin;
  std::string key_id;
  bool key_recorded = false;     // checked against the auditor's key, not the server's
  audit::LogReport report;
};

absl::StatusOr<VerifyOutcome> VerifyLogCopy(const VerifyOptions& options);

// Lines for a person: what was checked, and OK or the problem.
std::string Describe(const VerifyOutcome& outcome);

}  // namespace safeguard::audit_tool
