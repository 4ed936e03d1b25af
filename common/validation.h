// Field validation shared by every command validator. Each check returns OK or
// kInvalidArgument whose message starts with the field's path, e.g.
//   "conviction.offence_date: is not a real calendar date"
// Values are not echoed back: they may be personal data, and errors are logged.
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/descriptor.h"

namespace safeguard::validation {

// The most bytes a person's, a place's or an organisation's name may hold.
inline constexpr size_t kNameMax = 100;

absl::Status FieldError(absl::string_view field, absl::string_view problem);

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
