// Validation every agency's commands share: the command header (command id, causation id,
// the subject and its references) and the size bound. Agency validators add their own
// payload checks on top. Pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/validation.h"
#include "google/protobuf/message.h"
#include "safeguard/v1/commands.pb.h"
#include "safeguard/v1/envelope.pb.h"

namespace safeguard::agency {

// Larger commands are refused whole, naming "request".
inline constexpr size_t kMaxCommandBytes = 64 * 1024;

// A command that passed validation, ready to append.
struct ValidatedCommand {
  safeguard::v1::SubjectRef subject;   // normalised (PNC upper-case and padded, ...)
  std::string subject_key;             // the bus key and stream suffix, e.g. "pnc:2019/0012345X"
  absl::CivilDay occurred_on;          // the day the fact happened in the world
  // The moment, when the fact has one (a disclosure case's steps); else occurred_on's start.
  std::optional<absl::Time> occurred_at;
  std::string event_type;              // e.g. "police.ConvictionRecorded"
  safeguard::v1::EventEnvelope event;  // payload, subject and subject_key set
};

// Which references an agency must give for its subject, and which it files them under.
enum class SubjectKeying {
  // Police: a PNC id, else a ViSOR reference. Key "pnc:<id>" or "visor:<ref>".
  kPolice,
  // Probation: a PNC id, else the probation case reference (CRN). Key "pnc:<id>" or
  // "probation:<crn>".
  kProbation,
  // Children's services: a PNC id, else the children's services case id (a child's, or an
  // adult's person record). Key "pnc:<id>" or "childrens:<id>".
  kChildrens,
};

// A children's services case id: 4-32 letters, digits and '-'; returned upper-cased.
absl::StatusOr<std::string> NormaliseChildrensCaseId(absl::string_view field, absl::string_view value);

absl::Status CheckCommandSize(const google::protobuf::Message& request);

// `s` with every reference it carries normalised (PNC id, ViSOR ref, probation CRN,
// children's case id, whichever agency sends them), names, date of birth (not after
// `today`) and aliases checked; what is wrong is added to `problems`, naming
// "<field>.<part>", and that part is left out of the result. No reference is required
// here: callers say which they need.
safeguard::v1::SubjectRef NormaliseSubject(const std::string& field, const safeguard::v1::SubjectRef& s,
                                           absl::CivilDay today, validation::Violations* problems);
// As above, failing on the first problem: for reads, whose subject is their only input.
absl::StatusOr<safeguard::v1::SubjectRef> NormaliseSubject(const std::string& field, const safeguard::v1::SubjectRef& s,
                                                           absl::CivilDay today);

// The keys `keying` files the person `s` names under: the PNC id, and the agency's own
// reference (e.g. {"pnc:2019/0012345X", "visor:V12345"}). kInvalidArgument naming the
// field ("subject.pnc_id", ...) when `s` gives neither or a malformed one.
absl::StatusOr<std::vector<std::string>> SubjectKeysOf(const safeguard::v1::SubjectRef& s, SubjectKeying keying,
                                                       absl::CivilDay today);

// Validates `header`, adding what is wrong to `problems`, and fills `out`'s subject,
// subject key and envelope subject (the key is empty when the references needed are
// missing or malformed).
void CheckHeader(const safeguard::v1::CommandHeader& header, absl::CivilDay today, SubjectKeying keying,
                 ValidatedCommand* out, validation::Violations* problems);

// An address (police_events.proto's Address) at `field`: its kind, first line and town
// required, a UK postcode (normalised in place).
void CheckAddress(const std::string& field, safeguard::v1::Address* address, validation::Violations* problems);

// Probation case reference number (CRN): a letter and six digits, e.g. "X123456";
// returned upper-cased.
absl::StatusOr<std::string> NormaliseProbationCaseRef(absl::string_view field, absl::string_view value);

// Across fields: every date the request gives (a field named *_date, at any depth, the
// header aside) is on or after `born`, the subject's date of birth, since it dates
// something in the subject's life; each one before is added to `problems` naming both
// fields, e.g. "conviction.offence_date: 1980-01-01 is before the subject's date of birth
// (header.subject.date_of_birth 1985-05-05)". `born_field` names where `born` came from.
// Nothing is checked when `born` is empty or not a date. The commands' own validators
// check dates against each other (a disposal after its offence, a child younger than the
// adult).
void CheckDatesAfterBirth(const google::protobuf::Message& request, const std::string& born,
                          const std::string& born_field, validation::Violations* problems);

// The first step of every agency command's validation: the size bound, then the header.
// False when the request is too large to look at further (its only problem reported).
template <typename Request>
bool CheckCommand(const Request& request, absl::CivilDay today, SubjectKeying keying, ValidatedCommand* out,
                  validation::Violations* problems) {
  if (!problems->Check(CheckCommandSize(request))) return false;
  CheckHeader(request.header(), today, keying, out, problems);
  return true;
}

// The last step of every agency command's validation: the dates the request gives
// against the subject's date of birth (CheckDatesAfterBirth), then `out` if nothing was
// found, else every problem found. Children's services, whose plans and referrals for an
// unborn child are dated before its birth, apply the date rule only to commands about an
// adult (`dates_after_birth`).
template <typename Request>
absl::StatusOr<ValidatedCommand> Finish(const Request& request, ValidatedCommand out, validation::Violations& problems,
                                        bool dates_after_birth = true) {
  if (dates_after_birth) {
    CheckDatesAfterBirth(request, out.subject.date_of_birth(), "header.subject.date_of_birth", &problems);
  }
  return problems.Or(std::move(out));
}

}  // namespace safeguard::agency
