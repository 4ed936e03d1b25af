#include "services/mappa/reads/paging.h"

#include "absl/strings/str_cat.h"
#include "common/validation.h"

namespace safeguard::mappa {

absl::StatusOr<uint32_t> PageSize(uint32_t requested, uint32_t max) {
  if (requested > max) return validation::FieldError("page_size", absl::StrCat("must be at most ", max));
  return requested == 0 ? kDefaultPage : requested;
}

}  // namespace safeguard::mappa
