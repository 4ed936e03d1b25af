// How a caller names a person to mappa-service: by any one reference an agency files it
// under (identity/identity_index.h's FindPerson then finds the person). Pure.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "safeguard/v1/common.pb.h"

namespace safeguard::mappa {

// The reference to look `subject` up by, normalised as its agency does: the first given
// of PNC id, ViSOR reference, children's services case id and probation case reference,
// e.g. "pnc:2019/0012345X". kInvalidArgument naming "<field>.pnc_id" (or the malformed
// field) when none is given or one is malformed.
absl::StatusOr<std::string> LookupReference(const safeguard::v1::SubjectRef& subject, absl::string_view field);

}  // namespace safeguard::mappa
