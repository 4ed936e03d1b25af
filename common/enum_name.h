// The name of a protobuf enum value, or its number when this build does not know it (an
// event written by a newer producer).
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace safeguard {

template <typename Enum>
std::string EnumName(Enum value) {
  const auto* v = google::protobuf::GetEnumDescriptor<Enum>()->FindValueByNumber(static_cast<int>(value));
  return v != nullptr ? v->name() : absl::StrCat(static_cast<int>(value));
}

}  // namespace safeguard
