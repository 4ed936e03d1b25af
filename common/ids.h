// Identifiers and digests.
#pragma once

#include <string>
#include <string_view>

namespace safeguard {

// A random (version 4) UUID in its canonical lower-case text form, from OpenSSL's CSPRNG.
std::string NewUuid();

// SHA-256 of `data`, as 32 raw bytes.
std::string Sha256(std::string_view data);

// Lower-case hex of raw bytes.
std::string ToHex(std::string_view bytes);

}  // namespace safeguard
