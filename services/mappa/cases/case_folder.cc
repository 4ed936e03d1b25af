#include "services/mappa/cases/case_folder.h"

#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {
namespace {

std::string CaseKey(const std::string& case_ref) { return prefix::kCase + case_ref; }

}  // namespace

absl::Status CaseFolder::Apply(const safeguard::v1::EventEnvelope& e) {
  const std::string ref = disclosure::CaseRefOf(e.stream_id());
  auto it = cases_.find(ref);
  if (it == cases_.end()) {
    ASSIGN_OR_RETURN(std::optional<safeguard::v1::DisclosureCase> stored,
                     GetMessage<safeguard::v1::DisclosureCase>(*txn_, CaseKey(ref), "disclosure case"));
    it = cases_.emplace(ref, stored.value_or(safeguard::v1::DisclosureCase())).first;
  }
  disclosure::ApplyStep(e, &it->second);
  return absl::OkStatus();
}

void CaseFolder::Flush() {
  for (const auto& [ref, c] : cases_) txn_->Put(CaseKey(ref), c.SerializeAsString());
}

absl::StatusOr<std::optional<safeguard::v1::DisclosureCase>> GetCase(const StateReader& state,
                                                                    const std::string& case_ref) {
  return GetMessage<safeguard::v1::DisclosureCase>(state, CaseKey(case_ref), "disclosure case");
}

absl::Status VisitCases(const StateReader& state, const std::string& after,
                        const std::function<bool(const safeguard::v1::DisclosureCase&)>& visit) {
  absl::Status parsed;
  RETURN_IF_ERROR(state.Scan(prefix::kCase, after.empty() ? "" : CaseKey(after),
                             [&](std::string_view key, std::string_view value) {
                               if (!after.empty() && key.substr(1) == after) return true;
                               safeguard::v1::DisclosureCase c;
                               if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                                 parsed = absl::DataLossError("stored disclosure case is unreadable");
                                 return false;
                               }
                               return visit(c);
                             }));
  return parsed;
}

}  // namespace safeguard::mappa
