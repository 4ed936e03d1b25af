// OpenSSL objects owned by std::unique_ptr, freed by their own free functions.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace safeguard::security {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, Free>>;

using Key = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using Cert = OpenSslPtr<X509, X509_free>;
using Bio = OpenSslPtr<BIO, BIO_free_all>;

// The first certificate of the PEM text at `data`; nullptr when there is none.
inline Cert ParseCertificatePem(const char* data, size_t size) {
  Bio bio(BIO_new_mem_buf(data, static_cast<int>(size)));
  if (bio == nullptr) return nullptr;
  return Cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace safeguard::security
