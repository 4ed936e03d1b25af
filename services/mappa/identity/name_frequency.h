// How common names are, for the identity rules' term-frequency adjustment (docs/identity.md):
// two records agreeing on "Smith" say less than two agreeing on "Featherstonehaugh". The
// shares are of people in England and Wales, rounded, for the most common family names and
// the most common given names of adults born 1950-2005 (the people the agencies' records
// are about), from the published national name lists; a name not listed is taken to be as
// rare as an unlisted name is on average. The table is fixed (not counted from the records
// held), so a comparison comes out the same whenever and in whatever order it is made.
#pragma once

#include <string_view>

namespace safeguard::mappa {

// The share of people with this family name (normalised: NormaliseName), e.g. 0.012 for
// "smith"; kUnlistedFamilyName when not among the common ones.
double FamilyNameShare(std::string_view normalised);
// The share of people with this given name (normalised), e.g. 0.03 for "john";
// kUnlistedGivenName when not among the common ones.
double GivenNameShare(std::string_view normalised);

inline constexpr double kUnlistedFamilyName = 0.00005;
inline constexpr double kUnlistedGivenName = 0.0004;

// Whether two given names (normalised) are one name's forms: a nickname or short form
// ("bill", "william"), or another spelling ("steven", "stephen").
bool SameGivenName(std::string_view a, std::string_view b);

}  // namespace safeguard::mappa
