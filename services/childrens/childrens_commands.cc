#include "services/childrens/childrens_commands.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "services/childrens/childrens_validation.h"

namespace safeguard::childrens {
namespace {

using namespace safeguard::v1;
using StateRule = agency::CommandSubmitter::StateRule;

// Picks the reference out of one kind of event, or nullopt for other events.
using RefOf = std::optional<std::string> (*)(const EventEnvelope&);

std::optional<std::string> ReferralRef(const EventEnvelope& e) {
  if (e.has_referral_received()) return e.referral_received().referral_ref();
  return std::nullopt;
}
std::optional<std::string> EnquiryStartRef(const EventEnvelope& e) {
  if (e.has_section47_enquiry_started()) return e.section47_enquiry_started().enquiry_ref();
  return std::nullopt;
}
std::optional<std::string> EnquiryEndRef(const EventEnvelope& e) {
  if (e.has_section47_enquiry_concluded()) return e.section47_enquiry_concluded().enquiry_ref();
  return std::nullopt;
}
std::optional<std::string> PlanStartRef(const EventEnvelope& e) {
  if (e.has_child_protection_plan_started()) return e.child_protection_plan_started().plan_ref();
  return std::nullopt;
}
std::optional<std::string> PlanEndRef(const EventEnvelope& e) {
  if (e.has_child_protection_plan_ended()) return e.child_protection_plan_ended().plan_ref();
  return std::nullopt;
}
std::optional<std::string> ConcernRef(const EventEnvelope& e) {
  if (e.has_concern_about_adult_recorded()) return e.concern_about_adult_recorded().concern_ref();
  return std::nullopt;
}
std::optional<std::string> MembershipStartRef(const EventEnvelope& e) {
  if (e.has_household_membership_recorded()) return e.household_membership_recorded().membership_ref();
  return std::nullopt;
}
std::optional<std::string> MembershipEndRef(const EventEnvelope& e) {
  if (e.has_household_membership_ended()) return e.household_membership_ended().membership_ref();
  return std::nullopt;
}

bool Seen(const std::vector<EventEnvelope>& events, RefOf ref_of, const std::string& ref) {
  for (const auto& e : events) {
    if (ref_of(e) == ref) return true;
  }
  return false;
}

// `ref` must not be recorded yet.
StateRule Unique(const std::string& field, RefOf started, const std::string& ref) {
  return [field, started, ref](const std::vector<EventEnvelope>& events) {
    if (Seen(events, started, ref)) {
      return absl::AlreadyExistsError(absl::StrCat(field, ": '", ref, "' is already recorded here"));
    }
    return absl::OkStatus();
  };
}

// `ref` must be started and not ended.
StateRule Open(const std::string& field, RefOf started, RefOf ended, const std::string& ref) {
  return [field, started, ended, ref](const std::vector<EventEnvelope>& events) {
    if (!Seen(events, started, ref)) {
      return absl::FailedPreconditionError(absl::StrCat(field, ": no '", ref, "' is recorded here; record it first"));
    }
    if (Seen(events, ended, ref)) {
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
                    Unique("referral.referral_ref", ReferralRef, r.referral().referral_ref()), std::move(done));
}
void ChildrensCommands::Handle(const StartSection47EnquiryRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Unique("enquiry.enquiry_ref", EnquiryStartRef, r.enquiry().enquiry_ref()), std::move(done));
}
void ChildrensCommands::Handle(const ConcludeSection47EnquiryRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Open("conclusion.enquiry_ref", EnquiryStartRef, EnquiryEndRef, r.conclusion().enquiry_ref()),
                    std::move(done));
}
void ChildrensCommands::Handle(const StartChildProtectionPlanRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Unique("plan.plan_ref", PlanStartRef, r.plan().plan_ref()), std::move(done));
}
void ChildrensCommands::Handle(const EndChildProtectionPlanRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Open("ending.plan_ref", PlanStartRef, PlanEndRef, r.ending().plan_ref()), std::move(done));
}
void ChildrensCommands::Handle(const RecordConcernAboutAdultRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Unique("concern.concern_ref", ConcernRef, r.concern().concern_ref()), std::move(done));
}
void ChildrensCommands::Handle(const RecordHouseholdMembershipRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Unique("membership.membership_ref", MembershipStartRef, r.membership().membership_ref()),
                    std::move(done));
}
void ChildrensCommands::Handle(const EndHouseholdMembershipRequest& r, const CallContext& call, Done done) {
  submitter_.Submit(r, r.header(), Validate(r, submitter_.Today()), call,
                    Open("ending.membership_ref", MembershipStartRef, MembershipEndRef, r.ending().membership_ref()),
                    std::move(done));
}

}  // namespace safeguard::childrens
