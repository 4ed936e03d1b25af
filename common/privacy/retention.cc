#include "common/privacy/retention.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/time_util.h"

namespace safeguard::privacy {
namespace {

namespace v1 = safeguard::v1;

constexpr char kPrefix[] = "retention.";
constexpr const char* kAgencies[] = {"police", "probation", "childrens"};

// The shipped defaults: MoPI's groups for the police (public protection matters kept to
// the subject's 100th birthday and reviewed every 10 years; other offending 10 years from
// the last event; the rest a 6-year clear period), and the same shape for the others.
constexpr char kDefaults[] = R"(
retention.police.1 = public-protection: review 10y from last-review until age 100 when ConvictionRecorded/CHILD_SEXUAL, ConvictionRecorded/ADULT_SEXUAL, RegisterNotificationRecorded, OrderRecorded
retention.police.2 = offending: review 10y from last-event when ConvictionRecorded, OrderBreachRecorded, PoliceRiskAssessmentRecorded
retention.police.3 = other: review 6y from last-event
retention.probation.1 = supervision: review 7y from last-event until age 100 when SupervisionStarted, MappaCategoryLevelProposed
retention.probation.2 = other: review 6y from last-event
retention.childrens.1 = child-protection: review 10y from last-event when ChildProtectionPlanStarted, Section47EnquiryStarted, ConcernAboutAdultRecorded
retention.childrens.2 = other: review 6y from last-event
)";

absl::CivilDay Plus(absl::CivilDay d, int years, int months) {
  return absl::CivilDay(d.year() + years, d.month() + months, d.day());
}

}  // namespace

void RecordFacts::Add(const v1::EventEnvelope& e) {
  const absl::CivilDay day = DayOf(FromProtoTimestamp(e.occurred_at()));
  if (kinds.empty() || day < first_event) first_event = day;
  if (kinds.empty() || day > last_event) last_event = day;
  const std::string& type = e.event_type();
  const std::string kind = type.substr(type.find('.') + 1);
  kinds.insert(kind);
  if (e.has_conviction_recorded()) {
    kinds.insert(absl::StrCat(kind, "/", v1::OffenceClassification_Name(e.conviction_recorded().classification())));
  }
  absl::CivilDay dob;
  if (!e.subject().date_of_birth().empty() && absl::ParseCivilTime(e.subject().date_of_birth(), &dob)) born = dob;
}

absl::StatusOr<RetentionRules::Rule> RetentionRules::ParseRule(absl::string_view text) {
  Rule rule;
  rule.text = std::string(text);
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos) return absl::InvalidArgumentError("expected '<group>: review <N>y from ...'");
  rule.group = std::string(absl::StripAsciiWhitespace(text.substr(0, colon)));
  if (rule.group.empty()) return absl::InvalidArgumentError("the group has no name");
  absl::string_view rest = absl::StripAsciiWhitespace(text.substr(colon + 1));
  std::string when;
  if (const size_t w = rest.find(" when "); w != absl::string_view::npos) {
    when = std::string(rest.substr(w + 6));
    rest = rest.substr(0, w);
  }
  std::vector<std::string> words = absl::StrSplit(rest, ' ', absl::SkipWhitespace());
  size_t i = 0;
  auto word = [&](absl::string_view expected) { return i < words.size() && words[i] == expected ? (++i, true) : false; };
  if (!word("review") || i >= words.size()) return absl::InvalidArgumentError("expected 'review <N>y' or 'review <N>m'");
  const std::string period = words[i++];
  int n = 0;
  if (period.size() < 2 || !absl::SimpleAtoi(period.substr(0, period.size() - 1), &n) || n <= 0 || n > 100 ||
      (period.back() != 'y' && period.back() != 'm')) {
    return absl::InvalidArgumentError(absl::StrCat("'", period, "' is not a period: expected e.g. 10y or 6m"));
  }
  (period.back() == 'y' ? rule.years : rule.months) = n;
  if (!word("from") || i >= words.size()) {
    return absl::InvalidArgumentError("expected 'from last-event', 'from first-event' or 'from last-review'");
  }
  const std::string& from = words[i++];
  if (from == "last-event") {
    rule.from = Rule::From::kLastEvent;
  } else if (from == "first-event") {
    rule.from = Rule::From::kFirstEvent;
  } else if (from == "last-review") {
    rule.from = Rule::From::kLastReview;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("'from ", from, "': expected last-event, first-event or last-review"));
  }
  if (word("until")) {
    int age = 0;
    if (!word("age") || i >= words.size() || !absl::SimpleAtoi(words[i++], &age) || age <= 0 || age > 130) {
      return absl::InvalidArgumentError("expected 'until age <N>'");
    }
    rule.until_age = age;
  }
  if (i != words.size()) return absl::InvalidArgumentError(absl::StrCat("unexpected '", words[i], "'"));
  for (absl::string_view kind : absl::StrSplit(when, ',', absl::SkipWhitespace())) {
    kind = absl::StripAsciiWhitespace(kind);
    if (kind.empty() || !absl::ascii_isupper(static_cast<unsigned char>(kind.front()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", kind, "' is not an event type (e.g. ConvictionRecorded, ConvictionRecorded/CHILD_SEXUAL)"));
    }
    rule.when.emplace_back(kind);
  }
  return rule;
}

bool RetentionRules::IsRetentionKey(absl::string_view key) { return absl::StartsWith(key, kPrefix); }

absl::StatusOr<RetentionRules> RetentionRules::Parse(absl::string_view text) {
  RetentionRules rules = Defaults();
  std::map<std::string, std::map<int, Rule>> given;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_no;
    absl::string_view line = absl::StripAsciiWhitespace(raw.substr(0, raw.find('#')));
    const size_t eq = line.find('=');
    if (line.empty() || eq == absl::string_view::npos) continue;
    const absl::string_view key = absl::StripAsciiWhitespace(line.substr(0, eq));
    if (!IsRetentionKey(key)) continue;
    auto where = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat("config line ", line_no, ": ", key, ": ", what));
    };
    std::vector<std::string> parts = absl::StrSplit(key.substr(std::string_view(kPrefix).size()), '.');
    int n = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &n) || n <= 0) {
      return where("expected retention.<agency>.<n>, e.g. retention.police.1");
    }
    if (std::find(std::begin(kAgencies), std::end(kAgencies), parts[0]) == std::end(kAgencies)) {
      return where("the agency is police, probation or childrens");
    }
    absl::StatusOr<Rule> rule = ParseRule(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (!rule.ok()) return where(rule.status().message());
    if (!given[parts[0]].emplace(n, *std::move(rule)).second) return where("given twice");
  }
  for (auto& [agency, numbered] : given) {
    std::vector<Rule>& in_order = rules.rules_[agency];
    in_order.clear();
    for (auto& [n, rule] : numbered) in_order.push_back(std::move(rule));
    if (!in_order.back().when.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("retention.", agency, ": the last rule must have no 'when', so that ",
                                                     "every record has a review date"));
    }
  }
  return rules;
}

const RetentionRules& RetentionRules::Defaults() {
  static const RetentionRules* const defaults = [] {
    auto* rules = new RetentionRules();
    std::map<std::string, std::map<int, Rule>> numbered;
    for (absl::string_view raw : absl::StrSplit(kDefaults, '\n', absl::SkipWhitespace())) {
      const size_t eq = raw.find('=');
      std::vector<std::string> parts = absl::StrSplit(absl::StripAsciiWhitespace(raw.substr(0, eq)), '.');
      int n = 0;
      absl::StatusOr<Rule> rule = ParseRule(absl::StripAsciiWhitespace(raw.substr(eq + 1)));
      if (parts.size() != 3 || !absl::SimpleAtoi(parts[2], &n) || !rule.ok()) std::abort();  // the defaults parse
      numbered[parts[1]].emplace(n, *std::move(rule));
    }
    for (auto& [agency, rs] : numbered) {
      for (auto& [n, rule] : rs) rules->rules_[agency].push_back(std::move(rule));
    }
    return rules;
  }();
  return *defaults;
}

std::optional<ReviewDate> RetentionRules::Review(const std::string& agency, const RecordFacts& facts) const {
  auto it = rules_.find(agency);
  if (it == rules_.end() || facts.kinds.empty()) return std::nullopt;
  for (const Rule& rule : it->second) {
    const bool matches = rule.when.empty() || std::any_of(rule.when.begin(), rule.when.end(), [&](const std::string& k) {
                           return facts.kinds.contains(k);
                         });
    if (!matches) continue;
    absl::CivilDay anchor = facts.last_event;
    if (rule.from == Rule::From::kFirstEvent) anchor = facts.first_event;
    if (rule.from == Rule::From::kLastReview) anchor = facts.last_review.value_or(facts.first_event);
    // A review decision counts from when it was made, whatever the anchor.
    if (facts.last_review.has_value() && *facts.last_review > anchor) anchor = *facts.last_review;
    absl::CivilDay due = Plus(anchor, rule.years, rule.months);
    if (rule.until_age.has_value() && facts.born.has_value()) due = std::min(due, Plus(*facts.born, *rule.until_age, 0));
    return ReviewDate{rule.group, due, rule.text};
  }
  return std::nullopt;
}

std::vector<std::string> RetentionRules::RulesOf(const std::string& agency) const {
  std::vector<std::string> out;
  if (auto it = rules_.find(agency); it != rules_.end()) {
    for (const Rule& r : it->second) out.push_back(r.text);
  }
  return out;
}

}  // namespace safeguard::privacy
