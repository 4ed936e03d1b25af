#include "services/mappa/identity/match.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/time_util.h"
#include "services/mappa/identity/identity.h"
#include "services/mappa/identity/name_frequency.h"
#include "services/mappa/projection/risk_projection.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;
using Tokens = std::vector<std::string>;

// --- The model's parameters: m (agreement among records of one person) and u (among
// records of two people) for each level; docs/identity.md gives the reasoning for each.
constexpr double kPeopleBornInOneYear = 365.25;
constexpr double kYearsOfBirth = 60;  // the span of birth years the records cover
constexpr double kYearOnly = 0.02;     // records with only a year of birth (written 1 January)

double Weight(double m, double u) { return std::log2(m / u); }

// One comparison's outcome.
struct Part {
  std::string comparison;
  std::string level;
  double weight = 0;
  std::string detail;
  bool rules_out = false;
};

// `p` put at `level`, weighing log2(m/u).
Part At(Part p, std::string level, double m, double u) {
  p.level = std::move(level);
  p.weight = Weight(m, u);
  return p;
}

// --- Names -------------------------------------------------------------------------

// A name as tokens of letters: split at spaces, hyphens, dashes, dots and commas (not at
// apostrophes: O'Connor is one word), each normalised.
Tokens TokensOf(absl::string_view raw) {
  std::string spaced(raw);
  // Dashes (U+2010-U+2015) and the other separators become spaces.
  for (const std::string dash : {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015"}) {
    for (size_t at = spaced.find(dash); at != std::string::npos; at = spaced.find(dash)) spaced.replace(at, dash.size(), " ");
  }
  for (char& c : spaced) {
    if (c == '-' || c == '.' || c == ',' || c == '/' || c == '\t') c = ' ';
  }
  Tokens out;
  for (absl::string_view part : absl::StrSplit(spaced, ' ', absl::SkipEmpty())) {
    std::string token = NormaliseName(part);
    if (!token.empty()) out.push_back(std::move(token));
  }
  return out;
}

std::string Joined(const Tokens& t) { return absl::StrJoin(t, ""); }
std::string Shown(const Tokens& t) { return absl::AsciiStrToUpper(absl::StrJoin(t, " ")); }
bool IsInitial(const std::string& token) { return token.size() == 1; }

// Whether `a` and `b` are one edit apart: a letter wrong, left out, added, or two
// neighbours swapped (optimal string alignment distance 1).
bool OneEditApart(const std::string& a, const std::string& b) {
  if (a == b) return false;
  const size_t la = a.size(), lb = b.size();
  if (la > lb + 1 || lb > la + 1) return false;
  size_t i = 0;
  while (i < la && i < lb && a[i] == b[i]) ++i;
  if (la == lb) {
    if (a.compare(i + 1, std::string::npos, b, i + 1, std::string::npos) == 0) return true;  // one wrong
    return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.compare(i + 2, std::string::npos, b, i + 2, std::string::npos) == 0;  // two swapped
  }
  const std::string& longer = la > lb ? a : b;
  const std::string& shorter = la > lb ? b : a;
  return longer.compare(i + 1, std::string::npos, shorter, i, std::string::npos) == 0;  // one left out
}

// Near enough to be one name mistyped: one edit apart (names of four letters or more), or
// alike by Jaro-Winkler.
bool NearlySame(const std::string& a, const std::string& b, double jaro_winkler) {
  return (std::min(a.size(), b.size()) >= 4 && OneEditApart(a, b)) || JaroWinkler(a, b) >= jaro_winkler;
}

std::string Percent(double share) { return absl::StrFormat("%.2g%% of people", share * 100); }

Part CompareFamily(const Tokens& a, const Tokens& b) {
  Part p{"family name", "", 0, absl::StrCat(Shown(a), " ~ ", Shown(b))};
  if (a.empty() || b.empty()) {
    p.level = "not known on both";
    return p;
  }
  const std::string ja = Joined(a), jb = Joined(b);
  if (ja == jb) {
    const double share = FamilyNameShare(ja);
    p.level = "agrees";
    p.weight = Weight(0.92, share);
    absl::StrAppend(&p.detail, " (", share == kUnlistedFamilyName ? "an uncommon name" : Percent(share), ")");
    return p;
  }
  auto has = [](const Tokens& t, const std::string& s) { return std::find(t.begin(), t.end(), s) != t.end(); };
  bool part = (a.size() > 1 && has(a, jb)) || (b.size() > 1 && has(b, ja));
  for (const std::string& t : a) part = part || (t.size() > 1 && b.size() + a.size() > 2 && has(b, t));
  if (part) {
    return At(std::move(p), "one part of a double-barrelled or hyphenated name agrees", 0.04, 0.002);
  }
  if (NearlySame(ja, jb, 0.92) || (Soundex(ja) == Soundex(jb) && JaroWinkler(ja, jb) >= 0.85)) {
    return At(std::move(p), "nearly agrees (a spelling difference)", 0.03, 0.004);
  }
  // Records of one man rarely differ here (a woman's married name is usually recorded as
  // an alias, which is compared too).
  return At(std::move(p), "differs", 0.01, 0.99);
}

Part CompareGiven(const Tokens& a, const Tokens& b) {
  Part p{"given names", "", 0, absl::StrCat(Shown(a), " ~ ", Shown(b))};
  if (a.empty() || b.empty()) {
    p.level = "not known on both";
    return p;
  }
  const std::string& fa = a[0];
  const std::string& fb = b[0];
  auto share_of = [](const std::string& name) { return IsInitial(name) ? 1.0 / 15 : GivenNameShare(name); };
  const double share = share_of(fa);
  const std::string how_common =
      absl::StrCat(" (", fa, ": ", share == kUnlistedGivenName ? "an uncommon name" : Percent(share), ")");
  if (a == b) {
    // Every given name agrees: as rare as the first name and each middle name together.
    double u = share;
    for (size_t i = 1; i < a.size(); ++i) u *= share_of(a[i]);
    p.level = a.size() > 1 ? "agree, middle names too" : "agree";
    p.weight = Weight(0.80, u);
    absl::StrAppend(&p.detail, how_common);
    return p;
  }
  if (fa == fb && !IsInitial(fa)) {
    bool consistent = true;
    for (size_t i = 1; i < std::min(a.size(), b.size()); ++i) {
      const bool initials = (IsInitial(a[i]) || IsInitial(b[i])) && a[i][0] == b[i][0];
      consistent = consistent && (a[i] == b[i] || initials);
    }
    if (consistent) {
      // One leaves a middle name out, or gives an initial: about half of pairs of people
      // of one first name are as compatible.
      p.level = "first name agrees; middle names agree as far as both give them";
      p.weight = Weight(0.15, share * 0.55);
    } else {
      // Among records of one person, middle names that differ are rare (a keying error).
      p.level = "first name agrees; middle names differ";
      p.weight = Weight(0.005, share * 0.45);
    }
    absl::StrAppend(&p.detail, how_common);
    return p;
  }
  if (SameGivenName(fa, fb)) {
    return At(std::move(p), "first names are forms of one name", 0.04, 0.004);
  }
  if ((IsInitial(fa) || IsInitial(fb)) && fa[0] == fb[0]) {
    return At(std::move(p), "an initial agrees with the first name", 0.04, 0.07);
  }
  // One goes by a middle name: their first name is the other's middle name, and every
  // other given name they have is the other's too (or its initial).
  auto goes_by_middle = [](const Tokens& full, const Tokens& used) {
    if (IsInitial(used[0]) || std::find(full.begin() + 1, full.end(), used[0]) == full.end()) return false;
    for (size_t i = 1; i < used.size(); ++i) {
      const bool known = std::any_of(full.begin(), full.end(), [&](const std::string& n) {
        return n == used[i] || ((IsInitial(n) || IsInitial(used[i])) && n[0] == used[i][0]);
      });
      if (!known) return false;
    }
    return true;
  };
  if (goes_by_middle(a, b) || goes_by_middle(b, a)) {
    // As common as the name they go by, among middle names (most people have one).
    const std::string& used = goes_by_middle(a, b) ? fb : fa;
    return At(std::move(p), "one goes by a middle name", 0.02, share_of(used) * 0.65);
  }
  if (!IsInitial(fa) && !IsInitial(fb) && NearlySame(fa, fb, 0.90)) {
    return At(std::move(p), "first names nearly agree (a spelling difference)", 0.02, 0.005);
  }
  p.level = "first names differ";
  p.weight = Weight(0.005, 0.95);
  p.rules_out = true;
  return p;
}

// The best alignment of two names: as given, or one of them in the other order.
struct NameComparison {
  Part given, family;
  bool swapped = false;
  double weight() const { return given.weight + family.weight + (swapped ? kSwapPenalty : 0); }
  static constexpr double kSwapPenalty = -2.0;  // log2(m): a name recorded in the other order
};

NameComparison CompareNames(const v1::ProfileName& a, const v1::ProfileName& b) {
  const Tokens ag(a.given().begin(), a.given().end()), af(a.family().begin(), a.family().end());
  const Tokens bg(b.given().begin(), b.given().end()), bf(b.family().begin(), b.family().end());
  NameComparison straight{CompareGiven(ag, bg), CompareFamily(af, bf), false};
  NameComparison swapped{CompareGiven(af, bg), CompareFamily(ag, bf), true};
  // Only a full swap counts: both parts must agree the other way round.
  const bool swap_fits = !swapped.given.rules_out && swapped.family.weight > 0 && swapped.given.weight > 0;
  if (swap_fits && swapped.weight() > straight.weight()) {
    swapped.given.level += " (name recorded in the other order)";
    swapped.family.level += " (name recorded in the other order)";
    return swapped;
  }
  return straight;
}

// --- Dates of birth ------------------------------------------------------------------

Part CompareDatesOfBirth(const google::protobuf::RepeatedPtrField<std::string>& a,
                         const google::protobuf::RepeatedPtrField<std::string>& b) {
  Part best{"date of birth", "not known on both", 0, ""};
  bool found = false;
  const double u_exact = 1 / (kPeopleBornInOneYear * kYearsOfBirth);
  for (const std::string& x : a) {
    for (const std::string& y : b) {
      const absl::StatusOr<absl::CivilDay> dx = ParseIsoDate(x), dy = ParseIsoDate(y);
      if (!dx.ok() || !dy.ok()) continue;
      Part p{"date of birth", "", 0, absl::StrCat(x, " ~ ", y)};
      const bool same_year = dx->year() == dy->year();
      const bool placeholder = (dx->month() == 1 && dx->day() == 1) || (dy->month() == 1 && dy->day() == 1);
      const int day_gap = std::abs(static_cast<int>(*dx - *dy));
      if (*dx == *dy && dx->month() == 1 && dx->day() == 1) {
        // Both 1 January: a real birthday, or the year alone on both. A record shows it
        // with chance 0.02 + 1/365; two people's records show one year's with that chance
        // squared over the years.
        const double shows = kYearOnly + 1 / kPeopleBornInOneYear;
        p.level = "agrees, on 1 January (written where only the year is known)";
        p.weight = Weight(0.90 * shows, shows * shows / kYearsOfBirth);
      } else if (*dx == *dy) {
        p.level = "agrees";
        p.weight = Weight(0.90, u_exact);
      } else if (same_year && dx->month() == dy->day() && dx->day() == dy->month()) {
        p.level = "day and month transposed";
        p.weight = Weight(0.03, u_exact);
      } else if (same_year && placeholder) {
        // 1 January stands for an unknown day in about 2% of records (kYearOnly), and is a
        // real birthday in 1 in 365.
        p.level = "year agrees; one is 1 January, written where only the year is known";
        p.weight = Weight(0.02, 2 * (kYearOnly + 1 / kPeopleBornInOneYear) / kYearsOfBirth);
      } else if (same_year && (day_gap <= 1 || (dx->month() == dy->month() && dx->day() % 10 == dy->day() % 10) ||
                               (dx->month() == dy->month() && dx->day() / 10 == dy->day() / 10))) {
        p.level = "one digit or one day apart";
        p.weight = Weight(0.02, 0.15 / (kYearsOfBirth * 12));
      } else if (same_year) {
        p.level = "year agrees; day and month differ";
        p.weight = Weight(0.005, 1 / kYearsOfBirth);
      } else if (std::abs(static_cast<int>(dx->year() - dy->year())) == 1) {
        p.level = "a year apart";
        p.weight = Weight(0.005, 2 / kYearsOfBirth);
      } else {
        p.level = "years apart";
        p.weight = Weight(0.002, 0.9);
        p.rules_out = true;
      }
      if (!found || p.weight > best.weight) best = p;
      found = true;
    }
  }
  return best;
}

// --- Addresses and identifiers -------------------------------------------------------

std::string Outward(const std::string& postcode) { return postcode.substr(0, postcode.find(' ')); }

std::optional<Part> ComparePostcodes(const v1::IdentityProfile& a, const v1::IdentityProfile& b, bool family_agrees) {
  if (a.postcodes().empty() || b.postcodes().empty()) return std::nullopt;
  Part p{"postcode", "", 0, absl::StrCat(absl::StrJoin(a.postcodes(), ", "), " ~ ", absl::StrJoin(b.postcodes(), ", "))};
  for (const std::string& x : a.postcodes()) {
    if (std::find(b.postcodes().begin(), b.postcodes().end(), x) != b.postcodes().end()) {
      // A family shares an address: where the family name agrees, the address says less.
      p.level = family_agrees ? "an address in common (a family's too)" : "an address in common";
      p.weight = family_agrees ? Weight(0.5, 0.02) : Weight(0.5, 0.0002);
      return p;
    }
  }
  for (const std::string& x : a.postcodes()) {
    for (const std::string& y : b.postcodes()) {
      if (Outward(x) == Outward(y)) {
        return At(std::move(p), "the same postcode district", 0.15, 0.02);
      }
    }
  }
  return At(std::move(p), "no address in common (people move)", 0.4, 0.99);
}

std::vector<std::string> IdsOf(const v1::IdentityProfile& p, absl::string_view kind) {
  std::vector<std::string> out;
  for (const std::string& id : p.national_ids()) {
    if (absl::StartsWith(id, kind)) out.push_back(id);
  }
  return out;
}

bool Disjoint(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const std::string& x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) return false;
  }
  return true;
}

void AddReason(const Part& p, v1::MatchScore* score) {
  v1::MatchReason* r = score->add_reasons();
  r->set_comparison(p.comparison);
  r->set_level(p.level);
  r->set_weight(std::round(p.weight * 100) / 100);
  r->set_detail(p.detail);
}

// Inserts `value` into the sorted set `set`; true if it was new.
bool Insert(google::protobuf::RepeatedPtrField<std::string>* set, const std::string& value) {
  auto pos = std::lower_bound(set->begin(), set->end(), value);
  if (pos != set->end() && *pos == value) return false;
  const int index = static_cast<int>(pos - set->begin());
  set->Add(std::string(value));
  for (int i = set->size() - 1; i > index; --i) set->SwapElements(i, i - 1);
  return true;
}

bool NameLess(const v1::ProfileName& x, const v1::ProfileName& y) {
  auto key = [](const v1::ProfileName& n) {
    return std::make_tuple(absl::StrJoin(n.given(), " "), absl::StrJoin(n.family(), " "), n.alias(), n.as_recorded());
  };
  return key(x) < key(y);
}

bool AddName(v1::IdentityProfile* profile, const Tokens& given, const Tokens& family, bool alias,
             const std::string& as_recorded) {
  if (given.empty() && family.empty()) return false;
  v1::ProfileName name;
  for (const std::string& t : given) name.add_given(t);
  for (const std::string& t : family) name.add_family(t);
  name.set_alias(alias);
  for (v1::ProfileName& known : *profile->mutable_names()) {
    // One name once, however written (O'Connor, OCONNOR).
    const bool same = std::equal(known.given().begin(), known.given().end(), name.given().begin(), name.given().end()) &&
                      std::equal(known.family().begin(), known.family().end(), name.family().begin(),
                                 name.family().end());
    if (same && known.alias() == alias) {
      // Shown as the first in byte order of the ways it was written, whatever order
      // they arrived in.
      if (as_recorded >= known.as_recorded()) return false;
      known.set_as_recorded(as_recorded);
      return true;
    }
  }
  name.set_as_recorded(as_recorded);
  auto* names = profile->mutable_names();
  auto pos = std::lower_bound(names->begin(), names->end(), name, NameLess);
  const int index = static_cast<int>(pos - names->begin());
  *names->Add() = std::move(name);
  for (int i = names->size() - 1; i > index; --i) names->SwapElements(i, i - 1);
  return true;
}

bool AddSubject(const v1::SubjectRef& s, v1::IdentityProfile* profile) {
  bool changed = AddName(profile, TokensOf(s.given_name()), TokensOf(s.family_name()), false,
                         absl::StrCat(s.given_name(), s.given_name().empty() ? "" : " ", s.family_name()));
  for (const std::string& alias : s.aliases()) {
    // "Given names Family-Name": the last word the family name (hyphenated, it stays one).
    std::vector<absl::string_view> words = absl::StrSplit(alias, ' ', absl::SkipWhitespace());
    if (words.empty()) continue;
    Tokens family;
    if (words.size() > 1) {
      family = TokensOf(words.back());
      words.pop_back();
    }
    changed = AddName(profile, TokensOf(absl::StrJoin(words, " ")), family, true, alias) || changed;
  }
  if (!s.date_of_birth().empty()) changed = Insert(profile->mutable_dates_of_birth(), s.date_of_birth()) || changed;
  for (const std::string& ref : ReferencesOf(s)) {
    if (absl::StartsWith(ref, "pnc:") || absl::StartsWith(ref, "visor:") || absl::StartsWith(ref, "probation:")) {
      changed = Insert(profile->mutable_national_ids(), ref) || changed;
    }
  }
  return changed;
}

}  // namespace

bool AddToProfile(const v1::EventEnvelope& e, v1::IdentityProfile* profile) {
  bool changed = AddSubject(e.subject(), profile);
  auto add = [&](const v1::Address& a) {
    if (!a.postcode().empty()) changed = Insert(profile->mutable_postcodes(), a.postcode()) || changed;
  };
  for (const v1::Address& a : e.register_notification_recorded().addresses()) add(a);
  add(e.supervision_started().residence());
  add(e.household_membership_recorded().household_address());
  return changed;
}

bool HasName(absl::string_view written) { return !TokensOf(written).empty(); }

v1::IdentityProfile ProfileOf(const v1::SubjectRef& subject) {
  v1::IdentityProfile profile;
  AddSubject(subject, &profile);
  return profile;
}

std::vector<std::string> BlockingKeys(const v1::IdentityProfile& profile) {
  std::set<std::string> keys;
  for (const std::string& dob : profile.dates_of_birth()) {
    const absl::StatusOr<absl::CivilDay> d = ParseIsoDate(dob);
    if (!d.ok()) continue;
    // The date, and the date with day and month swapped, share one key.
    std::string key = dob;
    if (d->day() <= 12 && d->day() != d->month()) {
      key = std::min(dob, absl::StrFormat("%04d-%02d-%02d", d->year(), d->day(), d->month()));
    }
    keys.insert(absl::StrCat("d", key));
    for (const v1::ProfileName& name : profile.names()) {
      Tokens family(name.family().begin(), name.family().end());
      if (family.size() > 1) family.push_back(Joined(family));
      for (const std::string& part : family) {
        if (part.size() > 1) keys.insert(absl::StrCat("y", d->year(), Soundex(part)));
      }
    }
  }
  return {keys.begin(), keys.end()};
}

v1::MatchScore Score(const v1::IdentityProfile& a, const v1::IdentityProfile& b) {
  v1::MatchScore score;
  std::vector<std::string> ruled_out;

  // Names: the best-agreeing pair of any recorded name or alias on each side.
  std::optional<NameComparison> names;
  for (const v1::ProfileName& x : a.names()) {
    for (const v1::ProfileName& y : b.names()) {
      NameComparison c = CompareNames(x, y);
      const bool better = !names.has_value() || (names->given.rules_out && !c.given.rules_out) ||
                          (names->given.rules_out == c.given.rules_out && c.weight() > names->weight());
      if (better) names = std::move(c);
    }
  }
  bool family_agrees = false;
  if (names.has_value()) {
    AddReason(names->given, &score);
    AddReason(names->family, &score);
    if (names->swapped) {
      AddReason(Part{"name order", "recorded the other way round", NameComparison::kSwapPenalty, ""}, &score);
    }
    family_agrees = names->family.weight > 0;
    if (names->given.rules_out) {
      ruled_out.push_back("the first names differ, and no recorded name or alias agrees (twins and brothers "
                          "share a family name, a date of birth and an address)");
    }
  }
  const Part dob = CompareDatesOfBirth(a.dates_of_birth(), b.dates_of_birth());
  AddReason(dob, &score);
  if (dob.rules_out) ruled_out.push_back("the dates of birth are years apart (a father and son can share a name and an address)");
  if (const std::optional<Part> postcode = ComparePostcodes(a, b, family_agrees)) AddReason(*postcode, &score);

  for (const char* kind : {"pnc:", "visor:"}) {
    const std::vector<std::string> x = IdsOf(a, kind), y = IdsOf(b, kind);
    if (!x.empty() && !y.empty() && Disjoint(x, y)) {
      ruled_out.push_back(absl::StrCat("two different ", kind[0] == 'p' ? "PNC ids" : "ViSOR references", " (",
                                       absl::StrJoin(x, ", "), "; ", absl::StrJoin(y, ", "), ")"));
      AddReason(Part{"national identifiers", "differ", Weight(0.001, 1), ""}, &score);
    }
  }
  const std::vector<std::string> crn_a = IdsOf(a, "probation:"), crn_b = IdsOf(b, "probation:");
  if (!crn_a.empty() && !crn_b.empty() && Disjoint(crn_a, crn_b)) {
    AddReason(Part{"probation case references", "differ (probation's records are sometimes duplicated)",
                   Weight(0.015, 1), absl::StrCat(absl::StrJoin(crn_a, ", "), " ~ ", absl::StrJoin(crn_b, ", "))},
              &score);
  }
  double weight = 0;
  for (const v1::MatchReason& r : score.reasons()) weight += r.weight();
  score.set_weight(std::round(weight * 100) / 100);
  const double odds = std::exp2(weight) * kPriorOdds;
  score.set_probability(std::round(odds / (1 + odds) * 10000) / 10000);
  score.set_ruled_out(absl::StrJoin(ruled_out, "; "));
  return score;
}

bool Proposes(const v1::MatchScore& score) {
  // Names alone are never enough: a proposal needs dates of birth compared too.
  const bool dated = std::any_of(score.reasons().begin(), score.reasons().end(), [](const v1::MatchReason& r) {
    return r.comparison() == "date of birth" && r.level() != "not known on both";
  });
  return dated && score.ruled_out().empty() && score.weight() >= kProposeWeight;
}

double JaroWinkler(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return a == b ? 1 : 0;
  const int la = static_cast<int>(a.size()), lb = static_cast<int>(b.size());
  const int window = std::max(0, std::max(la, lb) / 2 - 1);
  std::vector<bool> ma(la, false), mb(lb, false);
  int matches = 0;
  for (int i = 0; i < la; ++i) {
    for (int j = std::max(0, i - window); j < std::min(lb, i + window + 1); ++j) {
      if (mb[j] || a[i] != b[j]) continue;
      ma[i] = mb[j] = true;
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0;
  int transpositions = 0;
  for (int i = 0, j = 0; i < la; ++i) {
    if (!ma[i]) continue;
    while (!mb[j]) ++j;
    if (a[i] != b[j]) ++transpositions;
    ++j;
  }
  const double m = matches;
  const double jaro = (m / la + m / lb + (m - transpositions / 2.0) / m) / 3;
  int prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix]) ++prefix;
  return jaro + prefix * 0.1 * (1 - jaro);
}

std::string Soundex(const std::string& normalised) {
  if (normalised.empty()) return "";
  auto code = [](char c) -> char {
    switch (c) {
      case 'b': case 'f': case 'p': case 'v': return '1';
      case 'c': case 'g': case 'j': case 'k': case 'q': case 's': case 'x': case 'z': return '2';
      case 'd': case 't': return '3';
      case 'l': return '4';
      case 'm': case 'n': return '5';
      case 'r': return '6';
      case 'h': case 'w': return '-';  // transparent: letters either side coded as adjacent
      default: return '0';             // vowels and y, and letters outside a-z
    }
  };
  std::string out(1, normalised[0]);
  char last = code(normalised[0]);
  for (size_t i = 1; i < normalised.size() && out.size() < 4; ++i) {
    const char c = code(normalised[i]);
    if (c == '-') continue;
    if (c != '0' && c != last) out.push_back(c);
    last = c;
  }
  while (out.size() < 4) out.push_back('0');
  return out;
}

}  // namespace safeguard::mappa
