#include "common/agency/stream_entries.h"

#include "absl/strings/str_cat.h"

namespace safeguard::agency {

std::string RefEntry(absl::string_view kind, absl::string_view ref) { return absl::StrCat(kind, "/", ref); }

absl::StatusOr<std::optional<std::string>> RefState(const StreamState& state, absl::string_view kind,
                                                    absl::string_view ref) {
  absl::StatusOr<std::optional<std::string>> entry = state.Get(RefEntry(kind, ref));
  if (entry.ok() && entry->has_value() && **entry == kRetracted) return std::optional<std::string>();
  return entry;
}

void SetRef(StreamState& state, absl::string_view kind, absl::string_view ref, absl::string_view value) {
  state.Put(RefEntry(kind, ref), std::string(value));
}

}  // namespace safeguard::agency
