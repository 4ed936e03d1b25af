// Comparing two agency records for whether they may be one person, as real records
// differ: middle names and initials, double-barrelled and hyphenated family names, names in
// the other order, nicknames, aliases, a day and month transposed in a date of birth, a
// year-only date. A Fellegi-Sunter model (the Ministry of Justice's Splink works this way):
// each comparison (given names, family name, date of birth, postcode, national
// identifiers) is put at a level of agreement, each level carries a match weight, log2 of
// m/u, how much likelier that agreement is between two records of one person (m) than of
// two people (u), with u for an exact name taken from how common the name is
// (term-frequency adjustment); the weights add up. Some evidence rules a proposal out
// whatever the rest says: different first names (twins and brothers share the rest),
// dates of birth years apart (a father and son of one name and address), two different
// PNC ids. docs/identity.md sets out every level and weight, and what they were measured to
// do on generated records.
//
// Blocking keeps the work per record bounded: a record is compared only with the records
// that share a blocking key with it (the same date of birth, or one with day and month
// transposed; or a family name's sound and the year of birth), never with everyone.
//
// Pure functions, no I/O: the same two profiles always score the same.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "safeguard/v1/common.pb.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/mappa_state.pb.h"

namespace safeguard::mappa {

// A proposal needs at least this weight (docs/identity.md, "How candidates are scored").
inline constexpr double kProposeWeight = 18.0;
// A look-up by name and date of birth lists records from this weight, ranked.
inline constexpr double kSearchWeight = 8.0;
// The prior, for MatchScore.probability: two records taken at random are one person about
// as often as two of the million or so people the agencies' records name (the weights'
// u are of random pairs, so the prior is too).
inline constexpr double kPriorOdds = 1.0 / 1000000;

// Adds what `event` (a fact as corrected) says of its subject to `profile`: names, aliases,
// date of birth, national identifiers, and the postcodes of the addresses it records (a
// register notification's, a supervision's residence, a household's address).
// True if the profile changed.
bool AddToProfile(const safeguard::v1::EventEnvelope& event, safeguard::v1::IdentityProfile* profile);

// Whether `written` holds a name to compare: letters, once punctuation, digits and
// spacing are set aside.
bool HasName(absl::string_view written);

// The profile of what a person is searched by (a look-up by name and date of birth).
safeguard::v1::IdentityProfile ProfileOf(const safeguard::v1::SubjectRef& subject);

// The blocking keys of `profile`: a record is compared with those sharing one. Sorted,
// each once. None without a date of birth.
std::vector<std::string> BlockingKeys(const safeguard::v1::IdentityProfile& profile);

// How `a` and `b` compare, with the reasons.
safeguard::v1::MatchScore Score(const safeguard::v1::IdentityProfile& a, const safeguard::v1::IdentityProfile& b);

// Whether `score` proposes a link: dates of birth compared, at least kProposeWeight, and
// nothing rules it out.
bool Proposes(const safeguard::v1::MatchScore& score);

// The Jaro-Winkler similarity of two strings, 0 (nothing alike) to 1 (the same).
double JaroWinkler(const std::string& a, const std::string& b);

// The Soundex code of a normalised name ("oconnor" -> "o256").
std::string Soundex(const std::string& normalised);

}  // namespace safeguard::mappa
