#include "services/mappa/identity/identity.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/ids.h"

namespace safeguard::mappa {
namespace {

// The base letters of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A),
// lower case; "" for the two symbols in that range (multiplication and division signs).
const char* FoldLatin(char32_t c) {
  static constexpr const char* kLatin1[64] = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // C0
      "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // E0
      "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y"};  // F0
  if (c >= 0xC0 && c <= 0xFF) return kLatin1[c - 0xC0];
  if (c < 0x100 || c > 0x17F) return nullptr;
  struct Range {
    char32_t last;
    const char* base;
  };
  // Latin Extended-A in runs sharing a base letter.
  static constexpr Range kExtendedA[] = {
      {0x105, "a"}, {0x10D, "c"}, {0x111, "d"}, {0x11B, "e"}, {0x123, "g"}, {0x127, "h"},
      {0x131, "i"}, {0x133, "ij"}, {0x135, "j"}, {0x138, "k"}, {0x142, "l"}, {0x14B, "n"},
      {0x151, "o"}, {0x153, "oe"}, {0x159, "r"}, {0x161, "s"}, {0x167, "t"}, {0x173, "u"},
      {0x175, "w"}, {0x178, "y"}, {0x17E, "z"}, {0x17F, "s"}};
  for (const Range& r : kExtendedA) {
    if (c <= r.last) return r.base;
  }
  return nullptr;
}

// Decodes one UTF-8 code point from `s` at `*i`, advancing it; U+FFFD for a bad sequence.
char32_t NextCodePoint(absl::string_view s, size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || *i + len > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  char32_t c = len == 1 ? b0 : b0 & (0xFF >> (len + 1));
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[*i + k]);
    if ((b & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    c = (c << 6) | (b & 0x3F);
  }
  *i += len;
  return c;
}

int RecordRank(const std::string& key) {
  static constexpr const char* kOrder[] = {"pnc:", "visor:", "probation:", "childrens:"};
  for (int i = 0; i < 4; ++i) {
    if (key.rfind(kOrder[i], 0) == 0) return i;
  }
  return 4;
}

}  // namespace

std::string NormaliseName(absl::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    const size_t start = i;
    const char32_t c = NextCodePoint(name, &i);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
      if (c >= 'a' && c <= 'z') out.push_back(static_cast<char>(c));
      continue;  // whitespace, punctuation, digits
    }
    if (c >= 0x300 && c <= 0x36F) continue;          // combining marks (decomposed accents)
    if (c < 0xC0 || (c >= 0x2000 && c <= 0x206F) || c == 0xFFFD) {
      continue;                                      // Latin-1 and general punctuation, spaces,
    }                                                // bad bytes
    if (const char* base = FoldLatin(c)) {
      out.append(base);
      continue;
    }
    out.append(name.data() + start, i - start);      // another script: kept as written
  }
  return out;
}

std::string LinkIdFor(const std::string& record_a, const std::string& record_b) {
  const std::string& lo = std::min(record_a, record_b);
  const std::string& hi = std::max(record_a, record_b);
  return absl::StrCat("link-", ToHex(Sha256(absl::StrCat(lo, "\n", hi))).substr(0, 20));
}

bool BetterRecordKey(const std::string& a, const std::string& b) {
  const int ra = RecordRank(a), rb = RecordRank(b);
  return ra != rb ? ra < rb : a < b;
}

safeguard::v1::IdentityLinkStatus EffectiveStatus(const safeguard::v1::IdentityLink& link) {
  if (link.decision() != safeguard::v1::IDENTITY_LINK_STATUS_UNSPECIFIED) return link.decision();
  if (link.national_identifier_match()) return safeguard::v1::LINKED;
  if (link.name_match()) return safeguard::v1::CANDIDATE;
  return safeguard::v1::IDENTITY_LINK_STATUS_UNSPECIFIED;
}

std::optional<IdentityDecision> IdentityDecisionOf(const safeguard::v1::EventEnvelope& e) {
  using safeguard::v1::EventEnvelope;
  auto make = [](const auto& x, safeguard::v1::IdentityLinkStatus decision) {
    return IdentityDecision{x.link_id(), x.record_a(), x.record_b(), x.reason(), decision};
  };
  switch (e.payload_case()) {
    case EventEnvelope::kIdentityLinkConfirmed:
      return make(e.identity_link_confirmed(), safeguard::v1::LINKED);
    case EventEnvelope::kIdentityLinkRejected:
      return make(e.identity_link_rejected(), safeguard::v1::REJECTED);
    case EventEnvelope::kIdentityUnlinked:
      return make(e.identity_unlinked(), safeguard::v1::UNLINKED);
    default:
      return std::nullopt;
  }
}

}  // namespace safeguard::mappa
