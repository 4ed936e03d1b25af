// Field validation shared by every command validator. Each check returns OK or
// kInvalidArgument whose message starts with the field's path, e.g.
//   "conviction.offence_date: is not a real calendar date"
// and whose payload is the same as a google.rpc.BadRequest field violation, so that a
// caller's program can tell which field without reading the words. A validator collects
// every check's outcome in a Violations and reports them all at once.
// Values are not echoed back: they may be personal data, and errors are logged.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/descriptor.h"

namespace safeguard::validation {

// The most bytes a person's, a place's or an organisation's name may hold.
inline constexpr size_t kNameMax = 100;

// The payload under which an error carries its field violations: a serialized
// google.rpc.BadRequest (common/grpc/status_mapping.h sends it as the gRPC status's
// rich details).
inline constexpr char kBadRequestTypeUrl[] = "type.googleapis.com/google.rpc.BadRequest";

// kInvalidArgument "<field>: <problem>", with the violation as its payload.
absl::Status FieldError(absl::string_view field, absl::string_view problem);

// One field's problem.
struct FieldViolation {
  std::string field;        // its path in the request, e.g. "notification.addresses[1].postcode"
  std::string description;  // e.g. "must be a UK postcode such as 'SW1A 1AA'"
  bool operator==(const FieldViolation&) const = default;
};

// The field violations `status` carries: its BadRequest payload, else (an
// kInvalidArgument "<field>: <problem>" made without one) its message read that way.
// Empty for OK and for any other code.
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

// Every problem with one request, so that a caller learns them all in one answer rather
// than one round trip per field. A validator runs every check it can, adding each
// outcome here; checks that need an earlier value (a date after another) run when that
// value was good. Not thread-safe; one per validation.
class Violations {
 public:
  // Adds the field violations of `status`. Any error other than kInvalidArgument is kept
  // and, the first of them, is what status() returns instead. True when `status` is OK.
  bool Check(const absl::Status& status);

  // `value`'s value, or nullopt with its error added.
  template <typename T>
  std::optional<T> Take(absl::StatusOr<T> value) {
    if (value.ok()) return std::move(value).value();
    Check(value.status());
    return std::nullopt;
  }

  void Add(absl::string_view field, absl::string_view problem);

  // Whether nothing was found.
  bool ok() const { return violations_.empty() && other_.ok(); }
  // Whether a violation names `field` or a field inside it ("a.b" is inside "a").
  bool Names(absl::string_view field) const;

  // OK when nothing was found. Otherwise kInvalidArgument whose message lists every
  // violation, "a: is required; b.c: is not a real calendar date", and whose payload is a
  // google.rpc.BadRequest with each of them, in the order found (at most kMaxReported).
  absl::Status status() const;

  // `value` when nothing was found, else status().
  template <typename T>
  absl::StatusOr<T> Or(T value) const {
    if (!ok()) return status();
    return value;
  }

  static constexpr size_t kMaxReported = 100;

 private:
  std::vector<FieldViolation> violations_;
  size_t dropped_ = 0;
  absl::Status other_;
};

// The path of element `i` of the list `field`: "notification.addresses[1]".
std::string Element(absl::string_view field, int i);

// Non-empty after trimming, at most `max_len` bytes, valid UTF-8, no control characters.
absl::Status RequireText(absl::string_view field, absl::string_view value, size_t max_len);
// An agency's own reference for a record (an order, a supervision, a plan: "SHPO-2024-031",
// "LIC/2023/01"): 1 to 64 ASCII letters and digits, with '-', '/', '_', '.' or ':' between
// them (not first or last, not two dots together). Free text, paths and invisible or
// direction-changing characters are refused: references are keys and are shown as given.
absl::Status RequireReference(absl::string_view field, absl::string_view value);
// As RequireText, but empty is allowed.
absl::Status OptionalText(absl::string_view field, absl::string_view value, size_t max_len);

// A real calendar date "YYYY-MM-DD", not after `today`.
absl::StatusOr<absl::CivilDay> RequirePastDate(absl::string_view field, absl::string_view value,
                                               absl::CivilDay today);
// A real calendar date "YYYY-MM-DD" (any day).
absl::StatusOr<absl::CivilDay> RequireDate(absl::string_view field, absl::string_view value);

// A value of `type` other than its zero "unspecified" value.
absl::Status RequireEnum(absl::string_view field, int value,
                         const google::protobuf::EnumDescriptor* type);

absl::Status MaxCount(absl::string_view field, int count, int max);

// 8-128 characters of [A-Za-z0-9._:-].
absl::Status CommandId(absl::string_view field, absl::string_view value);

// Whether `s` is 1 to `max_len` letters, digits and . _ - @: the names a certificate's
// subject, a role, a caller's metadata and a correlation id may hold.
bool IsIdentifier(absl::string_view s, size_t max_len = 64);

// Police National Computer id "YYYY/NNNNNNNL" (year, 1-7 digits, check letter), case and
// surrounding space ignored. Returns the canonical form: digits zero-padded to 7, upper case.
absl::StatusOr<std::string> NormalisePncId(absl::string_view field, absl::string_view value);

// ViSOR reference: 4-32 characters of letters, digits, '-' and '/'; returned upper-cased.
absl::StatusOr<std::string> NormaliseVisorRef(absl::string_view field, absl::string_view value);

// A UK postcode ("SW1A 1AA"); returned upper-cased with one space before the inward code.
absl::StatusOr<std::string> NormalisePostcode(absl::string_view field, absl::string_view value);

}  // namespace safeguard::validation
