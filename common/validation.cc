#include "common/validation.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/time_util.h"
#include "google/rpc/error_details.pb.h"

namespace safeguard::validation {
namespace {

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong encodings, surrogates and values past U+10FFFF are not valid UTF-8.
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

}  // namespace

std::string Element(absl::string_view field, int i) { return absl::StrCat(field, "[", i, "]"); }

namespace {

absl::Status WithViolations(const std::vector<FieldViolation>& violations, std::string message) {
  absl::Status status = absl::InvalidArgumentError(message);
  google::rpc::BadRequest details;
  for (const FieldViolation& v : violations) {
    auto* out = details.add_field_violations();
    out->set_field(v.field);
    out->set_description(v.description);
  }
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(details.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  return WithViolations({{std::string(field), std::string(problem)}}, absl::StrCat(field, ": ", problem));
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  if (status.code() != absl::StatusCode::kInvalidArgument) return out;
  if (const auto payload = status.GetPayload(kBadRequestTypeUrl)) {
    google::rpc::BadRequest details;
    if (details.ParseFromString(std::string(*payload))) {
      for (const auto& v : details.field_violations()) out.push_back({v.field(), v.description()});
      return out;
    }
  }
  const absl::string_view message = status.message();
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) {
    out.push_back({"request", std::string(message)});
  } else {
    out.push_back({std::string(message.substr(0, colon)), std::string(message.substr(colon + 2))});
  }
  return out;
}

bool Violations::Check(const absl::Status& status) {
  if (status.ok()) return true;
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    if (other_.ok()) other_ = status;
    return false;
  }
  for (FieldViolation& v : FieldViolationsOf(status)) Add(v.field, v.description);
  return false;
}

void Violations::Add(absl::string_view field, absl::string_view problem) {
  FieldViolation v{std::string(field), std::string(problem)};
  if (std::find(violations_.begin(), violations_.end(), v) != violations_.end()) return;
  if (violations_.size() == kMaxReported) {
    ++dropped_;
    return;
  }
  violations_.push_back(std::move(v));
}

bool Violations::Names(absl::string_view field) const {
  return std::any_of(violations_.begin(), violations_.end(), [&](const FieldViolation& v) {
    return v.field == field || (absl::StartsWith(v.field, field) && v.field.size() > field.size() &&
                                (v.field[field.size()] == '.' || v.field[field.size()] == '['));
  });
}

absl::Status Violations::status() const {
  if (!other_.ok()) return other_;
  if (violations_.empty()) return absl::OkStatus();
  std::string message = absl::StrJoin(violations_, "; ", [](std::string* out, const FieldViolation& v) {
    absl::StrAppend(out, v.field, ": ", v.description);
  });
  if (dropped_ > 0) absl::StrAppend(&message, "; and ", dropped_, " more");
  return WithViolations(violations_, std::move(message));
}

absl::Status OptionalText(absl::string_view field, absl::string_view value, size_t max_len) {
  if (value.size() > max_len) {
    return FieldError(field, absl::StrCat("is longer than ", max_len, " bytes"));
  }
  if (!IsValidUtf8(value)) return FieldError(field, "is not valid UTF-8");
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return FieldError(field, "contains a control character");
  }
  return absl::OkStatus();
}

absl::Status RequireText(absl::string_view field, absl::string_view value, size_t max_len) {
  if (absl::StripAsciiWhitespace(value).empty()) return FieldError(field, "is required");
  return OptionalText(field, value, max_len);
}

absl::Status RequireReference(absl::string_view field, absl::string_view value) {
  constexpr size_t kReferenceMax = 64;
  if (value.empty()) return FieldError(field, "is required");
  auto alnum = [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); };
  bool ok = value.size() <= kReferenceMax && alnum(value.front()) && alnum(value.back()) &&
            value.find("..") == absl::string_view::npos;
  for (char c : value) ok = ok && (alnum(c) || c == '-' || c == '/' || c == '_' || c == '.' || c == ':');
  if (!ok) {
    return FieldError(field,
                      "must be a reference: 1-64 letters and digits, with - / _ . or : between them (not free text)");
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> RequireDate(absl::string_view field, absl::string_view value) {
  if (value.empty()) return FieldError(field, "is required (YYYY-MM-DD)");
  absl::StatusOr<absl::CivilDay> day = ParseIsoDate(value);
  if (!day.ok()) return FieldError(field, day.status().message());
  return day;
}

absl::StatusOr<absl::CivilDay> RequirePastDate(absl::string_view field, absl::string_view value,
                                               absl::CivilDay today) {
  absl::StatusOr<absl::CivilDay> day = RequireDate(field, value);
  if (day.ok() && *day > today) return FieldError(field, "is in the future");
  return day;
}

absl::Status RequireEnum(absl::string_view field, int value,
                         const google::protobuf::EnumDescriptor* type) {
  if (value == 0) return FieldError(field, "is required");
  if (type->FindValueByNumber(value) == nullptr) {
    return FieldError(field, absl::StrCat("is not a known ", type->name(), " value"));
  }
  return absl::OkStatus();
}

absl::Status MaxCount(absl::string_view field, int count, int max) {
  if (count > max) return FieldError(field, absl::StrCat("has more than ", max, " entries"));
  return absl::OkStatus();
}

absl::Status CommandId(absl::string_view field, absl::string_view value) {
  if (value.empty()) return FieldError(field, "is required");
  if (value.size() < 8 || value.size() > 128) {
    return FieldError(field, "must be 8-128 characters");
  }
  for (unsigned char c : value) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != ':' && c != '-') {
      return FieldError(field, "may contain only letters, digits and . _ : -");
    }
  }
  return absl::OkStatus();
}

bool IsIdentifier(absl::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (unsigned char c : s) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-' && c != '@') return false;
  }
  return true;
}

absl::StatusOr<std::string> NormalisePncId(absl::string_view field, absl::string_view value) {
  std::string v = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(value));
  const size_t slash = v.find('/');
  const auto bad = [&] {
    return FieldError(field, "must be a PNC id YYYY/NNNNNNNL (year, up to 7 digits, letter)");
  };
  if (slash != 4 || v.size() < 7) return bad();
  const std::string year = v.substr(0, 4);
  const std::string digits = v.substr(5, v.size() - 6);
  const char check = v.back();
  for (char c : year) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return bad();
  }
  if (digits.empty() || digits.size() > 7) return bad();
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return bad();
  }
  if (!absl::ascii_isalpha(static_cast<unsigned char>(check))) return bad();
  return absl::StrCat(year, "/", std::string(7 - digits.size(), '0'), digits,
                      std::string(1, check));
}

absl::StatusOr<std::string> NormaliseVisorRef(absl::string_view field, absl::string_view value) {
  std::string v = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(value));
  if (v.size() < 4 || v.size() > 32) return FieldError(field, "must be 4-32 characters");
  for (unsigned char c : v) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '/') {
      return FieldError(field, "may contain only letters, digits, '-' and '/'");
    }
  }
  return v;
}

absl::StatusOr<std::string> NormalisePostcode(absl::string_view field, absl::string_view value) {
  std::string compact;
  for (unsigned char c : value) {
    if (c == ' ') continue;
    compact.push_back(static_cast<char>(absl::ascii_toupper(c)));
  }
  // Outward code 2-4 characters starting with a letter; inward code digit + 2 letters.
  const auto bad = [&] { return FieldError(field, "must be a UK postcode such as 'SW1A 1AA'"); };
  if (compact.size() < 5 || compact.size() > 7) return bad();
  const std::string inward = compact.substr(compact.size() - 3);
  const std::string outward = compact.substr(0, compact.size() - 3);
  if (!absl::ascii_isdigit(static_cast<unsigned char>(inward[0])) ||
      !absl::ascii_isalpha(static_cast<unsigned char>(inward[1])) ||
      !absl::ascii_isalpha(static_cast<unsigned char>(inward[2]))) {
    return bad();
  }
  if (!absl::ascii_isalpha(static_cast<unsigned char>(outward[0]))) return bad();
  for (unsigned char c : outward) {
    if (!absl::ascii_isalnum(c)) return bad();
  }
  return absl::StrCat(outward, " ", inward);
}

}  // namespace safeguard::validation
