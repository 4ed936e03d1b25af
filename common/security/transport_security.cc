#include "common/security/transport_security.h"

#include <arpa/inet.h>

#include <iostream>
#include <mutex>
#include <unordered_map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::security {
namespace {

std::string Property(const grpc::AuthContext& auth, const char* name) {
  std::vector<grpc::string_ref> values = auth.FindPropertyValues(name);
  if (values.empty()) return "";
  return std::string(values.front().data(), values.front().size());
}

std::string Header(const Metadata& metadata, const char* name) {
  auto it = metadata.find(name);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// Parsing a certificate costs far more than a look-up, and a connection presents the same
// one on every call: remember the last few thousand.
absl::StatusOr<CertificateSubject> CachedSubject(const std::string& pem) {
  static std::mutex mu;
  static auto* cache = new std::unordered_map<std::string, CertificateSubject>;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache->find(pem); it != cache->end()) return it->second;
  }
  absl::StatusOr<CertificateSubject> subject = ReadCertificateSubject(pem);
  if (!subject.ok()) return subject;
  std::lock_guard<std::mutex> lock(mu);
  if (cache->size() >= 4096) cache->clear();
  cache->emplace(pem, *subject);
  return subject;
}

// The caller `subject` names; kUnauthenticated when it lacks an agency, role or user.
// `whose` says which certificate, for the error.
absl::StatusOr<Caller> CallerNamedBy(const CertificateSubject& subject, absl::string_view whose) {
  for (const auto& [part, value] : {std::pair<const char*, const std::string&>{"O (agency)", subject.agency},
                                    {"OU (role)", subject.role},
                                    {"CN (user)", subject.user}}) {
    if (!validation::IsIdentifier(value)) {
      return absl::UnauthenticatedError(absl::StrCat(whose, "'s subject has no valid ", part));
    }
  }
  return Caller{subject.agency, subject.role, subject.user, subject.sha256};
}

absl::StatusOr<Caller> FromCertificate(const grpc::AuthContext& auth) {
  const std::string pem = Property(auth, GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (pem.empty()) return absl::UnauthenticatedError("no client certificate was presented");
  absl::StatusOr<CertificateSubject> subject = CachedSubject(pem);
  if (!subject.ok()) return absl::UnauthenticatedError("the client certificate cannot be read");
  return CallerNamedBy(*subject, "the client certificate");
}

absl::StatusOr<Caller> FromMetadata(const Metadata& metadata) {
  Caller caller;
  for (const auto& [header, into] : {std::pair<const char*, std::string*>{kUserHeader, &caller.user},
                                     {kRoleHeader, &caller.role},
                                     {kAgencyHeader, &caller.agency}}) {
    *into = Header(metadata, header);
    if (into->empty()) {
      return absl::UnauthenticatedError(
          absl::StrCat("no caller identity: a --dev_plaintext server needs metadata '", header, "'"));
    }
    if (!validation::IsIdentifier(*into)) {
      return absl::UnauthenticatedError(
          absl::StrCat("metadata '", header, "': 1-64 characters of letters, digits and . _ - @"));
    }
  }
  return caller;
}

// A caller as a refusal names it: by agency, role and certificate, never by the user's
// name, which is personal data and goes in no log.
std::string Describe(const Caller& c) {
  return absl::StrCat(c.agency, "/", c.role,
                      c.certificate_sha256.empty() ? " (unauthenticated development caller)"
                                                   : absl::StrCat(" (certificate ", c.certificate_sha256.substr(0, 16), ")"));
}

}  // namespace

absl::StatusOr<Caller> IdentifyCaller(const grpc::AuthContext* auth, const Metadata& metadata) {
  if (auth == nullptr) return absl::UnauthenticatedError("the connection is not authenticated");
  const std::string transport = Property(*auth, GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
  if (transport == GRPC_SSL_TRANSPORT_SECURITY_TYPE) return FromCertificate(*auth);
  if (transport == "local") return FromMetadata(metadata);
  return absl::UnauthenticatedError("the connection is not authenticated");
}

absl::StatusOr<std::optional<Caller>> ForwardedPerson(const Metadata& metadata) {
  auto forwarded = metadata.find(kForwardedClientCertHeader);
  if (forwarded == metadata.end()) return std::optional<Caller>();
  if (metadata.count(kForwardedClientCertHeader) > 1) {
    return absl::UnauthenticatedError("x-forwarded-client-cert: one header only, for one person");
  }
  ASSIGN_OR_RETURN(std::string pem, ForwardedCertificatePem(
                                        absl::string_view(forwarded->second.data(), forwarded->second.size())));
  std::optional<CertificateSubject> subject = RecentlyVerified(pem);
  if (!subject) return absl::UnauthenticatedError("x-forwarded-client-cert: the forwarded certificate was not accepted");
  ASSIGN_OR_RETURN(Caller person, CallerNamedBy(*subject, "the forwarded certificate"));
  return std::optional<Caller>(std::move(person));
}

absl::Status AccessControl::AuthorizeForwarded(const Caller& via, absl::string_view header,
                                               const std::string& path) const {
  if (verifier_ == nullptr) {
    return absl::UnauthenticatedError(
        "x-forwarded-client-cert: acting for a person needs mutual TLS (this server is --dev_plaintext)");
  }
  // Nothing of a forwarded certificate is read for a caller that may act for no one.
  if (!policy_->current()->MayActForAnyone(via)) {
    return absl::PermissionDeniedError(
        absl::StrCat("role '", via.role, "' may not act for anyone (access policy): x-forwarded-client-cert refused"));
  }
  ASSIGN_OR_RETURN(std::string pem, ForwardedCertificatePem(header));
  ASSIGN_OR_RETURN(CertificateSubject subject, verifier_->Verify(pem));
  ASSIGN_OR_RETURN(Caller person, CallerNamedBy(subject, "the forwarded certificate"));
  absl::Status st = policy_->AuthorizeFor(via, person, path);
  if (!st.ok()) return absl::Status(st.code(), absl::StrCat("for ", Describe(person), ": ", st.message()));
  return absl::OkStatus();
}

grpc::Status AccessControl::Refuse(const Caller* caller, const std::string& path, grpc::StatusCode code,
                                   const std::string& reason) const {
  static const char* const kCodes[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                                       "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
                                       "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  const std::string code_name = code >= 0 && code <= 16 ? kCodes[code] : "UNKNOWN";
  if (refusals_) {
    if (caller == nullptr) {
      refusals_->Record(nullptr, path, code_name, reason);
    } else {
      safeguard::v1::Actor actor;
      if (absl::StatusOr<safeguard::v1::Agency> agency = AgencyFromName(caller->agency); agency.ok()) {
        actor.set_agency(*agency);
      }
      actor.set_user(caller->user);
      actor.set_role(caller->role);
      actor.set_certificate_sha256(caller->certificate_sha256);
      refusals_->Record(&actor, path, code_name, reason);
    }
  }
  return grpc::Status(code, reason);
}

grpc::Status AccessControl::Process(const InputMetadata& metadata, grpc::AuthContext* context, OutputMetadata*,
                                    OutputMetadata*) {
  const std::string path = Header(metadata, ":path");
  absl::StatusOr<Caller> caller = IdentifyCaller(context, metadata);
  if (!caller.ok()) {
    return Refuse(nullptr, path, grpc::StatusCode::UNAUTHENTICATED, std::string(caller.status().message()));
  }
  if (auto forwarded = metadata.find(kForwardedClientCertHeader); forwarded != metadata.end()) {
    absl::Status st =
        metadata.count(kForwardedClientCertHeader) > 1
            ? absl::UnauthenticatedError("x-forwarded-client-cert: one header only, for one person")
            : AuthorizeForwarded(*caller, absl::string_view(forwarded->second.data(), forwarded->second.size()), path);
    if (st.ok()) return grpc::Status::OK;
    const grpc::StatusCode code = absl::IsUnauthenticated(st)     ? grpc::StatusCode::UNAUTHENTICATED
                                  : absl::IsPermissionDenied(st) ? grpc::StatusCode::PERMISSION_DENIED
                                                                 : grpc::StatusCode::INTERNAL;
    return Refuse(&*caller, path, code, std::string(st.message()));
  }
  if (absl::Status st = policy_->Authorize(*caller, path); !st.ok()) {
    return Refuse(&*caller, path, grpc::StatusCode::PERMISSION_DENIED, std::string(st.message()));
  }
  return grpc::Status::OK;
}

CredentialsForRole LocalPkiCredentials(LocalPki pki) {
  return [pki = std::move(pki)](const std::string& role) -> absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> {
    ASSIGN_OR_RETURN(ClientCredentialsSource source, LocalClient(pki, role));
    return MutualTlsCredentials(source);
  };
}

CredentialsForRole DevPlaintextCredentialsFor(std::shared_ptr<const AccessPolicy> policy, std::string user) {
  return [policy = std::move(policy), user = std::move(user)](
             const std::string& role) -> absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> {
    const AccessPolicy::Role* r = policy->FindRole(role);
    if (r == nullptr) return absl::NotFoundError(absl::StrCat("role '", role, "' is not in the access policy"));
    return DevPlaintextCredentials(Caller{r->agency, role, user, ""});
  };
}

bool IsLoopback(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return false;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const ServerSecurity& security,
                                                                              const std::string& host) {
  if (security.policy == nullptr) return absl::InvalidArgumentError("no access policy");
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (security.dev_plaintext) {
    if (!IsLoopback(host)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--dev_plaintext serves loopback addresses only, and ", host,
          " is not one: without TLS anyone who can reach the port could claim any role"));
    }
    // Local credentials: plaintext, refusing any peer that is not on this machine.
    credentials = grpc::experimental::LocalServerCredentials(LOCAL_TCP);
  } else {
    if (security.client_ca_pem.empty()) return absl::InvalidArgumentError("mutual TLS: no client CA certificate");
    if (security.server.certificate_pem.empty() || security.server.private_key_pem.empty()) {
      return absl::InvalidArgumentError("mutual TLS: no server certificate and key");
    }
    grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = security.client_ca_pem;
    options.pem_key_cert_pairs.push_back({security.server.private_key_pem, security.server.certificate_pem});
    credentials = grpc::SslServerCredentials(options);
  }
  std::shared_ptr<const ClientCertificateVerifier> verifier;
  if (!security.dev_plaintext) {
    ASSIGN_OR_RETURN(verifier, ClientCertificateVerifier::Create(security.client_ca_pem));
  }
  credentials->SetAuthMetadataProcessor(
      std::make_shared<AccessControl>(security.policy, std::move(verifier), security.refusals));
  return credentials;
}

std::string DescribeServerSecurity(const ServerSecurity& security) {
  const std::string policy = absl::StrCat("access policy ", security.policy_source);
  if (security.dev_plaintext) {
    return absl::StrCat("WARNING: --dev_plaintext: NO TLS, NO AUTHENTICATION. Callers name themselves in metadata; ",
                        "loopback only; for development, never for real data (", policy, ")");
  }
  return absl::StrCat("mutual TLS, client certificate required (", policy, ")");
}

namespace {

// `security` with the access policy at `policy_path` ("" = built in).
absl::StatusOr<ServerSecurity> WithPolicy(ServerSecurity security, const std::string& policy_path) {
  ASSIGN_OR_RETURN(security.policy, LivePolicy::Load(policy_path));
  security.policy_source = policy_path.empty() ? "built-in" : policy_path;
  return security;
}

}  // namespace

absl::StatusOr<ServerSecurity> ServerSecurityFromFiles(const std::string& ca_path, const std::string& cert_path,
                                                       const std::string& key_path, const std::string& policy_path) {
  ServerSecurity security;
  for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"--tls_ca", ca_path},
                                   {"--tls_cert", cert_path},
                                   {"--tls_key", key_path}}) {
    if (path.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, " is required for mutual TLS (or --dev_plaintext, for development on loopback only)"));
    }
  }
  ASSIGN_OR_RETURN(security.client_ca_pem, ReadTextFile(ca_path));
  ASSIGN_OR_RETURN(security.server.certificate_pem, ReadTextFile(cert_path));
  ASSIGN_OR_RETURN(security.server.private_key_pem, ReadTextFile(key_path));
  return WithPolicy(std::move(security), policy_path);
}

absl::StatusOr<ServerSecurity> LocalServerSecurity(const LocalPki& pki, const std::string& policy_path,
                                                   int* created) {
  ASSIGN_OR_RETURN(ServerSecurity security, WithPolicy(ServerSecurity{}, policy_path));
  ASSIGN_OR_RETURN(*created, pki.Ensure(LocalClientsOf(*security.policy->current())));
  ASSIGN_OR_RETURN(security.client_ca_pem, pki.CaCertificate());
  ASSIGN_OR_RETURN(security.server, pki.ServerCertificate());
  return security;
}

absl::StatusOr<ServerSecurity> DevPlaintextSecurity(const std::string& policy_path) {
  ServerSecurity security;
  security.dev_plaintext = true;
  return WithPolicy(std::move(security), policy_path);
}

std::shared_ptr<grpc::ChannelCredentials> MutualTlsCredentials(const ClientCredentialsSource& source) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = source.ca_pem;
  options.pem_private_key = source.client.private_key_pem;
  options.pem_cert_chain = source.client.certificate_pem;
  return grpc::SslCredentials(options);
}

namespace {

// Adds a development caller's name to every call's metadata.
class NameInMetadata final : public grpc::MetadataCredentialsPlugin {
 public:
  explicit NameInMetadata(Caller as) : as_(std::move(as)) {}
  bool IsBlocking() const override { return false; }
  grpc::Status GetMetadata(grpc::string_ref, grpc::string_ref, const grpc::AuthContext&,
                           std::multimap<grpc::string, grpc::string>* metadata) override {
    metadata->emplace(kAgencyHeader, as_.agency);
    metadata->emplace(kRoleHeader, as_.role);
    metadata->emplace(kUserHeader, as_.user);
    return grpc::Status::OK;
  }

 private:
  const Caller as_;
};

}  // namespace

std::shared_ptr<grpc::ChannelCredentials> DevPlaintextCredentials(const Caller& as) {
  return grpc::CompositeChannelCredentials(
      grpc::experimental::LocalCredentials(LOCAL_TCP),
      grpc::MetadataCredentialsFromPlugin(std::make_unique<NameInMetadata>(as)));
}

std::vector<ClientSubject> LocalClientsOf(const AccessPolicy& policy) {
  std::vector<ClientSubject> clients;
  for (const auto& role : policy.roles()) clients.push_back({role.agency, role.name, "local-" + role.name});
  return clients;
}

absl::StatusOr<ClientCredentialsSource> LocalClient(const LocalPki& pki, const std::string& role) {
  ClientCredentialsSource source;
  ASSIGN_OR_RETURN(source.ca_pem, pki.CaCertificate());
  ASSIGN_OR_RETURN(source.client, pki.ClientCertificate(role));
  return source;
}

}  // namespace safeguard::security
