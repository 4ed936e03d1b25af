// Certificates for mutual TLS: a certificate authority, the server and client
// certificates it issues, and what a client certificate says about its holder.
//
// A Safeguard client certificate names its holder in its subject: O = the agency
// ("police", "probation", "childrens", "mappa", "platform", "audit", "operations"),
// OU = the role within it (as the access policy names roles), CN = the user (for a
// platform, the platform's name). Keys are ECDSA P-256, signatures SHA-256.
//
// `LocalPki` is the certificate authority safeguardd creates on its first start for a
// single machine (docs/security.md): a directory holding the CA, a server certificate
// for the loopback names, and one client certificate per role.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace safeguard::security {

// A certificate and its private key, both PEM.
struct CertifiedKey {
  std::string certificate_pem;
  std::string private_key_pem;
};

// Who a client certificate is for.
struct ClientSubject {
  std::string agency;  // O
  std::string role;    // OU
  std::string user;    // CN
};

// A self-signed certificate authority named `name`, valid from now for `validity`.
absl::StatusOr<CertifiedKey> CreateCertificateAuthority(const std::string& name, absl::Duration validity);

// A client certificate (extended key usage clientAuth) for `subject`, signed by `ca`.
// kInvalidArgument naming agency, role or user when one is empty or holds a character
// other than letters, digits and . _ - @.
absl::StatusOr<CertifiedKey> IssueClientCertificate(const CertifiedKey& ca, const ClientSubject& subject,
                                                    absl::Duration validity);

// A server certificate (serverAuth) whose subject alternative names are `hosts`: DNS
// names, or IPv4/IPv6 addresses. kInvalidArgument when `hosts` is empty.
absl::StatusOr<CertifiedKey> IssueServerCertificate(const CertifiedKey& ca, const std::vector<std::string>& hosts,
                                                    absl::Duration validity);

// What a client certificate says: its subject's O, OU and CN and its fingerprint.
struct CertificateSubject {
  std::string agency;
  std::string role;
  std::string user;
  std::string sha256;  // of the DER encoding, lower-case hex
};

// Reads the first certificate of `pem`. kInvalidArgument when it is not a certificate;
// a missing O, OU or CN is left empty.
absl::StatusOr<CertificateSubject> ReadCertificateSubject(absl::string_view pem);

// The fields of a certificate for people: subject, issuer, validity, fingerprint.
absl::StatusOr<std::string> DescribeCertificate(absl::string_view pem);

// Writes `pair` as <prefix>.pem and <prefix>-key.pem (the key first, readable by its
// owner only; each synced and renamed into place), creating the directory. Refuses with
// kAlreadyExists, writing nothing, when either file exists.
absl::Status WriteCertifiedKey(const std::string& prefix, const CertifiedKey& pair);

// `pair` with its CA's certificate as a PKCS#12 file, protected by `password`, with the
// friendly name `name`: what a browser imports to present a client certificate.
absl::StatusOr<std::string> ToPkcs12(const CertifiedKey& pair, const std::string& ca_pem, const std::string& name,
                                     const std::string& password);

// The password of the PKCS#12 files a LocalPki writes for browsers. A local CA's keys sit
// beside them unprotected anyway; a deployment's certificates are handed over its own way.
inline constexpr char kLocalPkcs12Password[] = "safeguard";

// Reads a whole file. kNotFound when it does not exist; kUnavailable when unreadable.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

// A directory of certificates for one machine:
//   ca.pem, ca-key.pem                      the certificate authority
//   server.pem, server-key.pem              the servers' certificate (localhost, 127.0.0.1, ::1)
//   clients/<role>.pem, clients/<role>-key.pem   a client certificate for each role
//   clients/<role>.p12                      the same for a browser (password kLocalPkcs12Password)
// Private keys are readable by their owner only.
class LocalPki {
 public:
  explicit LocalPki(std::string dir) : dir_(std::move(dir)) {}

  // Creates the directory, the CA and the server certificate if there is no CA yet, and
  // a client certificate for each of `clients` whose role has none. An existing CA is
  // kept: only missing certificates are issued. Returns how many it created.
  absl::StatusOr<int> Ensure(const std::vector<ClientSubject>& clients) const;

  // The CA (with its key, to issue more), the CA's certificate, the server's and a
  // client's certificate, read from disk.
  absl::StatusOr<CertifiedKey> CertificateAuthority() const;
  absl::StatusOr<std::string> CaCertificate() const;
  absl::StatusOr<CertifiedKey> ServerCertificate() const;
  absl::StatusOr<CertifiedKey> ClientCertificate(const std::string& role) const;

  const std::string& dir() const { return dir_; }
  std::string ca_path() const { return dir_ + "/ca.pem"; }
  std::string client_path(const std::string& role) const { return dir_ + "/clients/" + role + ".pem"; }

 private:
  const std::string dir_;
};

}  // namespace safeguard::security
