#include "common/security/delegation.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/security/openssl_types.h"
#include "common/status_macros.h"

namespace safeguard::security {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRemembered = std::chrono::seconds(60);
constexpr size_t kMaxRemembered = 4096;

// What a verification found, kept for kRemembered.
struct Remembered {
  CertificateSubject subject;
  Clock::time_point at;
};

// A bounded map from certificate to its verified subject, emptied when full.
class RememberedSubjects {
 public:
  std::optional<CertificateSubject> Find(const std::string& pem) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(pem);
    if (it == entries_.end()) return std::nullopt;
    if (Clock::now() - it->second.at > kRemembered) {
      entries_.erase(it);
      return std::nullopt;
    }
    return it->second.subject;
  }
  void Put(const std::string& pem, const CertificateSubject& subject) {
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() >= kMaxRemembered) entries_.clear();
    entries_[pem] = Remembered{subject, Clock::now()};
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, Remembered> entries_;
};

RememberedSubjects& ProcessWide() {
  static auto* subjects = new RememberedSubjects;
  return *subjects;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

absl::StatusOr<std::string> UrlDecode(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size() || HexValue(in[i + 1]) < 0 || HexValue(in[i + 2]) < 0) {
      return absl::UnauthenticatedError("x-forwarded-client-cert: Cert is not URL-encoded");
    }
    out.push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
    i += 2;
  }
  return out;
}

// Splits `in` at `sep` outside double quotes.
std::vector<absl::string_view> SplitOutsideQuotes(absl::string_view in, char sep) {
  std::vector<absl::string_view> parts;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '"') quoted = !quoted;
    if (in[i] == sep && !quoted) {
      parts.push_back(in.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(in.substr(start));
  return parts;
}

using StoreCtx = OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;

}  // namespace

absl::StatusOr<std::string> ForwardedCertificatePem(absl::string_view header) {
  const std::vector<absl::string_view> elements = SplitOutsideQuotes(header, ',');
  if (elements.size() != 1) {
    return absl::UnauthenticatedError(
        "x-forwarded-client-cert: one element only (the person's certificate); a chain of proxies is not accepted");
  }
  std::string hash;
  std::string pem;
  for (absl::string_view pair : SplitOutsideQuotes(elements.front(), ';')) {
    pair = absl::StripAsciiWhitespace(pair);
    const size_t eq = pair.find('=');
    if (eq == absl::string_view::npos) continue;
    const absl::string_view key = pair.substr(0, eq);
    absl::string_view value = pair.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (absl::EqualsIgnoreCase(key, "Hash")) hash = absl::AsciiStrToLower(value);
    if (absl::EqualsIgnoreCase(key, "Cert")) {
      ASSIGN_OR_RETURN(pem, UrlDecode(value));
    }
  }
  if (pem.empty()) return absl::UnauthenticatedError("x-forwarded-client-cert: no Cert (the person's certificate, URL-encoded PEM)");
  if (!hash.empty()) {
    absl::StatusOr<CertificateSubject> subject = ReadCertificateSubject(pem);
    if (!subject.ok()) return absl::UnauthenticatedError("x-forwarded-client-cert: Cert is not a certificate");
    if (subject->sha256 != hash) {
      return absl::UnauthenticatedError("x-forwarded-client-cert: Hash is not the SHA-256 of Cert");
    }
  }
  return pem;
}

struct ClientCertificateVerifier::Store {
  X509_STORE* ca = nullptr;
  mutable RememberedSubjects verified;
  ~Store() { X509_STORE_free(ca); }
};

ClientCertificateVerifier::ClientCertificateVerifier(std::unique_ptr<Store> store) : store_(std::move(store)) {}
ClientCertificateVerifier::~ClientCertificateVerifier() = default;

absl::StatusOr<std::shared_ptr<const ClientCertificateVerifier>> ClientCertificateVerifier::Create(
    const std::string& ca_pem) {
  auto store = std::make_unique<Store>();
  store->ca = X509_STORE_new();
  if (store->ca == nullptr) return absl::InternalError("cannot create a certificate store");
  Bio bio(BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())));
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store->ca, cert) == 1) ++added;
    X509_free(cert);
  }
  if (added == 0) return absl::InvalidArgumentError("the client CA holds no certificate");
  return std::shared_ptr<const ClientCertificateVerifier>(new ClientCertificateVerifier(std::move(store)));
}

absl::StatusOr<CertificateSubject> ClientCertificateVerifier::Verify(const std::string& pem) const {
  if (std::optional<CertificateSubject> known = store_->verified.Find(pem)) {
    ProcessWide().Put(pem, *known);
    return *known;
  }
  Cert cert = ParseCertificatePem(pem.data(), pem.size());
  if (cert == nullptr) return absl::UnauthenticatedError("the forwarded certificate cannot be read");
  absl::StatusOr<CertificateSubject> subject = ReadCertificateSubject(pem);
  if (!subject.ok()) return absl::UnauthenticatedError("the forwarded certificate cannot be read");
  StoreCtx ctx(X509_STORE_CTX_new());
  if (ctx == nullptr || X509_STORE_CTX_init(ctx.get(), store_->ca, cert.get(), nullptr) != 1) {
    return absl::InternalError("cannot check the forwarded certificate");
  }
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(ctx.get()) != 1) {
    return absl::UnauthenticatedError(
        absl::StrCat("the forwarded certificate of ", subject->user, " (", subject->agency, "/", subject->role,
                     ") is not accepted: ", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))));
  }
  store_->verified.Put(pem, *subject);
  ProcessWide().Put(pem, *subject);
  return *subject;
}

std::optional<CertificateSubject> RecentlyVerified(const std::string& pem) { return ProcessWide().Find(pem); }

}  // namespace safeguard::security
