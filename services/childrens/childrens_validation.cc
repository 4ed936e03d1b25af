#include "services/childrens/childrens_validation.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/time_util.h"
#include "common/validation.h"

namespace safeguard::childrens {
namespace {

namespace v = safeguard::validation;
using namespace safeguard::v1;

constexpr size_t kShortTextMax = 200;
constexpr size_t kLongTextMax = 4000;

// A command about a child names the child by case id in the header.
absl::Status RequireChildSubject(const ValidatedCommand& out) {
  if (out.subject.childrens_case_id().empty()) {
    return v::FieldError("header.subject.childrens_case_id", "is required: name the child's case");
  }
  return absl::OkStatus();
}

// Validates and normalises a child named in a payload.
absl::Status CheckChild(const std::string& field, ChildRef* child, absl::CivilDay today) {
  if (child->childrens_case_id().empty()) {
    return v::FieldError(field + ".childrens_case_id", "is required");
  }
  ASSIGN_OR_RETURN(*child->mutable_childrens_case_id(),
                   agency::NormaliseChildrensCaseId(field + ".childrens_case_id", child->childrens_case_id()));
  RETURN_IF_ERROR(v::OptionalText(field + ".given_name", child->given_name(), v::kNameMax));
  RETURN_IF_ERROR(v::OptionalText(field + ".family_name", child->family_name(), v::kNameMax));
  if (!child->date_of_birth().empty()) {
    RETURN_IF_ERROR(v::RequirePastDate(field + ".date_of_birth", child->date_of_birth(), today).status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ValidatedCommand> Validate(const RecordReferralRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out));
  RETURN_IF_ERROR(RequireChildSubject(out));
  if (!r.has_referral()) return v::FieldError("referral", "is required");
  const auto& x = r.referral();
  RETURN_IF_ERROR(v::RequireReference("referral.referral_ref", x.referral_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay on, v::RequirePastDate("referral.received_date", x.received_date(), today));
  RETURN_IF_ERROR(v::RequireText("referral.source", x.source(), kShortTextMax));
  RETURN_IF_ERROR(v::RequireText("referral.concern", x.concern(), kLongTextMax));
  out.occurred_on = on;
  out.event_type = "childrens.ReferralReceived";
  *out.event.mutable_referral_received() = x;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const StartSection47EnquiryRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out));
  RETURN_IF_ERROR(RequireChildSubject(out));
  if (!r.has_enquiry()) return v::FieldError("enquiry", "is required");
  const auto& x = r.enquiry();
  RETURN_IF_ERROR(v::RequireReference("enquiry.enquiry_ref", x.enquiry_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay on, v::RequirePastDate("enquiry.start_date", x.start_date(), today));
  RETURN_IF_ERROR(v::RequireText("enquiry.reason", x.reason(), kLongTextMax));
  out.occurred_on = on;
  out.event_type = "childrens.Section47EnquiryStarted";
  *out.event.mutable_section47_enquiry_started() = x;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const ConcludeSection47EnquiryRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out));
  RETURN_IF_ERROR(RequireChildSubject(out));
  if (!r.has_conclusion()) return v::FieldError("conclusion", "is required");
  const auto& x = r.conclusion();
  RETURN_IF_ERROR(v::RequireReference("conclusion.enquiry_ref", x.enquiry_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay on, v::RequirePastDate("conclusion.concluded_date", x.concluded_date(), today));
  RETURN_IF_ERROR(v::RequireEnum("conclusion.outcome", x.outcome(), Section47Outcome_descriptor()));
  RETURN_IF_ERROR(v::RequireText("conclusion.summary", x.summary(), kLongTextMax));
  out.occurred_on = on;
  out.event_type = "childrens.Section47EnquiryConcluded";
  *out.event.mutable_section47_enquiry_concluded() = x;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const StartChildProtectionPlanRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out));
  RETURN_IF_ERROR(RequireChildSubject(out));
  if (!r.has_plan()) return v::FieldError("plan", "is required");
  const auto& x = r.plan();
  RETURN_IF_ERROR(v::RequireReference("plan.plan_ref", x.plan_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay on, v::RequirePastDate("plan.start_date", x.start_date(), today));
  RETURN_IF_ERROR(v::RequireEnum("plan.category", x.category(), ChildProtectionCategory_descriptor()));
  out.occurred_on = on;
  out.event_type = "childrens.ChildProtectionPlanStarted";
  *out.event.mutable_child_protection_plan_started() = x;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const EndChildProtectionPlanRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out));
  RETURN_IF_ERROR(RequireChildSubject(out));
  if (!r.has_ending()) return v::FieldError("ending", "is required");
  const auto& x = r.ending();
  RETURN_IF_ERROR(v::RequireReference("ending.plan_ref", x.plan_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay on, v::RequirePastDate("ending.end_date", x.end_date(), today));
  RETURN_IF_ERROR(v::RequireText("ending.reason", x.reason(), kLongTextMax));
  out.occurred_on = on;
  out.event_type = "childrens.ChildProtectionPlanEnded";
  *out.event.mutable_child_protection_plan_ended() = x;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const RecordConcernAboutAdultRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out));
  if (!r.has_concern()) return v::FieldError("concern", "is required");
  auto x = r.concern();
  RETURN_IF_ERROR(v::RequireReference("concern.concern_ref", x.concern_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay on, v::RequirePastDate("concern.recorded_date", x.recorded_date(), today));
  if (!x.has_child()) return v::FieldError("concern.child", "is required");
  RETURN_IF_ERROR(CheckChild("concern.child", x.mutable_child(), today));
  RETURN_IF_ERROR(v::RequireText("concern.concern", x.concern(), kLongTextMax));
  out.occurred_on = on;
  out.event_type = "childrens.ConcernAboutAdultRecorded";
  *out.event.mutable_concern_about_adult_recorded() = std::move(x);
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const RecordHouseholdMembershipRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out));
  if (!r.has_membership()) return v::FieldError("membership", "is required");
  auto x = r.membership();
  RETURN_IF_ERROR(v::RequireReference("membership.membership_ref", x.membership_ref()));
  if (!x.has_child()) return v::FieldError("membership.child", "is required");
  RETURN_IF_ERROR(CheckChild("membership.child", x.mutable_child(), today));
  RETURN_IF_ERROR(v::RequireEnum("membership.contact", x.contact(), ContactKind_descriptor()));
  ASSIGN_OR_RETURN(absl::CivilDay from, v::RequirePastDate("membership.from_date", x.from_date(), today));
  if (out.subject.childrens_case_id() == x.child().childrens_case_id()) {
    return v::FieldError("membership.child.childrens_case_id", "is the adult's own case id");
  }
  // The child is younger than the adult whose household it is.
  if (!x.child().date_of_birth().empty() && !out.subject.date_of_birth().empty() &&
      ParseIsoDate(x.child().date_of_birth()).value_or(absl::CivilDay()) <=
          ParseIsoDate(out.subject.date_of_birth()).value_or(absl::CivilDay())) {
    return v::FieldError("membership.child.date_of_birth",
                         absl::StrCat(x.child().date_of_birth(), " is not after the adult's date of birth (header.subject.date_of_birth ",
                                      out.subject.date_of_birth(), "): a child in the household is younger than the adult"));
  }
  out.occurred_on = from;
  out.event_type = "childrens.HouseholdMembershipRecorded";
  *out.event.mutable_household_membership_recorded() = std::move(x);
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const EndHouseholdMembershipRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out));
  if (!r.has_ending()) return v::FieldError("ending", "is required");
  const auto& x = r.ending();
  RETURN_IF_ERROR(v::RequireReference("ending.membership_ref", x.membership_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay on, v::RequirePastDate("ending.end_date", x.end_date(), today));
  out.occurred_on = on;
  out.event_type = "childrens.HouseholdMembershipEnded";
  *out.event.mutable_household_membership_ended() = x;
  return out;
}

}  // namespace safeguard::childrens
