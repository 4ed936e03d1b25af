#include "services/childrens/childrens_validation.h"

#include "absl/strings/str_cat.h"
#include "common/agency/corrections.h"
#include "common/time_util.h"
#include "common/validation.h"

namespace safeguard::childrens {
namespace {

namespace v = safeguard::validation;
using namespace safeguard::v1;

constexpr size_t kShortTextMax = 200;
constexpr size_t kLongTextMax = 4000;
constexpr int kMaxOtherAdults = 10;

// A command about a child names the child by case id in the header.
void RequireChildSubject(const CommandHeader& header, v::Violations* problems) {
  if (header.subject().childrens_case_id().empty()) {
    problems->Add("header.subject.childrens_case_id", "is required: name the child's case");
  }
}

// Validates and normalises a child named in a payload.
void CheckChild(const std::string& field, ChildRef* child, absl::CivilDay today, v::Violations* problems) {
  if (child->childrens_case_id().empty()) {
    problems->Add(field + ".childrens_case_id", "is required");
  } else if (std::optional<std::string> id = problems->Take(
                 agency::NormaliseChildrensCaseId(field + ".childrens_case_id", child->childrens_case_id()))) {
    child->set_childrens_case_id(*id);
  }
  problems->Check(v::OptionalText(field + ".given_name", child->given_name(), v::kNameMax));
  problems->Check(v::OptionalText(field + ".family_name", child->family_name(), v::kNameMax));
  if (!child->date_of_birth().empty()) {
    problems->Check(v::RequirePastDate(field + ".date_of_birth", child->date_of_birth(), today).status());
  }
}

// The child `child` (at `field`) is younger than the adult whose header gives `adult_born`.
void ChildYoungerThanAdult(const std::string& field, const ChildRef& child, const std::string& adult_born,
                           v::Violations* problems) {
  if (child.date_of_birth().empty() || adult_born.empty()) return;
  const absl::StatusOr<absl::CivilDay> child_born = ParseIsoDate(child.date_of_birth());
  const absl::StatusOr<absl::CivilDay> born = ParseIsoDate(adult_born);
  if (!child_born.ok() || !born.ok() || *child_born > *born) return;
  problems->Add(field + ".date_of_birth",
                absl::StrCat(child.date_of_birth(), " is not after the adult's date of birth (header.subject.date_of_birth ",
                             adult_born, "): a child in contact with an adult is younger than the adult"));
}

}  // namespace

absl::StatusOr<ValidatedCommand> Validate(const RecordReferralRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out, &problems)) return problems.status();
  RequireChildSubject(r.header(), &problems);
  const auto& x = r.referral();
  problems.Check(v::RequireReference("referral.referral_ref", x.referral_ref()));
  const std::optional<absl::CivilDay> on =
      problems.Take(v::RequirePastDate("referral.received_date", x.received_date(), today));
  problems.Check(v::RequireText("referral.source", x.source(), kShortTextMax));
  problems.Check(v::RequireText("referral.concern", x.concern(), kLongTextMax));
  out.occurred_on = on.value_or(today);
  out.event_type = "childrens.ReferralReceived";
  *out.event.mutable_referral_received() = x;
  return agency::Finish(r, std::move(out), problems, /*dates_after_birth=*/false);
}

absl::StatusOr<ValidatedCommand> Validate(const StartSection47EnquiryRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out, &problems)) return problems.status();
  RequireChildSubject(r.header(), &problems);
  const auto& x = r.enquiry();
  problems.Check(v::RequireReference("enquiry.enquiry_ref", x.enquiry_ref()));
  const std::optional<absl::CivilDay> on = problems.Take(v::RequirePastDate("enquiry.start_date", x.start_date(), today));
  problems.Check(v::RequireText("enquiry.reason", x.reason(), kLongTextMax));
  out.occurred_on = on.value_or(today);
  out.event_type = "childrens.Section47EnquiryStarted";
  *out.event.mutable_section47_enquiry_started() = x;
  return agency::Finish(r, std::move(out), problems, /*dates_after_birth=*/false);
}

absl::StatusOr<ValidatedCommand> Validate(const ConcludeSection47EnquiryRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out, &problems)) return problems.status();
  RequireChildSubject(r.header(), &problems);
  const auto& x = r.conclusion();
  problems.Check(v::RequireReference("conclusion.enquiry_ref", x.enquiry_ref()));
  const std::optional<absl::CivilDay> on =
      problems.Take(v::RequirePastDate("conclusion.concluded_date", x.concluded_date(), today));
  problems.Check(v::RequireEnum("conclusion.outcome", x.outcome(), Section47Outcome_descriptor()));
  problems.Check(v::RequireText("conclusion.summary", x.summary(), kLongTextMax));
  out.occurred_on = on.value_or(today);
  out.event_type = "childrens.Section47EnquiryConcluded";
  *out.event.mutable_section47_enquiry_concluded() = x;
  return agency::Finish(r, std::move(out), problems, /*dates_after_birth=*/false);
}

absl::StatusOr<ValidatedCommand> Validate(const StartChildProtectionPlanRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out, &problems)) return problems.status();
  RequireChildSubject(r.header(), &problems);
  const auto& x = r.plan();
  problems.Check(v::RequireReference("plan.plan_ref", x.plan_ref()));
  const std::optional<absl::CivilDay> on = problems.Take(v::RequirePastDate("plan.start_date", x.start_date(), today));
  problems.Check(v::RequireEnum("plan.category", x.category(), ChildProtectionCategory_descriptor()));
  out.occurred_on = on.value_or(today);
  out.event_type = "childrens.ChildProtectionPlanStarted";
  *out.event.mutable_child_protection_plan_started() = x;
  return agency::Finish(r, std::move(out), problems, /*dates_after_birth=*/false);
}

absl::StatusOr<ValidatedCommand> Validate(const EndChildProtectionPlanRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out, &problems)) return problems.status();
  RequireChildSubject(r.header(), &problems);
  const auto& x = r.ending();
  problems.Check(v::RequireReference("ending.plan_ref", x.plan_ref()));
  const std::optional<absl::CivilDay> on = problems.Take(v::RequirePastDate("ending.end_date", x.end_date(), today));
  problems.Check(v::RequireText("ending.reason", x.reason(), kLongTextMax));
  out.occurred_on = on.value_or(today);
  out.event_type = "childrens.ChildProtectionPlanEnded";
  *out.event.mutable_child_protection_plan_ended() = x;
  return agency::Finish(r, std::move(out), problems, /*dates_after_birth=*/false);
}

// Commands about an adult: every date they give is on or after the adult's birth, and
// the child they name is younger than the adult.
absl::StatusOr<ValidatedCommand> Validate(const RecordConcernAboutAdultRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out, &problems)) return problems.status();
  auto x = r.concern();
  problems.Check(v::RequireReference("concern.concern_ref", x.concern_ref()));
  const std::optional<absl::CivilDay> on =
      problems.Take(v::RequirePastDate("concern.recorded_date", x.recorded_date(), today));
  CheckChild("concern.child", x.mutable_child(), today, &problems);
  if (out.subject.childrens_case_id() == x.child().childrens_case_id() && !x.child().childrens_case_id().empty()) {
    problems.Add("concern.child.childrens_case_id", "is the adult's own case id");
  }
  ChildYoungerThanAdult("concern.child", x.child(), out.subject.date_of_birth(), &problems);
  problems.Check(v::RequireText("concern.concern", x.concern(), kLongTextMax));
  out.occurred_on = on.value_or(today);
  out.event_type = "childrens.ConcernAboutAdultRecorded";
  *out.event.mutable_concern_about_adult_recorded() = std::move(x);
  return agency::Finish(r, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const RecordHouseholdMembershipRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out, &problems)) return problems.status();
  auto x = r.membership();
  problems.Check(v::RequireReference("membership.membership_ref", x.membership_ref()));
  CheckChild("membership.child", x.mutable_child(), today, &problems);
  problems.Check(v::RequireEnum("membership.contact", x.contact(), ContactKind_descriptor()));
  const std::optional<absl::CivilDay> from =
      problems.Take(v::RequirePastDate("membership.from_date", x.from_date(), today));
  if (out.subject.childrens_case_id() == x.child().childrens_case_id() && !x.child().childrens_case_id().empty()) {
    problems.Add("membership.child.childrens_case_id", "is the adult's own case id");
  }
  ChildYoungerThanAdult("membership.child", x.child(), out.subject.date_of_birth(), &problems);
  // Nobody is in a household with a child before the child is born.
  if (const absl::StatusOr<absl::CivilDay> child_born = ParseIsoDate(x.child().date_of_birth());
      from && child_born.ok() && *from < *child_born) {
    problems.Add("membership.from_date", absl::StrCat(x.from_date(), " is before the child's date of birth (membership.child.date_of_birth ",
                                                      x.child().date_of_birth(), ")"));
  }
  problems.Check(v::OptionalText("membership.relationship_to_child", x.relationship_to_child(), kShortTextMax));
  if (x.has_household_address()) {
    agency::CheckAddress("membership.household_address", x.mutable_household_address(), &problems);
  }
  if (problems.Check(v::MaxCount("membership.other_adults", x.other_adults_size(), kMaxOtherAdults))) {
    for (int i = 0; i < x.other_adults_size(); ++i) {
      const std::string base = v::Element("membership.other_adults", i);
      HouseholdAdult* adult = x.mutable_other_adults(i);
      problems.Check(v::RequireText(base + ".given_name", adult->given_name(), v::kNameMax));
      problems.Check(v::RequireText(base + ".family_name", adult->family_name(), v::kNameMax));
      problems.Check(v::RequireText(base + ".relationship_to_child", adult->relationship_to_child(), kShortTextMax));
      if (!adult->date_of_birth().empty() &&
          problems.Check(v::RequirePastDate(base + ".date_of_birth", adult->date_of_birth(), today).status())) {
        const absl::StatusOr<absl::CivilDay> born = ParseIsoDate(adult->date_of_birth());
        const absl::StatusOr<absl::CivilDay> child_born = ParseIsoDate(x.child().date_of_birth());
        if (born.ok() && child_born.ok() && *child_born <= *born) {
          problems.Add(base + ".date_of_birth",
                       absl::StrCat(adult->date_of_birth(), " is not before the child's date of birth (membership.child.date_of_birth ",
                                    x.child().date_of_birth(), "): an adult of the household is older than the child"));
        }
      }
      if (!adult->childrens_case_id().empty()) {
        if (std::optional<std::string> id = problems.Take(
                agency::NormaliseChildrensCaseId(base + ".childrens_case_id", adult->childrens_case_id()))) {
          adult->set_childrens_case_id(*id);
          if (*id == x.child().childrens_case_id()) problems.Add(base + ".childrens_case_id", "is the child's own case id");
        }
      }
    }
  }
  out.occurred_on = from.value_or(today);
  out.event_type = "childrens.HouseholdMembershipRecorded";
  *out.event.mutable_household_membership_recorded() = std::move(x);
  return agency::Finish(r, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const EndHouseholdMembershipRequest& r, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(r, today, agency::SubjectKeying::kChildrens, &out, &problems)) return problems.status();
  const auto& x = r.ending();
  problems.Check(v::RequireReference("ending.membership_ref", x.membership_ref()));
  const std::optional<absl::CivilDay> on = problems.Take(v::RequirePastDate("ending.end_date", x.end_date(), today));
  out.occurred_on = on.value_or(today);
  out.event_type = "childrens.HouseholdMembershipEnded";
  *out.event.mutable_household_membership_ended() = x;
  return agency::Finish(r, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const RecordCorrectionRequest& r, absl::CivilDay today) {
  return agency::ValidateCorrection(
      r, today, agency::SubjectKeying::kChildrens,
      [today](const CommandHeader& h, const google::protobuf::Message& fact) -> absl::StatusOr<ValidatedCommand> {
        const auto validate = [today](const auto& request) { return Validate(request, today); };
        const google::protobuf::Descriptor* type = fact.GetDescriptor();
        if (type == ReferralReceived::descriptor()) return agency::ValidateAs<RecordReferralRequest>(h, fact, validate);
        if (type == Section47EnquiryStarted::descriptor()) return agency::ValidateAs<StartSection47EnquiryRequest>(h, fact, validate);
        if (type == Section47EnquiryConcluded::descriptor()) {
          return agency::ValidateAs<ConcludeSection47EnquiryRequest>(h, fact, validate);
        }
        if (type == ChildProtectionPlanStarted::descriptor()) {
          return agency::ValidateAs<StartChildProtectionPlanRequest>(h, fact, validate);
        }
        if (type == ChildProtectionPlanEnded::descriptor()) return agency::ValidateAs<EndChildProtectionPlanRequest>(h, fact, validate);
        if (type == ConcernAboutAdultRecorded::descriptor()) return agency::ValidateAs<RecordConcernAboutAdultRequest>(h, fact, validate);
        if (type == HouseholdMembershipRecorded::descriptor()) {
          return agency::ValidateAs<RecordHouseholdMembershipRequest>(h, fact, validate);
        }
        if (type == HouseholdMembershipEnded::descriptor()) return agency::ValidateAs<EndHouseholdMembershipRequest>(h, fact, validate);
        return absl::NotFoundError("not a children's services fact");
      });
}

}  // namespace safeguard::childrens
