#include "services/childrens/childrens_commands.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/agency/corrections.h"
#include "common/agency/stream_entries.h"
#include "common/status_macros.h"
#include "services/childrens/childrens_stream_state.h"
#include "services/childrens/childrens_validation.h"

namespace safeguard::childrens {
namespace {

using namespace safeguard::v1;

// `ref` of `kind` must not be recorded yet.
StreamRule Unique(std::string field, const char* kind, std::string ref) {
  return [field = std::move(field), kind, ref = std::move(ref)](const StreamState& state) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<std::string> entry, agency::RefState(state, kind, ref));
    if (entry.has_value()) {
      return absl::AlreadyExistsError(absl::StrCat(field, ": '", ref, "' is already recorded here"));
    }
    return absl::OkStatus();
  };
}

// `ref` of `kind` must be recorded and not ended.
StreamRule Open(std::string field, const char* kind, std::string ref) {
  return [field = std::move(field), kind, ref = std::move(ref)](const StreamState& state) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<std::string> entry, agency::RefState(state, kind, ref));
    if (!entry.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(field, ": no '", ref, "' is recorded here; record it first"));
    }
    if (*entry == agency::kEnded) {
      return absl::FailedPreconditionError(absl::StrCat(field, ": '", ref, "' has already ended"));
    }
    return absl::OkStatus();
  };
}

}  // namespace

ChildrensCommands::ChildrensCommands(EventStore* store, Clock clock)
    : submitter_(store, AGENCY_CHILDRENS_SERVICES, "childrens", std::move(clock)) {}

void ChildrensCommands::Handle(const RecordReferralRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Unique("referral.referral_ref", kReferralRef, r.referral().referral_ref()), std::move(done));
}
void ChildrensCommands::Handle(const StartSection47EnquiryRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Unique("enquiry.enquiry_ref", kEnquiryRef, r.enquiry().enquiry_ref()), std::move(done));
}
void ChildrensCommands::Handle(const ConcludeSection47EnquiryRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Open("conclusion.enquiry_ref", kEnquiryRef, r.conclusion().enquiry_ref()),
                    std::move(done));
}
void ChildrensCommands::Handle(const StartChildProtectionPlanRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Unique("plan.plan_ref", kPlanRef, r.plan().plan_ref()), std::move(done));
}
void ChildrensCommands::Handle(const EndChildProtectionPlanRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Open("ending.plan_ref", kPlanRef, r.ending().plan_ref()), std::move(done));
}
void ChildrensCommands::Handle(const RecordConcernAboutAdultRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Unique("concern.concern_ref", kConcernRef, r.concern().concern_ref()), std::move(done));
}
void ChildrensCommands::Handle(const RecordHouseholdMembershipRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Unique("membership.membership_ref", kMembershipRef, r.membership().membership_ref()),
                    std::move(done));
}
void ChildrensCommands::Handle(const EndHouseholdMembershipRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Open("ending.membership_ref", kMembershipRef, r.ending().membership_ref()),
                    std::move(done));
}

void ChildrensCommands::Handle(const safeguard::v1::RecordCorrectionRequest& r, const CallContext& call, Done done) {
  const safeguard::v1::FactCorrected correction = r.correction();
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    [correction](const StreamState& state) { return agency::CheckCorrection(correction, state); },
                    std::move(done));
}

}  // namespace safeguard::childrens
