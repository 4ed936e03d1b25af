#include "services/mappa/screening/online_identifier.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/validation.h"

namespace safeguard::mappa {
namespace {

namespace v = safeguard::validation;

bool IgnoresDots(const std::string& domain) { return domain == "gmail.com"; }

bool IgnoresPlusTags(const std::string& domain) {
  static const auto* providers = new std::set<std::string>{
      "gmail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "live.co.uk",
      "icloud.com", "me.com", "proton.me", "protonmail.com", "fastmail.com"};
  return providers->contains(domain);
}

}  // namespace

absl::StatusOr<std::string> OnlineIdentifierKey(safeguard::v1::OnlineIdentifierKind kind,
                                                const std::string& value, const std::string& platform,
                                                const std::string& field) {
  std::string s = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  switch (kind) {
    case safeguard::v1::EMAIL: {
      const size_t at = s.rfind('@');
      if (at == std::string::npos || at == 0 || at + 1 == s.size() || s.find(' ') != std::string::npos) {
        return v::FieldError(field, "is not an email address");
      }
      std::string local = s.substr(0, at);
      std::string domain = s.substr(at + 1);
      if (domain == "googlemail.com") domain = "gmail.com";
      if (IgnoresPlusTags(domain)) local = local.substr(0, local.find('+'));
      if (IgnoresDots(domain)) {
        std::string no_dots;
        for (char c : local) {
          if (c != '.') no_dots.push_back(c);
        }
        local = no_dots;
      }
      if (local.empty()) return v::FieldError(field, "is not an email address");
      return absl::StrCat("email:", local, "@", domain);
    }
    case safeguard::v1::USERNAME: {
      absl::string_view name = s;
      absl::ConsumePrefix(&name, "@");
      if (name.empty()) return v::FieldError(field, "is empty");
      return absl::StrCat("username:", absl::AsciiStrToLower(absl::StripAsciiWhitespace(platform)), ":", name);
    }
    case safeguard::v1::PHONE: {
      std::string digits;
      for (char c : s) {
        if (absl::ascii_isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
      }
      if (digits.rfind("44", 0) == 0 && digits.size() > 10) digits = "0" + digits.substr(2);
      if (digits.size() < 7) return v::FieldError(field, "is not a phone number");
      return absl::StrCat("phone:", digits);
    }
    default:
      return v::FieldError(field, "kind must be EMAIL, USERNAME or PHONE");
  }
}

}  // namespace safeguard::mappa
