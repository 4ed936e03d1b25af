// The two primitives personal data is protected with, from OpenSSL: AES-256-GCM to seal
// (confidentiality and integrity, with associated data binding a ciphertext to where it
// belongs) and HMAC-SHA-256 to name people by a keyed hash.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace safeguard::crypto {

inline constexpr size_t kKeyBytes = 32;    // AES-256
inline constexpr size_t kNonceBytes = 12;  // GCM's 96-bit nonce, random per seal
inline constexpr size_t kTagBytes = 16;

// `n` bytes from OpenSSL's CSPRNG. kInternal when it cannot give them.
absl::StatusOr<std::string> RandomBytes(size_t n);

// AES-256-GCM under `key` (kKeyBytes) with a random nonce: nonce || ciphertext || tag.
// kInvalidArgument for a key of another length.
absl::StatusOr<std::string> Seal(absl::string_view key, absl::string_view plaintext, absl::string_view aad);

// The plaintext of Seal's output. kDataLoss when it was not sealed under `key` with
// `aad`, or was altered; kInvalidArgument for a key of another length.
absl::StatusOr<std::string> Open(absl::string_view key, absl::string_view sealed, absl::string_view aad);

// HMAC-SHA-256 of `data` under `key`: 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view data);

}  // namespace safeguard::crypto
