// Acting for a person. A service a person works through (the MAPPA console) calls with its
// own client certificate and forwards the person's certificate in the
// x-forwarded-client-cert header, in the format Envoy and nginx forward it
// (Hash=<sha256>;Cert="<URL-encoded PEM>"). A server believes it only when:
//   - the caller's role may act for the person's role (the access policy's `act-for`),
//   - the forwarded certificate was issued by the CA the server trusts for clients, is in
//     its validity period, is for client authentication, and is not revoked, and
//   - the person's role may call the method.
// The call is then the person's: the access record and any event name the person, their
// role, and the service they came through (Actor.via).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/security/pki.h"

namespace safeguard::security {

inline constexpr char kForwardedClientCertHeader[] = "x-forwarded-client-cert";

// The PEM certificate one x-forwarded-client-cert element carries in its Cert field.
// kUnauthenticated saying what is wrong: more than one element (a chain of proxies is not
// accepted), no Cert field, a Hash that is not the certificate's, or text that does not
// decode.
absl::StatusOr<std::string> ForwardedCertificatePem(absl::string_view header);

// Checks client certificates against one CA. Thread-safe; remembers recent answers.
class ClientCertificateVerifier {
 public:
  // kInvalidArgument when `ca_pem` holds no certificate.
  static absl::StatusOr<std::shared_ptr<const ClientCertificateVerifier>> Create(const std::string& ca_pem);
  ~ClientCertificateVerifier();
  ClientCertificateVerifier(const ClientCertificateVerifier&) = delete;
  ClientCertificateVerifier& operator=(const ClientCertificateVerifier&) = delete;

  // The subject of `pem` when the CA issued it for client authentication and it is valid
  // now; kUnauthenticated saying why not (names the certificate's subject where it can).
  absl::StatusOr<CertificateSubject> Verify(const std::string& pem) const;

 private:
  struct Store;
  explicit ClientCertificateVerifier(std::unique_ptr<Store> store);
  std::unique_ptr<Store> store_;
};

// The subject of a forwarded certificate that a server's ClientCertificateVerifier
// accepted within the last minute, in this process: a handler reads the person a call is
// for here, after AccessControl verified the same header for the same call.
std::optional<CertificateSubject> RecentlyVerified(const std::string& pem);

}  // namespace safeguard::security
