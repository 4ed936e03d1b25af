// Pairs of agency records with known truth, for measuring the identity rules
// (services/mappa/identity/match.h; docs/identity.md, "How well it works"): records of one
// person as real records differ, each variant class on its own, and records of two people
// that look alike (twins, a father and son of one name, siblings, two men of a common name
// born the same day, strangers who share a blocking key). People are drawn as England and
// Wales' adults are: most names uncommon, a minority from the commonest lists
// (name_frequency.h), middle names for most, births from 1950 to 2005; each record has an
// address with the chance an agency holds one, and the police record a PNC id. Deterministic
// for a seed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <set>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/time_util.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "services/mappa/identity/match.h"
#include "services/mappa/identity/name_frequency.h"

namespace safeguard::testing {

// Every pair of records of a simulated population that shares a blocking key, compared.
struct PopulationResult {
  int people = 0;
  int records = 0;
  int64_t compared = 0;            // pairs sharing a blocking key
  int linked_by_identifier = 0;    // one person's records sharing a PNC id: linked, not proposed
  int to_propose = 0;              // one person's records with no identifier in common
  int proposed_right = 0;          // of those, proposed
  int proposed_wrong = 0;          // records of two people proposed
  std::map<std::string, int> wrong_by_relation;  // "twins", "father and son", "brothers or sisters", "strangers"
  double precision() const {
    return proposed_right + proposed_wrong == 0 ? 1 : double(proposed_right) / (proposed_right + proposed_wrong);
  }
  double recall() const { return to_propose == 0 ? 1 : double(proposed_right) / to_propose; }
};

struct LabelledPair {
  std::string kind;  // the variant class, or the kind of look-alike
  bool same_person;
  safeguard::v1::IdentityProfile a, b;
};

// A person as the generator draws them.
struct DrawnPerson {
  std::vector<std::string> given;  // first name, then middle names
  std::string family;
  absl::CivilDay born;
  std::string postcode;
  std::string pnc;
};

class PairGenerator {
 public:
  explicit PairGenerator(uint64_t seed) : random_(seed) {}

  // `per_class` pairs of each class (identity_pairs.h's header lists them).
  std::vector<LabelledPair> Pairs(int per_class) {
    std::vector<LabelledPair> out;
    for (const char* kind : kSameKinds) {
      for (int i = 0; i < per_class; ++i) out.push_back(Same(kind));
    }
    for (const char* kind : kDifferentKinds) {
      for (int i = 0; i < per_class; ++i) out.push_back(Different(kind));
    }
    return out;
  }

  // `people` drawn as Draw draws them, with twins, fathers and sons of one name, and
  // brothers and sisters in one household at about their rates; each known to the police
  // and to one other agency, whose record is varied as real records are (the shares below)
  // and holds the PNC id half the time. Every pair of records sharing a blocking key is
  // compared, as mappa-service compares them.
  PopulationResult Population(int people) {
    struct Rec {
      safeguard::v1::IdentityProfile profile;
      int person;
      bool has_pnc;
    };
    std::vector<Rec> records;
    std::vector<int> household;   // per person: who they were drawn with (-1: nobody)
    std::vector<std::string> relation;
    static constexpr std::pair<const char*, double> kVariantShares[] = {
        {"middle name left out", 0.12}, {"middle name as an initial", 0.10}, {"first name as an initial", 0.04},
        {"double-barrelled or hyphenated family name", 0.02}, {"apostrophe, spacing and case", 0.01},
        {"names in the other order", 0.01}, {"nickname or short form", 0.04}, {"known by an alias", 0.02},
        {"day and month transposed", 0.02}, {"year of birth only", 0.02},
        {"a spelling mistake in the family name", 0.04}, {"a spelling mistake in the first name", 0.04}};
    auto add = [&](const DrawnPerson& p, int with, const std::string& how) {
      const int id = static_cast<int>(household.size());
      household.push_back(with);
      relation.push_back(how);
      records.push_back(Rec{Police(p), id, true});
      std::string kind = "exact";
      double x = std::uniform_real_distribution<double>(0, 1)(random_);
      for (const auto& [k, share] : kVariantShares) {
        if ((x -= share) < 0) {
          kind = k;
          break;
        }
      }
      if (!Fits(kind, p)) kind = "exact";
      const bool pnc = Chance(0.5);
      records.push_back(Rec{Other(p, kind, pnc), id, pnc});
    };
    while (static_cast<int>(household.size()) < people) {
      const DrawnPerson p = Draw();
      const int id = static_cast<int>(household.size());
      add(p, -1, "");
      DrawnPerson q = Draw();
      if (Chance(0.015)) {  // a twin
        q.family = p.family;
        q.born = p.born;
        q.postcode = p.postcode;
        while (q.given[0] == p.given[0]) q.given[0] = Name(CommonGiven(), 0.65);
        add(q, id, "twins");
      } else if (Chance(0.01)) {  // a son of one name
        q.given = p.given;
        q.family = p.family;
        q.postcode = p.postcode;
        q.born = p.born + Uniform(20 * 365, 35 * 365);
        add(q, id, "father and son");
      } else if (Chance(0.04)) {  // a brother or sister
        q.family = p.family;
        q.postcode = p.postcode;
        q.born = p.born + Uniform(365, 12 * 365) * (Chance(0.5) ? 1 : -1);
        while (q.given[0] == p.given[0]) q.given[0] = Name(CommonGiven(), 0.65);
        add(q, id, "brothers or sisters");
      }
    }
    PopulationResult out;
    out.people = static_cast<int>(household.size());
    out.records = static_cast<int>(records.size());
    std::map<std::string, std::vector<int>> blocks;
    for (int i = 0; i < out.records; ++i) {
      for (const std::string& key : mappa::BlockingKeys(records[i].profile)) blocks[key].push_back(i);
    }
    std::set<std::pair<int, int>> pairs;
    for (const auto& [key, members] : blocks) {
      for (size_t x = 0; x < members.size(); ++x) {
        for (size_t y = x + 1; y < members.size(); ++y) pairs.emplace(members[x], members[y]);
      }
    }
    out.compared = static_cast<int64_t>(pairs.size());
    // Each person's two records: compared or not, they are one person.
    for (int person = 0; person < out.people; ++person) {
      const int police = 2 * person, other = 2 * person + 1;
      if (records[other].has_pnc) {
        ++out.linked_by_identifier;
        continue;
      }
      ++out.to_propose;
      if (pairs.contains({police, other}) && mappa::Proposes(mappa::Score(records[police].profile, records[other].profile))) {
        ++out.proposed_right;
      }
    }
    for (const auto& [i, j] : pairs) {
      const int pi = records[i].person, pj = records[j].person;
      if (pi == pj) continue;
      if (!mappa::Proposes(mappa::Score(records[i].profile, records[j].profile))) continue;
      ++out.proposed_wrong;
      const bool related = household[pi] == pj || household[pj] == pi;
      ++out.wrong_by_relation[related ? relation[std::max(pi, pj)] : "strangers"];
    }
    return out;
  }

  static constexpr const char* kSameKinds[] = {
      "exact",
      "middle name left out",
      "middle name as an initial",
      "first name as an initial",
      "double-barrelled or hyphenated family name",
      "apostrophe, spacing and case",
      "names in the other order",
      "nickname or short form",
      "known by an alias",
      "day and month transposed",
      "year of birth only",
      "a spelling mistake in the family name",
      "a spelling mistake in the first name",
  };
  static constexpr const char* kDifferentKinds[] = {
      "twins",
      "father and son of one name",
      "brothers or sisters",
      "a common name, one date of birth",
      "strangers sharing a blocking key",
  };

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(random_) < p; }
  template <typename T, size_t N>
  const T& Pick(const T (&list)[N]) {
    return list[Uniform(0, static_cast<int>(N) - 1)];
  }

  // A name from `common` (weighted by share) with chance `p_common`, else an uncommon
  // one built from syllables.
  std::string Name(const std::vector<std::pair<std::string, double>>& common, double p_common) {
    if (Chance(p_common)) {
      double total = 0;
      for (const auto& [n, w] : common) total += w;
      double x = std::uniform_real_distribution<double>(0, total)(random_);
      for (const auto& [n, w] : common) {
        if ((x -= w) <= 0) return n;
      }
      return common.back().first;
    }
    static constexpr const char* kStart[] = {"ash", "bram", "cal", "dun", "elm", "fen", "gar", "hol", "ing", "jar",
                                             "kel", "lang", "mor", "nor", "pem", "quen", "rad", "sel", "thor", "ul",
                                             "vel", "wen", "yar", "zel", "brock", "cran", "dal", "fair", "gild", "hart"};
    static constexpr const char* kEnd[] = {"by", "ford", "ley", "ton", "wick", "worth", "ham", "field", "wood", "more",
                                           "gate", "well", "den", "stone", "croft", "shaw", "hurst", "mere", "dale",
                                           "bury", "low", "thwaite", "combe", "ridge", "holt"};
    static constexpr const char* kMiddle[] = {"a", "e", "i", "o", "er", "en", "in", "ar", "el", "on", "ing",
                                              "an", "or", "ey", "il", "ow", "ad", "et", "ol", "und"};
    // About 600,000 names: as many as people's rarer names are, each rare.
    std::string n = absl::StrCat(Pick(kStart), Pick(kMiddle), Chance(0.5) ? Pick(kStart) : "", Pick(kEnd));
    n[0] = absl::ascii_toupper(n[0]);
    return n;
  }

  static const std::vector<std::pair<std::string, double>>& CommonFamily() {
    static const auto* names = new std::vector<std::pair<std::string, double>>{
        {"Smith", 1.2}, {"Jones", 0.9}, {"Williams", 0.62}, {"Taylor", 0.5}, {"Brown", 0.48}, {"Davies", 0.45},
        {"Evans", 0.36}, {"Wilson", 0.34}, {"Thomas", 0.33}, {"Johnson", 0.32}, {"Roberts", 0.32},
        {"Robinson", 0.26}, {"Thompson", 0.26}, {"Wright", 0.25}, {"Walker", 0.25}, {"White", 0.24},
        {"Edwards", 0.24}, {"Hughes", 0.23}, {"Green", 0.23}, {"Hall", 0.22}, {"Lewis", 0.21}, {"Harris", 0.21},
        {"Clarke", 0.2}, {"Patel", 0.2}, {"Jackson", 0.19}, {"Wood", 0.18}, {"Turner", 0.17}, {"Martin", 0.17},
        {"Cooper", 0.17}, {"Hill", 0.17}, {"Ward", 0.16}, {"Morris", 0.16}, {"Moore", 0.16}, {"Clark", 0.16},
        {"Lee", 0.15}, {"King", 0.15}, {"Baker", 0.15}, {"Harrison", 0.15}, {"Morgan", 0.15}, {"Allen", 0.14},
        {"O'Connor", 0.05}, {"O'Brien", 0.07}, {"O'Neill", 0.04}, {"O'Sullivan", 0.03}, {"D'Souza", 0.02}};
    return *names;
  }
  static const std::vector<std::pair<std::string, double>>& CommonGiven() {
    static const auto* names = new std::vector<std::pair<std::string, double>>{
        {"David", 1.8},  {"John", 1.5},     {"Michael", 1.4}, {"Paul", 1.3},    {"Andrew", 1.2},  {"Mark", 1.15},
        {"James", 1.1},  {"Peter", 0.8},    {"Richard", 0.8}, {"Robert", 0.8},  {"Christopher", 0.8},
        {"Stephen", 0.7}, {"Daniel", 0.65}, {"Matthew", 0.65}, {"Anthony", 0.55}, {"Thomas", 0.55},
        {"Ian", 0.55},   {"Gary", 0.5},     {"Simon", 0.45},  {"Martin", 0.45}, {"Darren", 0.45}, {"Lee", 0.4},
        {"Jason", 0.4},  {"Kevin", 0.4},    {"William", 0.4}, {"Craig", 0.35},  {"Neil", 0.35},   {"Adam", 0.35},
        {"Sarah", 0.75}, {"Claire", 0.45},  {"Emma", 0.45},   {"Laura", 0.4},   {"Lisa", 0.4},    {"Karen", 0.4},
        {"Susan", 0.4},  {"Julie", 0.4},    {"Michelle", 0.4}, {"Nicola", 0.35}, {"Helen", 0.35}, {"Rachel", 0.35},
        {"Elizabeth", 0.3}, {"Rebecca", 0.3}, {"Samantha", 0.25}, {"Victoria", 0.25}, {"Catherine", 0.2}};
    return *names;
  }

  std::string Postcode() {
    static constexpr const char* kAreas[] = {"LS", "M", "B", "CB", "SO", "BS", "NE", "L", "S", "CF", "NG", "LE",
                                             "PO", "OX", "YO", "HU", "DN", "WF", "BD", "HX"};
    return absl::StrFormat("%s%d %d%c%c", Pick(kAreas), Uniform(1, 29), Uniform(1, 9), 'A' + Uniform(0, 25),
                           'A' + Uniform(0, 25));
  }

  DrawnPerson Draw() {
    DrawnPerson p;
    p.family = Chance(0.04) ? absl::StrCat(Name(CommonFamily(), 0.3), "-", Name(CommonFamily(), 0.3))
                            : Name(CommonFamily(), 0.3);
    p.given.push_back(Name(CommonGiven(), 0.65));
    if (Chance(0.65)) p.given.push_back(Name(CommonGiven(), 0.65));
    if (Chance(0.1)) p.given.push_back(Name(CommonGiven(), 0.65));
    p.born = absl::CivilDay(1950, 1, 1) + Uniform(0, 20453);
    p.postcode = Postcode();
    p.pnc = absl::StrFormat("%04d/%07d%c", Uniform(1980, 2024), ++pnc_, 'A' + Uniform(0, 25));
    return p;
  }

  // A record of `p` as an agency keeps it: `given` and `family` as written, the date of
  // birth given, an address with the chance an agency holds one (the same as the police
  // hold, unless the person moved), and the PNC id when `with_pnc`.
  safeguard::v1::IdentityProfile Record(const std::string& given, const std::string& family, absl::CivilDay born,
                                        const std::string& postcode, const std::string& pnc,
                                        const std::vector<std::string>& aliases = {}) {
    safeguard::v1::EventEnvelope e;
    auto* s = e.mutable_subject();
    s->set_given_name(given);
    s->set_family_name(family);
    s->set_date_of_birth(FormatIsoDate(born));
    if (!pnc.empty()) s->set_pnc_id(pnc);
    for (const std::string& a : aliases) s->add_aliases(a);
    if (!postcode.empty()) e.mutable_supervision_started()->mutable_residence()->set_postcode(postcode);
    safeguard::v1::IdentityProfile profile;
    mappa::AddToProfile(e, &profile);
    return profile;
  }

  // The police record of `p`: every given name, the PNC id, an address held 70% of the time.
  safeguard::v1::IdentityProfile Police(const DrawnPerson& p) {
    return Record(absl::StrJoin(p.given, " "), p.family, p.born, Chance(0.7) ? p.postcode : "", p.pnc);
  }
  // The address another agency holds for `p`: 70% of the time, the police's 75% of those.
  std::string OtherAddress(const DrawnPerson& p) {
    if (!Chance(0.7)) return "";
    return Chance(0.75) ? p.postcode : Postcode();
  }

  static std::string Typo(std::string s, int at, int how) {
    const int n = static_cast<int>(s.size());
    at = std::clamp(at, 1, n - 2);
    switch (how % 3) {
      case 0: std::swap(s[at], s[at + 1]); break;  // two letters swapped
      case 1: s.erase(static_cast<size_t>(at), 1); break;  // one left out
      default: s[at] = s[at] == 'e' ? 'a' : 'e'; break;    // one wrong
    }
    return s;
  }

  // Whether `kind` can vary `p` (a middle name to leave out, a date to transpose...).
  static bool Fits(const std::string& kind, const DrawnPerson& p) {
    if (kind == "middle name left out" || kind == "middle name as an initial") return p.given.size() >= 2;
    if (kind == "day and month transposed") return p.born.day() <= 12 && p.born.day() != p.born.month();
    if (kind == "nickname or short form") return !Short(p.given[0]).empty();
    if (kind == "year of birth only") return !(p.born.month() == 1 && p.born.day() == 1);
    if (kind == "a spelling mistake in the family name") return p.family.size() >= 5;
    if (kind == "a spelling mistake in the first name") return p.given[0].size() >= 5;
    if (kind == "double-barrelled or hyphenated family name") return p.family.find('-') != std::string::npos;
    if (kind == "apostrophe, spacing and case") return p.family.size() > 2 && p.family[1] == '\'';
    return true;
  }

  // Another agency's record of `p`, varied as `kind` says (it must fit: Fits): no
  // national identifier unless `pnc` (had it one, the records would link on it).
  safeguard::v1::IdentityProfile Other(const DrawnPerson& p, const std::string& kind, bool pnc = false) {
    std::string given = absl::StrJoin(p.given, " ");
    std::string family = p.family;
    absl::CivilDay born = p.born;
    std::vector<std::string> aliases;
    const std::string first = p.given[0];
    const std::string middles = absl::StrJoin(p.given.begin() + 1, p.given.end(), " ");
    if (kind == "middle name left out") given = first;
    if (kind == "middle name as an initial") given = absl::StrCat(first, " ", p.given[1].substr(0, 1), ".");
    if (kind == "first name as an initial") given = absl::StrCat(first.substr(0, 1), middles.empty() ? "" : " ", middles);
    if (kind == "double-barrelled or hyphenated family name") {
      const size_t dash = family.find('-');
      switch (Uniform(0, 2)) {
        case 0: family = family.substr(dash + 1); break;
        case 1: family = family.substr(0, dash); break;
        default: family[dash] = ' '; break;
      }
    }
    if (kind == "apostrophe, spacing and case") {
      switch (Uniform(0, 2)) {
        case 0: family = absl::AsciiStrToUpper(absl::StrCat(family.substr(0, 1), family.substr(2))); break;
        case 1: family = absl::StrCat(family.substr(0, 1), " ", family.substr(2)); break;
        default: family = absl::AsciiStrToLower(family); break;
      }
      given = absl::AsciiStrToLower(given);
    }
    if (kind == "names in the other order") std::swap(given, family);
    if (kind == "nickname or short form") given = Short(first);
    if (kind == "known by an alias") {
      // Recorded under another name (a married name, an alias), the police's name an alias.
      aliases.push_back(absl::StrCat(given, " ", family));
      given = Name(CommonGiven(), 0.65);
      family = Name(CommonFamily(), 0.3);
    }
    if (kind == "day and month transposed") born = absl::CivilDay(born.year(), born.day(), born.month());
    if (kind == "year of birth only") born = absl::CivilDay(born.year(), 1, 1);
    if (kind == "a spelling mistake in the family name") family = Typo(family, Uniform(1, 4), Uniform(0, 2));
    if (kind == "a spelling mistake in the first name") {
      given = absl::StrCat(Typo(first, Uniform(1, 4), Uniform(0, 2)), middles.empty() ? "" : " ", middles);
    }
    return Record(given, family, born, OtherAddress(p), pnc ? p.pnc : "", aliases);
  }

  LabelledPair Same(const std::string& kind) {
    DrawnPerson p = Draw();
    if (kind == "double-barrelled or hyphenated family name") {
      p.family = absl::StrCat(Name(CommonFamily(), 0.3), "-", Name(CommonFamily(), 0.3));
    }
    static constexpr const char* kApostrophes[] = {"O'Connor", "O'Brien", "O'Neill", "O'Sullivan", "D'Souza"};
    if (kind == "apostrophe, spacing and case") p.family = Pick(kApostrophes);
    while (!Fits(kind, p)) p = Draw();
    return LabelledPair{kind, true, Police(p), Other(p, kind)};
  }

  LabelledPair Different(const std::string& kind) {
    DrawnPerson a = Draw();
    DrawnPerson b = Draw();
    std::string b_given = absl::StrJoin(b.given, " ");
    if (kind == "twins" || kind == "brothers or sisters") {
      b.family = a.family;
      b.postcode = a.postcode;
      while (b.given[0] == a.given[0] || mappa::SameGivenName(absl::AsciiStrToLower(b.given[0]), absl::AsciiStrToLower(a.given[0]))) {
        b.given[0] = Name(CommonGiven(), 0.65);
      }
      b_given = absl::StrJoin(b.given, " ");
      b.born = kind == "twins" ? a.born : a.born + Uniform(365, 12 * 365) * (Chance(0.5) ? 1 : -1);
    }
    if (kind == "father and son of one name") {
      b.family = a.family;
      b.given = a.given;
      b.postcode = a.postcode;
      b_given = absl::StrJoin(b.given, " ");
      b.born = a.born + Uniform(20 * 365, 35 * 365);
    }
    if (kind == "a common name, one date of birth") {
      // From the ten commonest of each list; born the same day; nothing else in common
      // (middle names drawn for each, as for anyone).
      a.given[0] = CommonGiven()[Uniform(0, 9)].first;
      a.family = CommonFamily()[Uniform(0, 9)].first;
      b.given[0] = a.given[0];
      b.family = a.family;
      b.born = a.born;
      b_given = absl::StrJoin(b.given, " ");
    }
    if (kind == "strangers sharing a blocking key") {
      if (Chance(0.5)) {
        b.born = a.born;  // the same date of birth
      } else {
        b.born = absl::CivilDay(a.born.year(), b.born.month(), b.born.day());  // the same year, and
        b.family = a.family;                                                   // family name
      }
      b_given = absl::StrJoin(b.given, " ");
    }
    // Probation hold a PNC id half the time: then it is this other person's.
    const std::string b_pnc = Chance(0.5) ? b.pnc : "";
    return LabelledPair{kind, false, Police(a), Record(b_given, b.family, b.born, Chance(0.7) ? b.postcode : "", b_pnc)};
  }

  // A short form of a first name, or "" when the generator knows none.
  static std::string Short(const std::string& first) {
    static const std::vector<std::pair<std::string, std::string>> kShort = {
        {"William", "Bill"}, {"Robert", "Bob"},     {"Michael", "Mick"}, {"Richard", "Dick"}, {"James", "Jim"},
        {"John", "Jack"},    {"Thomas", "Tom"},     {"Anthony", "Tony"}, {"Christopher", "Chris"},
        {"Stephen", "Steve"}, {"Daniel", "Danny"},  {"David", "Dave"},   {"Matthew", "Matt"}, {"Andrew", "Andy"},
        {"Peter", "Pete"},   {"Elizabeth", "Liz"},  {"Rebecca", "Becky"}, {"Samantha", "Sam"},
        {"Victoria", "Vicky"}, {"Catherine", "Kate"}, {"Susan", "Sue"}};
    for (const auto& [full, shortened] : kShort) {
      if (full == first) return shortened;
    }
    return "";
  }

  std::mt19937_64 random_;
  int pnc_ = 0;
};

// How the identity rules do on `pairs`: a pair is compared only if the two records share a
// blocking key, and proposed if its score proposes (match.h).
struct ClassResult {
  std::string kind;
  bool same_person = false;
  int pairs = 0;
  int blocked = 0;   // compared: they share a blocking key
  int proposed = 0;
};

struct Evaluation {
  std::vector<ClassResult> classes;  // in the order first seen
  int true_positives = 0, false_positives = 0, false_negatives = 0;
  double precision() const {
    return true_positives + false_positives == 0 ? 1 : double(true_positives) / (true_positives + false_positives);
  }
  double recall() const {
    return true_positives + false_negatives == 0 ? 1 : double(true_positives) / (true_positives + false_negatives);
  }
};

inline Evaluation Evaluate(const std::vector<LabelledPair>& pairs) {
  Evaluation out;
  for (const LabelledPair& pair : pairs) {
    auto it = std::find_if(out.classes.begin(), out.classes.end(), [&](const ClassResult& c) { return c.kind == pair.kind; });
    if (it == out.classes.end()) {
      out.classes.push_back(ClassResult{pair.kind, pair.same_person});
      it = out.classes.end() - 1;
    }
    ++it->pairs;
    const std::vector<std::string> a = mappa::BlockingKeys(pair.a), b = mappa::BlockingKeys(pair.b);
    std::vector<std::string> shared;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(shared));
    if (shared.empty()) {
      if (pair.same_person) ++out.false_negatives;
      continue;
    }
    ++it->blocked;
    const bool proposed = mappa::Proposes(mappa::Score(pair.a, pair.b));
    if (proposed) ++it->proposed;
    if (pair.same_person) {
      ++(proposed ? out.true_positives : out.false_negatives);
    } else if (proposed) {
      ++out.false_positives;
    }
  }
  return out;
}

}  // namespace safeguard::testing
