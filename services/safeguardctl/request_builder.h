// Builds a protobuf request from command-line assignments, by reflection:
//   header.subject.pnc_id=2011/0045123K     a full path
//   pnc_id=2011/0045123K                    a field name found once in the request
//   prohibitions=...  (repeated)            each assignment appends
//   addresses[0].postcode=CB1 2AD           an element of a repeated message
// Enum values match case-insensitively, with '-' for '_' (child-sexual = CHILD_SEXUAL).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace safeguard::cli {

// Applies one "path=value" assignment to `message`. kInvalidArgument names the path.
absl::Status Assign(const std::string& assignment, google::protobuf::Message* message);

// Lines describing every settable field of `descriptor`, for --help: its path, its type
// (or enum values), and the rule the schema states for it (field_rules.proto): REQUIRED,
// "required when ...", and its format.
std::vector<std::string> DescribeFields(const google::protobuf::Descriptor* descriptor);

// The rule `field` carries in the schema, as DescribeFields shows it ("" when none).
std::string RuleOf(const google::protobuf::FieldDescriptor* field);

}  // namespace safeguard::cli
