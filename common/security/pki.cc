#include "common/security/pki.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/security/openssl_types.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::security {
namespace {

using Name = OpenSslPtr<X509_NAME, X509_NAME_free>;
using Extension = OpenSslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using BigNum = OpenSslPtr<BIGNUM, BN_free>;
// The stack holds pointers it does not own.
void sk_X509_free_wrapper(STACK_OF(X509)* stack) { sk_X509_free(stack); }

// The OpenSSL error queue as text, emptied.
std::string OpenSslError() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no detail" : out;
}

absl::Status Failed(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", OpenSslError()));
}

absl::StatusOr<Key> NewP256Key() {
  Key key(EVP_EC_gen("P-256"));
  if (key == nullptr) return Failed("generating a P-256 key");
  return key;
}

std::string KeyPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string CertPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<Cert> ParseCert(absl::string_view pem) {
  Cert cert = ParseCertificatePem(pem.data(), pem.size());
  if (cert == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("not a PEM certificate");
  }
  return cert;
}

absl::StatusOr<Key> ParseKey(absl::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("not a PEM private key");
  }
  return key;
}

absl::Status AddNameEntry(X509_NAME* name, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                 -1, -1, 0) != 1) {
    return Failed(absl::StrCat("setting the subject's ", field));
  }
  return absl::OkStatus();
}

absl::Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  Extension ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Failed(absl::StrCat("adding extension ", OBJ_nid2sn(nid), "=", value));
  }
  return absl::OkStatus();
}

// A certificate for `key` with `subject`, signed by `issuer_key` as `issuer` (itself
// when null), carrying `extensions` (nid, value as in openssl's config syntax).
absl::StatusOr<CertifiedKey> Sign(EVP_PKEY* key, X509_NAME* subject, X509* issuer, EVP_PKEY* issuer_key,
                                  absl::Duration validity, const std::vector<std::pair<int, std::string>>& extensions) {
  Cert cert(X509_new());
  if (cert == nullptr) return Failed("allocating a certificate");
  X509_set_version(cert.get(), 2);  // v3
  // A random positive 127-bit serial (RFC 5280 §4.1.2.2 allows up to 20 octets).
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) return Failed("drawing a serial number");
  serial_bytes[0] &= 0x7f;
  BigNum serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  if (serial == nullptr || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return Failed("setting the serial number");
  }
  // Valid from a minute ago, so that a peer whose clock is slightly behind accepts it.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(absl::ToInt64Seconds(validity)));
  X509_set_subject_name(cert.get(), subject);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : subject);
  if (X509_set_pubkey(cert.get(), key) != 1) return Failed("setting the public key");
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) {
    RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, nid, value));
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    return Failed("signing the certificate");
  }
  return CertifiedKey{CertPem(cert.get()), KeyPem(key)};
}

absl::StatusOr<CertifiedKey> IssueLeaf(const CertifiedKey& ca, X509_NAME* subject, absl::Duration validity,
                                       std::vector<std::pair<int, std::string>> extensions) {
  ASSIGN_OR_RETURN(Cert ca_cert, ParseCert(ca.certificate_pem));
  ASSIGN_OR_RETURN(Key ca_key, ParseKey(ca.private_key_pem));
  ASSIGN_OR_RETURN(Key key, NewP256Key());
  extensions.insert(extensions.begin(), {{NID_basic_constraints, "critical,CA:FALSE"},
                                         {NID_key_usage, "critical,digitalSignature"},
                                         {NID_subject_key_identifier, "hash"},
                                         {NID_authority_key_identifier, "keyid:always"}});
  return Sign(key.get(), subject, ca_cert.get(), ca_key.get(), validity, extensions);
}

std::string NameField(X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return "";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::string OneLine(X509_NAME* name) {
  Bio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string Time(const ASN1_TIME* t) {
  Bio bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), t);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// Writes `contents` to `path` through a temporary file and a rename, synced; mode 0600
// when `secret`.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents, bool secret) {
  const std::string tmp = path + ".tmp";
  const mode_t old_mask = umask(secret ? 077 : 022);
  FILE* f = fopen(tmp.c_str(), "w");
  umask(old_mask);
  if (f == nullptr) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  const bool ok = fwrite(contents.data(), 1, contents.size(), f) == contents.size() && fflush(f) == 0 &&
                  fsync(fileno(f)) == 0;
  fclose(f);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<CertifiedKey> ReadPair(const std::string& prefix) {
  CertifiedKey pair;
  ASSIGN_OR_RETURN(pair.certificate_pem, ReadTextFile(prefix + ".pem"));
  ASSIGN_OR_RETURN(pair.private_key_pem, ReadTextFile(prefix + "-key.pem"));
  return pair;
}

// What `cert`'s subject says, and its fingerprint.
absl::StatusOr<CertificateSubject> SubjectOf(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  CertificateSubject out;
  out.agency = NameField(name, NID_organizationName);
  out.role = NameField(name, NID_organizationalUnitName);
  out.user = NameField(name, NID_commonName);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &len) != 1) return Failed("hashing the certificate");
  out.sha256 = absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
  return out;
}

constexpr absl::Duration kYear = absl::Hours(24 * 365);

}  // namespace

absl::StatusOr<CertifiedKey> CreateCertificateAuthority(const std::string& name, absl::Duration validity) {
  ASSIGN_OR_RETURN(Key key, NewP256Key());
  Name subject(X509_NAME_new());
  RETURN_IF_ERROR(AddNameEntry(subject.get(), "O", "Safeguard"));
  RETURN_IF_ERROR(AddNameEntry(subject.get(), "CN", name));
  return Sign(key.get(), subject.get(), nullptr, nullptr, validity,
              {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
               {NID_key_usage, "critical,keyCertSign,cRLSign"},
               {NID_subject_key_identifier, "hash"}});
}

absl::StatusOr<CertifiedKey> IssueClientCertificate(const CertifiedKey& ca, const ClientSubject& subject,
                                                    absl::Duration validity) {
  for (const auto& [field, value] : {std::pair<const char*, const std::string&>{"agency", subject.agency},
                                     {"role", subject.role},
                                     {"user", subject.user}}) {
    if (!validation::IsIdentifier(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": 1-64 characters of letters, digits and . _ - @"));
    }
  }
  Name name(X509_NAME_new());
  RETURN_IF_ERROR(AddNameEntry(name.get(), "O", subject.agency));
  RETURN_IF_ERROR(AddNameEntry(name.get(), "OU", subject.role));
  RETURN_IF_ERROR(AddNameEntry(name.get(), "CN", subject.user));
  return IssueLeaf(ca, name.get(), validity, {{NID_ext_key_usage, "clientAuth"}});
}

absl::StatusOr<CertifiedKey> IssueServerCertificate(const CertifiedKey& ca, const std::vector<std::string>& hosts,
                                                    absl::Duration validity) {
  if (hosts.empty()) return absl::InvalidArgumentError("hosts: name at least one DNS name or address");
  std::vector<std::string> names;
  for (const std::string& host : hosts) {
    unsigned char buf[sizeof(struct in6_addr)];
    const bool is_ip = inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
    if (!is_ip && !validation::IsIdentifier(host)) {
      return absl::InvalidArgumentError(absl::StrCat("hosts: '", host, "' is neither a DNS name nor an address"));
    }
    names.push_back(absl::StrCat(is_ip ? "IP:" : "DNS:", host));
  }
  Name name(X509_NAME_new());
  RETURN_IF_ERROR(AddNameEntry(name.get(), "O", "Safeguard"));
  RETURN_IF_ERROR(AddNameEntry(name.get(), "CN", hosts.front()));
  return IssueLeaf(ca, name.get(), validity,
                   {{NID_ext_key_usage, "serverAuth"}, {NID_subject_alt_name, absl::StrJoin(names, ",")}});
}

absl::StatusOr<CertificateSubject> ReadCertificateSubject(absl::string_view pem) {
  ASSIGN_OR_RETURN(Cert cert, ParseCert(pem));
  return SubjectOf(cert.get());
}

absl::StatusOr<std::string> DescribeCertificate(absl::string_view pem) {
  ASSIGN_OR_RETURN(Cert cert, ParseCert(pem));
  ASSIGN_OR_RETURN(CertificateSubject subject, SubjectOf(cert.get()));
  return absl::StrCat("subject  ", OneLine(X509_get_subject_name(cert.get())), "\n",
                      "issuer   ", OneLine(X509_get_issuer_name(cert.get())), "\n",
                      "valid    ", Time(X509_get0_notBefore(cert.get())), " to ", Time(X509_get0_notAfter(cert.get())),
                      "\n", "sha256   ", subject.sha256, "\n");
}

absl::Status WriteCertifiedKey(const std::string& prefix, const CertifiedKey& pair) {
  std::error_code ec;
  for (const std::string& path : {prefix + ".pem", prefix + "-key.pem"}) {
    if (std::filesystem::exists(path, ec)) return absl::AlreadyExistsError(absl::StrCat(path, " exists; not replaced"));
  }
  if (const auto parent = std::filesystem::path(prefix).parent_path(); !parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", parent.string(), ": ", ec.message()));
  }
  // The key first: a certificate on disk always has its key.
  RETURN_IF_ERROR(WriteFileAtomically(prefix + "-key.pem", pair.private_key_pem, /*secret=*/true));
  return WriteFileAtomically(prefix + ".pem", pair.certificate_pem, /*secret=*/false);
}

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in.good() && !in.eof()) return absl::UnavailableError(absl::StrCat(path, ": cannot be read"));
  return buffer.str();
}

absl::StatusOr<int> LocalPki::Ensure(const std::vector<ClientSubject>& clients) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_ + "/clients", ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", dir_, "/clients: ", ec.message()));
  int created = 0;
  CertifiedKey ca;
  if (std::filesystem::exists(ca_path(), ec)) {
    ASSIGN_OR_RETURN(ca, CertificateAuthority());
  } else {
    ASSIGN_OR_RETURN(ca, CreateCertificateAuthority("Safeguard local certificate authority", 5 * kYear));
    RETURN_IF_ERROR(WriteCertifiedKey(dir_ + "/ca", ca));
    ++created;
  }
  if (!std::filesystem::exists(dir_ + "/server.pem", ec)) {
    ASSIGN_OR_RETURN(CertifiedKey server, IssueServerCertificate(ca, {"localhost", "127.0.0.1", "::1"}, 2 * kYear));
    RETURN_IF_ERROR(WriteCertifiedKey(dir_ + "/server", server));
    ++created;
  }
  for (const ClientSubject& client : clients) {
    const std::string prefix = dir_ + "/clients/" + client.role;
    if (!std::filesystem::exists(client_path(client.role), ec)) {
      ASSIGN_OR_RETURN(CertifiedKey pair, IssueClientCertificate(ca, client, 2 * kYear));
      RETURN_IF_ERROR(WriteCertifiedKey(prefix, pair));
      ++created;
    }
    // The same certificate and key for a browser to import (made for certificates issued
    // before browsers were given theirs, too).
    if (!std::filesystem::exists(prefix + ".p12", ec)) {
      ASSIGN_OR_RETURN(CertifiedKey pair, ReadPair(prefix));
      ASSIGN_OR_RETURN(std::string p12, ToPkcs12(pair, ca.certificate_pem, client.user, kLocalPkcs12Password));
      RETURN_IF_ERROR(WriteFileAtomically(prefix + ".p12", p12, /*secret=*/true));
    }
  }
  return created;
}

absl::StatusOr<std::string> ToPkcs12(const CertifiedKey& pair, const std::string& ca_pem, const std::string& name,
                                     const std::string& password) {
  ASSIGN_OR_RETURN(Cert cert, ParseCert(pair.certificate_pem));
  ASSIGN_OR_RETURN(Key key, ParseKey(pair.private_key_pem));
  ASSIGN_OR_RETURN(Cert ca, ParseCert(ca_pem));
  OpenSslPtr<STACK_OF(X509), sk_X509_free_wrapper> chain(sk_X509_new_null());
  if (chain == nullptr || sk_X509_push(chain.get(), ca.get()) == 0) return Failed("building the certificate chain");
  // PKCS12_create's defaults in OpenSSL 3: AES-256-CBC and PBKDF2, which browsers import.
  OpenSslPtr<PKCS12, PKCS12_free> p12(
      PKCS12_create(password.c_str(), name.c_str(), key.get(), cert.get(), chain.get(), 0, 0, 0, 0, 0));
  if (p12 == nullptr) return Failed("making the PKCS#12 file");
  Bio out(BIO_new(BIO_s_mem()));
  if (out == nullptr || i2d_PKCS12_bio(out.get(), p12.get()) != 1) return Failed("writing the PKCS#12 file");
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::StatusOr<CertifiedKey> LocalPki::CertificateAuthority() const { return ReadPair(dir_ + "/ca"); }

absl::StatusOr<std::string> LocalPki::CaCertificate() const { return ReadTextFile(ca_path()); }

absl::StatusOr<CertifiedKey> LocalPki::ServerCertificate() const { return ReadPair(dir_ + "/server"); }

absl::StatusOr<CertifiedKey> LocalPki::ClientCertificate(const std::string& role) const {
  absl::StatusOr<CertifiedKey> pair = ReadPair(dir_ + "/clients/" + role);
  if (absl::IsNotFound(pair.status())) {
    return absl::NotFoundError(absl::StrCat("no local certificate for role '", role, "' in ", dir_, "/clients"));
  }
  return pair;
}

}  // namespace safeguard::security
