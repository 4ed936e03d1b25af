// Order-preserving key encodings for RocksDB keys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace safeguard {

// Appends `v` as 8 big-endian bytes, so that byte order equals numeric order.
inline void AppendBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

inline uint64_t DecodeBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < in.size(); ++i) {
    v = (v << 8) | static_cast<unsigned char>(in[i]);
  }
  return v;
}

// Maps a signed value onto unsigned order (flips the sign bit).
inline uint64_t OrderedFromSigned(int64_t v) {
  return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63);
}

// Builds `prefix` + `name` + '\0': names never contain NUL, so one name's keys never
// interleave with another's.
inline std::string NamedPrefix(std::string_view prefix, std::string_view name) {
  std::string key;
  key.reserve(prefix.size() + name.size() + 1);
  key.append(prefix);
  key.append(name);
  key.push_back('\0');
  return key;
}

}  // namespace safeguard
