// Corrections of an agency's own facts (corrections.proto; docs/events.md, "Corrections"),
// as every agency service records them. The log is never edited: a fact is retracted or
// amended by a new event, FactCorrected, on the same person's stream, naming the event.
//
// Validation (ValidateCorrection) checks the request alone: the header as for any command
// of the agency, who decided, when and why, and an amendment as the agency's own command
// for that kind of fact would be checked, its problems named under "correction.<fact>".
// The rule (CheckCorrection) checks it against the stream: the event corrected is one of
// its facts, not retracted already, of the kind amended, and the amendment keeps the
// fact's references (an order's order_ref...). The stream's state holds what the rule
// needs: FoldCorrections keeps an entry per fact. Pure and thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/agency/command_validation.h"
#include "common/store/stream_state.h"
#include "google/protobuf/message.h"
#include "safeguard/v1/corrections.pb.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard::agency {

// The fact `e` records, which a correction may name: its payload, or nullptr for an event
// that is no agency's fact (a correction itself, a disclosure case's step, a meeting's).
const google::protobuf::Message* CorrectableFactOf(const safeguard::v1::EventEnvelope& e);

// The amended fact a correction carries (its `amended` oneof); nullptr when it has none.
const google::protobuf::Message* AmendedFactOf(const safeguard::v1::FactCorrected& c);

// The agency's own validation of one kind of fact, as its command for that fact: given a
// header and the fact, the command validated (kInvalidArgument naming fields of that
// command); kNotFound when the agency records no fact of that kind.
using FactValidator = std::function<absl::StatusOr<ValidatedCommand>(const safeguard::v1::CommandHeader& header,
                                                                     const google::protobuf::Message& fact)>;

// Validates a correction. The amended fact is checked by `validate_fact` with the request's
// header (its subject replaced by the amended subject when one is given) and its problems
// named under "correction.<the amended field>"; the event carries the fact as that
// validation normalised it.
absl::StatusOr<ValidatedCommand> ValidateCorrection(const safeguard::v1::RecordCorrectionRequest& request,
                                                    absl::CivilDay today, SubjectKeying keying,
                                                    const FactValidator& validate_fact);

// The command for one kind of fact carrying `header` and `fact` (its second field holds the
// fact, as every agency command's does), validated by `validate`.
template <typename Request, typename Validate>
absl::StatusOr<ValidatedCommand> ValidateAs(const safeguard::v1::CommandHeader& header,
                                            const google::protobuf::Message& fact, Validate validate) {
  Request request;
  *request.mutable_header() = header;
  request.GetReflection()->MutableMessage(&request, request.GetDescriptor()->field(1))->CopyFrom(fact);
  return validate(request);
}

// The rule over the stream: OK when `c` may correct what the stream holds. kNotFound when
// the event is not one of the stream's facts; kFailedPrecondition when it was retracted
// already; kInvalidArgument naming the field when the amendment is of another kind of fact,
// changes the fact's references, or the reason does not fit the fact.
absl::Status CheckCorrection(const safeguard::v1::FactCorrected& c, const StreamState& state);

// Folds `e` into its stream's state for CheckCorrection: a fact's entry, or a correction's
// mark on the fact it corrects. For a correction, returns the entry of the fact it
// corrects as it stood before (so that the agency's folder can undo what that fact set in
// its own entries); nullopt otherwise.
absl::StatusOr<std::optional<safeguard::v1::CorrectableFact>> FoldCorrections(const safeguard::v1::EventEnvelope& e,
                                                                              StreamState& state);

// The subject of a fact as an amendment gives it: each field `amended` sets replaces the
// fact's, every other stays as recorded (so a correction of a date of birth keeps the
// names and references); aliases, when any are given, replace the list.
safeguard::v1::SubjectRef OverlaySubject(const safeguard::v1::SubjectRef& recorded,
                                         const safeguard::v1::SubjectRef& amended);

// The value of `field` among a fact's references ("" when it has none).
std::string ReferenceOf(const safeguard::v1::CorrectableFact& fact, const std::string& field);

}  // namespace safeguard::agency
