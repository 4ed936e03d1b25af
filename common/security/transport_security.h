// How a Safeguard server knows its callers and admits them: mutual TLS with a client
// certificate required (the default), or, behind an explicit development flag, plaintext
// on loopback where callers name themselves in metadata. Either way every call passes
// through AccessControl, which identifies the caller and applies the access policy
// before any handler runs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/auth_metadata_processor.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "common/security/access_policy.h"
#include "common/security/delegation.h"
#include "common/security/live_policy.h"
#include "common/security/pki.h"
#include "common/security/refusal_log.h"

namespace safeguard::security {

// Metadata a --dev_plaintext caller names itself with. Ignored under mutual TLS.
inline constexpr char kAgencyHeader[] = "x-safeguard-agency";
inline constexpr char kUserHeader[] = "x-safeguard-user";
inline constexpr char kRoleHeader[] = "x-safeguard-role";

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

// The caller of a call whose connection is described by `auth` and whose request
// metadata is `metadata`: under TLS, the client certificate's O, OU and CN and its
// fingerprint; on a local (--dev_plaintext) connection, the x-safeguard-* metadata.
// kUnauthenticated saying what is missing otherwise.
absl::StatusOr<Caller> IdentifyCaller(const grpc::AuthContext* auth, const Metadata& metadata);

// Runs on every call before its handler: identifies the caller (kUnauthenticated when it
// cannot) and applies the policy in force to the called method (kPermissionDenied, logged,
// when the policy refuses).
// A call that forwards a person's certificate (x-forwarded-client-cert) is judged as that
// person's, when the caller may act for them (common/security/delegation.h); `verifier`
// checks forwarded certificates, and is null where no call may forward one (plaintext).
class AccessControl final : public grpc::AuthMetadataProcessor {
 public:
  // Each refusal is recorded in `refusals` (a security event on the audit topic).
  AccessControl(std::shared_ptr<const LivePolicy> policy, std::shared_ptr<const ClientCertificateVerifier> verifier,
                std::shared_ptr<RefusalLog> refusals)
      : policy_(std::move(policy)), verifier_(std::move(verifier)), refusals_(std::move(refusals)) {}

  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed, OutputMetadata* response) override;

 private:
  // The person `via` forwards the certificate of in `header`, once checked against the CA
  // and the policy for `path`; kUnauthenticated or kPermissionDenied saying why not.
  absl::Status AuthorizeForwarded(const Caller& via, absl::string_view header, const std::string& path) const;

  // Records and returns the refusal of `path` for `caller` (null: unidentified).
  grpc::Status Refuse(const Caller* caller, const std::string& path, grpc::StatusCode code,
                      const std::string& reason) const;

  const std::shared_ptr<const LivePolicy> policy_;
  const std::shared_ptr<const ClientCertificateVerifier> verifier_;
  const std::shared_ptr<RefusalLog> refusals_;
};

// The person a call is made for, when its caller forwarded their certificate and
// AccessControl accepted it for this call; nullopt for a call made by its caller alone.
// kUnauthenticated when the call forwards a certificate that was not accepted.
absl::StatusOr<std::optional<Caller>> ForwardedPerson(const Metadata& metadata);

// What a server needs to admit callers.
struct ServerSecurity {
  std::shared_ptr<LivePolicy> policy;  // required: the policy in force, reloadable
  // Development only: no TLS, callers name themselves, loopback addresses only.
  bool dev_plaintext = false;
  std::string client_ca_pem;  // accepted client certificates are signed by this CA
  CertifiedKey server;        // this server's certificate chain and key
  std::string policy_source;  // for the log: the policy file, or "built-in"
  // Where refused calls are recorded (attached to the bus once the process has one).
  std::shared_ptr<RefusalLog> refusals = std::make_shared<RefusalLog>();
};

// Credentials for a server listening on `host`, with AccessControl installed.
// kFailedPrecondition for --dev_plaintext on an address that is not loopback;
// kInvalidArgument when mutual TLS lacks a CA, certificate or key.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const ServerSecurity& security,
                                                                              const std::string& host);

// One line for a server's start-up log saying how it admits callers (loud for plaintext).
std::string DescribeServerSecurity(const ServerSecurity& security);

// A server's security from files: the CA that signs client certificates, this server's
// certificate and key, and the access policy ("" = built in). kNotFound naming a missing
// file; kInvalidArgument naming a bad policy line.
absl::StatusOr<ServerSecurity> ServerSecurityFromFiles(const std::string& ca_path, const std::string& cert_path,
                                                       const std::string& key_path, const std::string& policy_path);

// The same from a local certificate authority: first creates in `pki` what is missing
// (the CA, the servers' certificate, a client certificate per role of the policy:
// LocalClientsOf), counting it in `*created`, then reads the CA and server certificate.
absl::StatusOr<ServerSecurity> LocalServerSecurity(const LocalPki& pki, const std::string& policy_path,
                                                   int* created);

// A development server: plaintext on loopback, callers named by metadata.
absl::StatusOr<ServerSecurity> DevPlaintextSecurity(const std::string& policy_path);

// A client's side of mutual TLS: the CA that signed the servers' certificates and the
// client's own certificate and key.
struct ClientCredentialsSource {
  std::string ca_pem;
  CertifiedKey client;
};
std::shared_ptr<grpc::ChannelCredentials> MutualTlsCredentials(const ClientCredentialsSource& source);

// A client of a --dev_plaintext server: plaintext to loopback only, naming itself as
// `as` (agency, role, user) in metadata on every call.
std::shared_ptr<grpc::ChannelCredentials> DevPlaintextCredentials(const Caller& as);

// The client certificates a local certificate authority issues: one per role of `policy`,
// each for the user "local-<role>".
std::vector<ClientSubject> LocalClientsOf(const AccessPolicy& policy);

// The client certificate of `role` in a LocalPki, with its CA.
absl::StatusOr<ClientCredentialsSource> LocalClient(const LocalPki& pki, const std::string& role);

// Channel credentials that act as `role`, however the client authenticates.
using CredentialsForRole =
    std::function<absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>(const std::string& role)>;

// As each role's client certificate in `pki` (kNotFound for a role it has none for).
CredentialsForRole LocalPkiCredentials(LocalPki pki);

// As a --dev_plaintext caller named `user`, holding the role and its agency as `policy`
// defines them (kNotFound for a role it does not define).
CredentialsForRole DevPlaintextCredentialsFor(std::shared_ptr<const AccessPolicy> policy, std::string user);

// Whether `host` is a loopback address or "localhost".
bool IsLoopback(const std::string& host);

}  // namespace safeguard::security
