// Pages of mappa-service's lists.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"

namespace safeguard::mappa {

inline constexpr uint32_t kDefaultPage = 50;
inline constexpr uint32_t kMaxPage = 500;

// kDefaultPage for 0; kInvalidArgument naming page_size above `max`.
absl::StatusOr<uint32_t> PageSize(uint32_t requested, uint32_t max = kMaxPage);

}  // namespace safeguard::mappa
