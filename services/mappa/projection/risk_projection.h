// The risk projection: how one event changes a subject's RiskView, and what the view's
// computed fields say on a given day. Pure functions, no I/O; replaying the same events
// in the same order always yields the same bytes.
#pragma once

#include <string>

#include "absl/time/civil_time.h"
#include "common/provenance.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/mappa_service.pb.h"

namespace safeguard::mappa {

// Folds `event` into `view` (the stored facts: identity, convictions, register, orders,
// breaches, intelligence). Events of unknown payload are counted but change no facts, so
// that a newer producer never stops an older projection.
void ApplyEvent(const safeguard::v1::EventEnvelope& event, safeguard::v1::RiskView* view);

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
