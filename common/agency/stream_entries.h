// The entries agencies keep in their streams' state (common/store/stream_state.h) for
// their rules: each reference a stream has recorded, under "<kind>/<ref>", with whether
// what it names is still open. Every agency's folder sets them and its rules read them,
// through these names only.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/store/stream_state.h"

namespace safeguard::agency {

// Values of a reference's entry.
inline constexpr char kRecorded[] = "open";
inline constexpr char kEnded[] = "ended";
// What it names was retracted (docs/events.md, "Corrections"): as if never recorded.
inline constexpr char kRetracted[] = "retracted";

// "order/ORD-1".
std::string RefEntry(absl::string_view kind, absl::string_view ref);

// The entry of `ref` of `kind`: nullopt when the stream never recorded it, or what
// recorded it was retracted.
absl::StatusOr<std::optional<std::string>> RefState(const StreamState& state, absl::string_view kind,
                                                    absl::string_view ref);

// Marks `ref` of `kind` recorded (`kRecorded`), ended (`kEnded`) or retracted (`kRetracted`).
void SetRef(StreamState& state, absl::string_view kind, absl::string_view ref, absl::string_view value);

}  // namespace safeguard::agency
