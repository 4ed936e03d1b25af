#include "services/mappa/reads/identity_reads.h"

#include <set>

#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/identity/identity_index.h"
#include "services/mappa/reads/paging.h"

namespace safeguard::mappa {

namespace v1 = safeguard::v1;

void IdentityReads::Handle(const v1::ListIdentityLinksRequest& request, const CallContext& call,
                           Reply<v1::ListIdentityLinksResponse> reply) {
  auto answer = [&]() -> absl::StatusOr<RecordedAnswer<v1::ListIdentityLinksResponse>> {
    validation::Violations problems;
    CheckPurpose(request.purpose(), &problems);
    v1::IdentityLinkStatus status = request.status();
    if (status == v1::IDENTITY_LINK_STATUS_UNSPECIFIED) {
      status = v1::CANDIDATE;
    } else {
      problems.Check(validation::RequireEnum("status", status, v1::IdentityLinkStatus_descriptor()));
    }
    const std::optional<uint32_t> page_size = problems.Take(PageSize(request.page_size()));
    RETURN_IF_ERROR(problems.status());
    ASSIGN_OR_RETURN(v1::ListIdentityLinksResponse response,
                     ListLinks(state_->Read(), status, *page_size, request.page_token()));
    std::set<std::string> records;
    for (const auto& d : response.links()) {
      records.insert(d.link().record_a());
      records.insert(d.link().record_b());
    }
    RecordedAnswer<v1::ListIdentityLinksResponse> recorded;
    recorded.purpose = request.purpose();
    recorded.consulted = {Consultation{.view = "mappa.IdentityLinks", .subjects = {records.begin(), records.end()}}};
    recorded.answer = std::move(response);
    return recorded;
  };
  GiveWhenRecorded(*access_, call, answer(), std::move(reply));
}

}  // namespace safeguard::mappa
