// A disclosure scheme case as its events make it, and which step it may take next.
//
// One fold serves both sides: police-service checks each command against the case it
// folds from the case's stream (an illegal step gets kFailedPrecondition and writes
// nothing), and mappa-service folds the same events from the bus into the cases it lists.
// The states and steps are in docs/disclosure-scheme.md. Pure and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/disclosure/scheme_config.h"
#include "common/store/stream_state.h"
#include "safeguard/v1/disclosure_service.pb.h"
#include "safeguard/v1/envelope.pb.h"

namespace safeguard::disclosure {

// A police case reference: 4-40 letters, digits, '-' and '/', upper-cased.
// kInvalidArgument naming `field` otherwise.
absl::StatusOr<std::string> NormaliseCaseRef(absl::string_view field, absl::string_view value);

// The police stream a case's events are on, "disclosure/<case ref>".
std::string CaseStreamId(const std::string& case_ref);
// The bus key of a case's events, "disclosure:<case ref>".
std::string CaseKey(const std::string& case_ref);
// The case ref of a stream id or bus key made above; empty if it is neither.
std::string CaseRefOf(const std::string& stream_or_key);

// Whether `e` is a step of a disclosure case (its payload is one of the scheme's).
bool IsCaseEvent(const safeguard::v1::EventEnvelope& e);

// The step's own moment (`at` of its payload); unset for a non-case event.
google::protobuf::Timestamp StepTime(const safeguard::v1::EventEnvelope& e);

// OK when `c` (the case so far; version 0 when it does not exist) may take the step `e`.
// Otherwise: kAlreadyExists for a second enquiry on one case ref, kNotFound for a step of
// a case that does not exist, kFailedPrecondition naming the field and the state for an
// illegal step, kInvalidArgument for a step dated before the enquiry or naming a
// recipient or child the case does not have.
absl::Status CheckStep(const safeguard::v1::DisclosureCase& c, const safeguard::v1::EventEnvelope& e);

// Applies the step `e` (already checked) to `c`: the step's record, the new state, the
// version, the history, and who is still owed the outcome (outcomes_owed).
void ApplyStep(const safeguard::v1::EventEnvelope& e, safeguard::v1::DisclosureCase* c);

// The case as its stream's state holds it (police-service keeps it there for CheckStep;
// version 0 when the case does not exist yet).
absl::StatusOr<safeguard::v1::DisclosureCase> CaseOf(const StreamState& state);
// Folds the step `e` into its stream's state.
absl::Status FoldCaseStep(const safeguard::v1::EventEnvelope& e, StreamState& state);

// The party_ref of the person owed the case's outcome besides its recipients: the
// applicant, or where no application followed the enquirer; empty for a Right to Know
// case or an anonymous enquiry.
std::string ApplicantRef(const safeguard::v1::DisclosureCase& c);

// Whether a disclosure decided in `c` may be given at all: Right to Know, or a named
// applicant whose identity was verified at interview.
bool ApplicantVerified(const safeguard::v1::DisclosureCase& c);

// The deadlines `c` is held to as of `now`, each measured from the enquiry: initial
// checks; the interview (a named Right to Ask applicant's eligible application only);
// the full risk assessment (unless the case ended out of scope or ineligible); the whole
// case, until it is closed. A stage no longer reachable (the case closed before it) is
// left out. Overdue: outstanding past due, or met late.
std::vector<safeguard::v1::DisclosureDeadline> DeadlinesOf(const safeguard::v1::DisclosureCase& c,
                                                           const Deadlines& deadlines, absl::Time now);

}  // namespace safeguard::disclosure
