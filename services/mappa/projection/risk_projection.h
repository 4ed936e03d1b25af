// The risk projection: how one event changes a subject's RiskView, and what the view's
// computed fields say on a given day. Pure functions, no I/O; replaying the same events
// in the same order always yields the same bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/provenance.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/mappa_service.pb.h"

namespace safeguard::mappa {

// Folds `event` into `view` (the stored facts: identity, convictions, register, orders,
// breaches, intelligence). Events of unknown payload are counted but change no facts, so
// that a newer producer never stops an older projection.
void ApplyEvent(const safeguard::v1::EventEnvelope& event, safeguard::v1::RiskView* view);

// Folds `events` (a record's or a person's, in recorded order) into `view` with their
// corrections applied (docs/events.md, "Corrections"): a retracted fact is counted in
// events_applied and nothing more (its subject's details included); an amended one is
// folded where it stands, as all its amendments together have it; each correction is
// counted and listed in view->corrections (what the fact was before it, and after), and
// gives the picture nothing else.
void FoldEvents(const std::vector<safeguard::v1::EventEnvelope>& events, safeguard::v1::RiskView* view);

// `events` (in recorded order) as they stand once corrected: retracted facts and the
// corrections themselves left out, amended facts as amended. What identity is built from.
std::vector<safeguard::v1::EventEnvelope> CorrectedEvents(const std::vector<safeguard::v1::EventEnvelope>& events);

// Whether the event `correction` corrects `fact`: it names it, and comes from the fact's
// own agency on the fact's own stream (the agencies refuse any other; a log altered to
// hold one is not believed).
bool Corrects(const safeguard::v1::EventEnvelope& correction, const safeguard::v1::EventEnvelope& fact);

// `fact` as `correction` amends it: its payload replaced when an amended fact is given,
// and its subject's details overlaid when an amended subject is (agency::OverlaySubject).
safeguard::v1::EventEnvelope Amended(const safeguard::v1::EventEnvelope& fact, const safeguard::v1::FactCorrected& correction);

// A fact that stood as `standing` (nullopt: retracted) after `correction`: retracted, or
// amended; a retracted fact stays retracted.
std::optional<safeguard::v1::EventEnvelope> Correct(const std::optional<safeguard::v1::EventEnvelope>& standing,
                                                   const safeguard::v1::FactCorrected& correction);

// The correction event `correction` of a fact that stood as `was` before it and as `now`
// after it (nullopt: retracted), as the picture and the timeline show it.
safeguard::v1::CorrectionFact CorrectionFactOf(const safeguard::v1::EventEnvelope& correction,
                                               const safeguard::v1::EventEnvelope& was,
                                               const std::optional<safeguard::v1::EventEnvelope>& now);

// Fills the fields computed against `today`: counts by classification, register status
// (overdue, days until due), which orders are active, the flags, and as_of_date.
void ComputeAsOf(absl::CivilDay today, safeguard::v1::RiskView* view);

// CJA 2003 s.327A as `facts` stand: whether the duty to consider disclosure applies (a
// child sexual offence on record, and managed under MAPPA: a category proposed or
// decided at a meeting) and what the latest review decided. Depends on no date.
safeguard::v1::DisclosureConsideration DisclosureConsiderationOf(const safeguard::v1::RiskView& facts);

// Merges what `from` says of a person into `identity` (the first value of each field
// kept; aliases added) and the references it carries into `references`. True if either
// changed.
bool MergeIdentity(const safeguard::v1::SubjectRef& from, safeguard::v1::SubjectRef* identity,
                   google::protobuf::RepeatedPtrField<std::string>* references);

// One readable line describing `event` for the timeline.
std::string TimelineSummary(const safeguard::v1::EventEnvelope& event);

// The references a subject is known by, e.g. {"pnc:2019/0012345X", "visor:VR-1001"}.
std::vector<std::string> ReferencesOf(const safeguard::v1::SubjectRef& subject);

}  // namespace safeguard::mappa
