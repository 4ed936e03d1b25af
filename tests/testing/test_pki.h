// The certificates of a test process: one local certificate authority (a LocalPki in a
// temporary directory, made on first use and kept for the process), the servers'
// certificate, and client certificates issued on demand for any role and user, so that
// every test talks to Safeguard the way its users do: mutual TLS, the built-in access
// policy, the identity in the certificate.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <grpcpp/grpcpp.h>

#include "common/security/transport_security.h"
#include "tests/testing/temp_dir.h"

namespace safeguard::testing {

class TestPki {
 public:
  // The process's one instance.
  static TestPki& Get() {
    static TestPki pki;
    return pki;
  }

  // The directory (security::LocalPki layout) for servers started as processes:
  // --tls_ca=<dir>/ca.pem --tls_cert=<dir>/server.pem --tls_key=<dir>/server-key.pem.
  const std::string& dir() const { return pki_.dir(); }

  // Mutual TLS with the built-in access policy, as a server in this process needs it.
  security::ServerSecurity Server() const { return server_; }

  // A client certificate for `user` (default "test-<role>") holding `role` of the agency
  // the built-in policy gives it, or of `agency` when given (to test refusals).
  std::shared_ptr<grpc::ChannelCredentials> As(const std::string& role, const std::string& user = "",
                                               const std::string& agency = "") {
    return security::MutualTlsCredentials(Issue(role, user, agency));
  }

  // The certificate, key and CA that As() presents for these arguments (PEM).
  security::ClientCredentialsSource Issue(const std::string& role, const std::string& user = "",
                                          const std::string& agency = "") {
    const security::AccessPolicy::Role* defined = server_.policy->current()->FindRole(role);
    const security::ClientSubject subject{
        !agency.empty() ? agency : defined != nullptr ? defined->agency : "police", role,
        user.empty() ? "test-" + role : user};
    const std::string key = subject.agency + "/" + subject.role + "/" + subject.user;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = issued_.find(key);
    if (it == issued_.end()) {
      absl::StatusOr<security::CertifiedKey> cert = security::IssueClientCertificate(ca_, subject, absl::Hours(24));
      if (!cert.ok()) std::abort();
      it = issued_.emplace(key, security::ClientCredentialsSource{ca_.certificate_pem, *cert}).first;
    }
    return it->second;
  }

  // A stub of `Service` at `address` as `role` (and `user`).
  template <typename Service>
  std::unique_ptr<typename Service::Stub> Stub(const std::string& address, const std::string& role,
                                               const std::string& user = "") {
    return Service::NewStub(grpc::CreateChannel(address, As(role, user)));
  }

  // Channel credentials that act as each role under its "test-<role>" certificate.
  security::CredentialsForRole ForRole() {
    return [this](const std::string& role) -> absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> {
      return As(role);
    };
  }

 private:
  TestPki() : pki_(dir_.Sub("pki")) {
    int created = 0;
    absl::StatusOr<security::ServerSecurity> server = security::LocalServerSecurity(pki_, "", &created);
    absl::StatusOr<security::CertifiedKey> ca = pki_.CertificateAuthority();
    if (!server.ok() || !ca.ok()) std::abort();
    server_ = *server;
    ca_ = *ca;
  }

  TempDir dir_;
  security::LocalPki pki_;
  security::ServerSecurity server_;
  security::CertifiedKey ca_;
  std::mutex mu_;
  std::map<std::string, security::ClientCredentialsSource> issued_;
};

}  // namespace safeguard::testing
