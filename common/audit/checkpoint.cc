#include "common/audit/checkpoint.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/time_util.h"

namespace safeguard::audit {
namespace {

struct FileCloser {
  void operator()(FILE* f) const {
    if (f != nullptr) fclose(f);
  }
};
using File = std::unique_ptr<FILE, FileCloser>;

}  // namespace

absl::StatusOr<std::unique_ptr<SigningKey>> SigningKey::LoadOrCreate(const std::string& pem_path) {
  EVP_PKEY* key = nullptr;
  if (File f(fopen(pem_path.c_str(), "r")); f != nullptr) {
    key = PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr);
    if (key == nullptr || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
      EVP_PKEY_free(key);
      return absl::DataLossError(absl::StrCat(pem_path, ": not an Ed25519 private key"));
    }
  } else {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
    const bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &key) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) return absl::InternalError("could not generate an Ed25519 key");
    const mode_t old_mask = umask(077);
    File out(fopen(pem_path.c_str(), "wx"));
    umask(old_mask);
    if (out == nullptr ||
        PEM_write_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1 || fflush(out.get()) != 0 ||
        fsync(fileno(out.get())) != 0) {
      EVP_PKEY_free(key);
      return absl::UnavailableError(absl::StrCat("could not write the signing key to ", pem_path));
    }
  }
  return std::unique_ptr<SigningKey>(new SigningKey(key));
}

SigningKey::SigningKey(EVP_PKEY* key) : key_(key) {
  size_t len = 32;
  public_key_.resize(len);
  EVP_PKEY_get_raw_public_key(key_, reinterpret_cast<unsigned char*>(public_key_.data()), &len);
  public_key_.resize(len);
  key_id_ = KeyId(public_key_);
}

SigningKey::~SigningKey() { EVP_PKEY_free(key_); }

std::string SigningKey::public_key_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

absl::StatusOr<std::string> SigningKey::Sign(absl::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string sig(64, '\0');
  size_t len = sig.size();
  const bool ok = ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_) == 1 &&
                  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                                 reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || len != 64) return absl::InternalError("Ed25519 signing failed");
  return sig;
}

absl::StatusOr<std::string> ReadPublicKeyPem(const std::string& path) {
  File f(fopen(path.c_str(), "r"));
  if (f == nullptr) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  EVP_PKEY* key = PEM_read_PUBKEY(f.get(), nullptr, nullptr, nullptr);
  if (key == nullptr || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError(absl::StrCat(path, ": not an Ed25519 public key (PEM)"));
  }
  std::string raw(32, '\0');
  size_t len = raw.size();
  EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &len);
  EVP_PKEY_free(key);
  raw.resize(len);
  return raw;
}

std::string KeyId(absl::string_view public_key) {
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(public_key.data(), public_key.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

std::string CheckpointBody(absl::string_view origin, uint64_t size, absl::string_view root_hash, absl::Time time) {
  return absl::StrCat(origin, "\n", size, "\n", absl::Base64Escape(root_hash), "\n",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone()), "\n");
}

absl::StatusOr<safeguard::v1::SignedCheckpoint> SignCheckpoint(const SigningKey& key, absl::string_view origin,
                                                               uint64_t size, absl::string_view root_hash,
                                                               absl::Time time) {
  // The body carries microseconds; so does the stored time, so the two always agree.
  time = absl::FromUnixMicros(absl::ToUnixMicros(time));
  safeguard::v1::SignedCheckpoint c;
  c.set_origin(std::string(origin));
  c.set_size(size);
  c.set_root_hash(std::string(root_hash));
  *c.mutable_time() = ToProtoTimestamp(time);
  c.set_body(CheckpointBody(origin, size, root_hash, time));
  auto sig = key.Sign(c.body());
  if (!sig.ok()) return sig.status();
  c.set_signature(*sig);
  c.set_key_id(key.key_id());
  return c;
}

bool VerifySignature(absl::string_view public_key, absl::string_view message, absl::string_view signature) {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                              reinterpret_cast<const unsigned char*>(public_key.data()), 32);
  if (key == nullptr) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                   reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

absl::Status VerifyCheckpoint(const safeguard::v1::SignedCheckpoint& c, absl::string_view public_key) {
  if (c.body() != CheckpointBody(c.origin(), c.size(), c.root_hash(), FromProtoTimestamp(c.time()))) {
    return absl::DataLossError(absl::StrCat("checkpoint ", c.origin(), " size ", c.size(),
                                            ": its signed text does not match its fields"));
  }
  if (!VerifySignature(public_key, c.body(), c.signature())) {
    return absl::DataLossError(absl::StrCat("checkpoint ", c.origin(), " size ", c.size(),
                                            ": the signature is not the log's key's"));
  }
  return absl::OkStatus();
}

}  // namespace safeguard::audit
