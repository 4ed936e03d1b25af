#include "services/mappa/reads/subject_lookup.h"

#include "absl/strings/str_cat.h"
#include "common/agency/command_validation.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::mappa {

namespace v = safeguard::validation;

absl::StatusOr<std::string> LookupReference(const safeguard::v1::SubjectRef& s, absl::string_view field) {
  auto name = [&](absl::string_view part) { return absl::StrCat(field, ".", part); };
  if (!s.pnc_id().empty()) {
    ASSIGN_OR_RETURN(std::string pnc, v::NormalisePncId(name("pnc_id"), s.pnc_id()));
    return absl::StrCat("pnc:", pnc);
  }
  if (!s.visor_ref().empty()) {
    ASSIGN_OR_RETURN(std::string visor, v::NormaliseVisorRef(name("visor_ref"), s.visor_ref()));
    return absl::StrCat("visor:", visor);
  }
  if (!s.childrens_case_id().empty()) {
    ASSIGN_OR_RETURN(std::string id, agency::NormaliseChildrensCaseId(name("childrens_case_id"), s.childrens_case_id()));
    return absl::StrCat("childrens:", id);
  }
  if (!s.probation_case_ref().empty()) {
    ASSIGN_OR_RETURN(std::string crn,
                     agency::NormaliseProbationCaseRef(name("probation_case_ref"), s.probation_case_ref()));
    return absl::StrCat("probation:", crn);
  }
  return v::FieldError(name("pnc_id"), absl::StrCat("is required (or ", name("visor_ref"), ", ",
                                                     name("probation_case_ref"), ", ", name("childrens_case_id"),
                                                     "); to look a person up by name and date of birth, use "
                                                     "MappaService.FindPerson"));
}

}  // namespace safeguard::mappa
