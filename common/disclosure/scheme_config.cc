#include "common/disclosure/scheme_config.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/time_util.h"

namespace safeguard::disclosure {
namespace {

constexpr char kArea[] = "scheme.area";
constexpr char kRequireSubject[] = "scheme.require_subject_in_area";
constexpr char kDeadlinePrefix[] = "disclosure.deadline.";

bool IsDivision(absl::string_view d) {
  return !d.empty() && d.size() <= 64 &&
         std::all_of(d.begin(), d.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// "24h" or "10d": a positive whole number of hours or days.
std::optional<absl::Duration> ParseDeadline(absl::string_view value) {
  if (value.size() < 2) return std::nullopt;
  int n = 0;
  if (!absl::SimpleAtoi(value.substr(0, value.size() - 1), &n) || n <= 0 || n > 24 * 366) return std::nullopt;
  switch (value.back()) {
    case 'h': return absl::Hours(n);
    case 'd': return absl::Hours(24 * n);
    default: return std::nullopt;
  }
}

// "<force>[/<division>] from YYYY-MM-DD [until YYYY-MM-DD]"
absl::StatusOr<SchemeAreaPeriod> ParseArea(absl::string_view value) {
  std::vector<absl::string_view> words = absl::StrSplit(value, ' ', absl::SkipWhitespace());
  if ((words.size() != 3 && words.size() != 5) || words[1] != "from" || (words.size() == 5 && words[3] != "until")) {
    return absl::InvalidArgumentError("expected '<force>[/<division>] from YYYY-MM-DD [until YYYY-MM-DD]'");
  }
  SchemeAreaPeriod area;
  std::vector<absl::string_view> place = absl::StrSplit(words[0], absl::MaxSplits('/', 1));
  area.force = std::string(place[0]);
  if (area.force != "*" && !IsForce(area.force)) {
    return absl::InvalidArgumentError(absl::StrCat("'", area.force, "' is not a force of England and Wales"));
  }
  if (place.size() == 2) {
    if (area.force == "*" || !IsDivision(place[1])) {
      return absl::InvalidArgumentError("a division is lower-case letters, digits and '-', within a named force");
    }
    area.division = std::string(place[1]);
  }
  if (!absl::ParseCivilTime(words[2], &area.from)) return absl::InvalidArgumentError("'from' is not a date");
  if (words.size() == 5) {
    absl::CivilDay until;
    if (!absl::ParseCivilTime(words[4], &until) || until < area.from) {
      return absl::InvalidArgumentError("'until' is not a date on or after 'from'");
    }
    area.until = until;
  }
  return area;
}

}  // namespace

const std::vector<std::string>& Forces() {
  static const auto* const forces = new std::vector<std::string>{
      "avon-and-somerset", "bedfordshire",     "cambridgeshire",   "cheshire",          "city-of-london",
      "cleveland",         "cumbria",          "derbyshire",       "devon-and-cornwall", "dorset",
      "durham",            "dyfed-powys",      "essex",            "gloucestershire",   "greater-manchester",
      "gwent",             "hampshire",        "hertfordshire",    "humberside",        "kent",
      "lancashire",        "leicestershire",   "lincolnshire",     "merseyside",        "metropolitan",
      "norfolk",           "north-wales",      "north-yorkshire",  "northamptonshire",  "northumbria",
      "nottinghamshire",   "south-wales",      "south-yorkshire",  "staffordshire",     "suffolk",
      "surrey",            "sussex",           "thames-valley",    "warwickshire",      "west-mercia",
      "west-midlands",     "west-yorkshire",   "wiltshire"};
  return *forces;
}

bool IsForce(absl::string_view force) {
  return std::binary_search(Forces().begin(), Forces().end(), force);
}

bool IsSchemeConfigKey(absl::string_view key) {
  return key == kArea || key == kRequireSubject || absl::StartsWith(key, kDeadlinePrefix);
}

absl::StatusOr<SchemeConfig> ParseSchemeConfig(const std::string& text) {
  SchemeConfig config;
  bool areas_given = false;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_no;
    absl::string_view line = absl::StripAsciiWhitespace(raw.substr(0, raw.find('#')));
    const size_t eq = line.find('=');
    if (line.empty() || eq == absl::string_view::npos) continue;  // the bus parser reports these
    const std::string key(absl::StripAsciiWhitespace(line.substr(0, eq)));
    const std::string value(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (!IsSchemeConfigKey(key)) continue;
    const auto where = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat("config line ", line_no, ": ", key, ": ", what));
    };
    if (key == kArea) {
      absl::StatusOr<SchemeAreaPeriod> area = ParseArea(value);
      if (!area.ok()) return where(area.status().message());
      if (!areas_given) config.areas.clear();
      areas_given = true;
      config.areas.push_back(*std::move(area));
    } else if (key == kRequireSubject) {
      if (value != "true" && value != "false") return where("expected true or false");
      config.require_subject_in_area = value == "true";
    } else {
      const std::string stage = key.substr(sizeof(kDeadlinePrefix) - 1);
      absl::Duration* target = stage == "initial_checks"    ? &config.deadlines.initial_checks
                               : stage == "interview"       ? &config.deadlines.interview
                               : stage == "risk_assessment" ? &config.deadlines.risk_assessment
                               : stage == "whole_case"      ? &config.deadlines.whole_case
                                                            : nullptr;
      if (target == nullptr) {
        return where("unknown deadline; expected initial_checks, interview, risk_assessment or whole_case");
      }
      std::optional<absl::Duration> d = ParseDeadline(value);
      if (!d) return where("expected a whole number of hours or days, e.g. 24h or 10d");
      *target = *d;
    }
  }
  return config;
}

const SchemeAreaPeriod* AreaInScheme(const SchemeConfig& config, const safeguard::v1::SchemeArea& area,
                                     absl::CivilDay day) {
  for (const SchemeAreaPeriod& p : config.areas) {
    if (p.force != "*" && p.force != area.force()) continue;
    if (!p.division.empty() && p.division != area.division()) continue;
    if (day < p.from || (p.until && day > *p.until)) continue;
    return &p;
  }
  return nullptr;
}

}  // namespace safeguard::disclosure
