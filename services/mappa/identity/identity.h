// The identity rules: how mappa-service decides that two agency records may be, or are,
// one person. Pure functions; the rules are described for people in docs/identity.md.
//
//  - A record is what the agencies' events build under one key ("pnc:...", "visor:...",
//    "probation:...", "childrens:..."). References an event carries together belong to
//    one record.
//  - An agency event that carries references already filed under two records is exact
//    evidence (a national identifier beside a local reference): the records are linked
//    automatically.
//  - Names, dates of birth and addresses that score high enough (identity/match.h) only
//    propose a candidate link, which a MAPPA user confirms or rejects.
//  - A MAPPA user's latest decision on a link overrides its evidence.
//  - A person is a set of records joined by links that hold; its picture is built from
//    all their events, and its key is the best of their keys.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "safeguard/v1/common.pb.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/mappa_service.pb.h"

namespace safeguard::mappa {

// A name reduced to what identifies it: letters only, lower case, diacritics folded to
// their base letters ("Zoë O'Brien-Smith" -> "zoeobriensmith"). Letters outside the Latin
// alphabets are kept as written. Whitespace, punctuation and digits are dropped.
std::string NormaliseName(absl::string_view name);

// The id of the link between two records (order does not matter): "link-" and 20 hex
// digits of SHA-256 of the sorted keys.
std::string LinkIdFor(const std::string& record_a, const std::string& record_b);

// Orders record keys best first: PNC id, ViSOR reference, probation case reference,
// children's services case id, then anything else; then by key.
bool BetterRecordKey(const std::string& a, const std::string& b);

// What holds for `link` now: the latest decision if there is one, else LINKED on a
// national identifier match, else CANDIDATE on a proposing score (name_match).
safeguard::v1::IdentityLinkStatus EffectiveStatus(const safeguard::v1::IdentityLink& link);

// A MAPPA user's identity decision, as an event records it.
struct IdentityDecision {
  std::string link_id, record_a, record_b, reason;
  safeguard::v1::IdentityLinkStatus decision;  // LINKED, REJECTED or UNLINKED
};

// The decision `event` records; nullopt when it is not an identity decision.
std::optional<IdentityDecision> IdentityDecisionOf(const safeguard::v1::EventEnvelope& event);

}  // namespace safeguard::mappa
