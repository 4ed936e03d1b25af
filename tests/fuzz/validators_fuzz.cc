// Every command validator: the first byte picks a request type, the rest is parsed as that
// request (any bytes a client could send), and the request is validated. A validator must
// refuse or accept without crashing; what it accepts must be a whole event (a payload, a
// subject key, an event type). Nothing may trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/childrens/childrens_validation.h"
#include "services/police/disclosure_validation.h"
#include "services/police/police_validation.h"
#include "services/probation/probation_validation.h"

namespace {

using safeguard::agency::ValidatedCommand;
namespace v1 = safeguard::v1;

const absl::CivilDay kToday(2026, 11, 23);
const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 12, 0, 0), absl::UTCTimeZone());

void Check(const absl::StatusOr<ValidatedCommand>& v) {
  if (!v.ok()) {
    if (v.status().message().empty()) std::abort();  // a refusal always says why
    return;
  }
  if (v->event.payload_case() == v1::EventEnvelope::PAYLOAD_NOT_SET || v->subject_key.empty() ||
      v->event_type.empty()) {
    std::abort();
  }
}

template <typename Request, typename Validate>
std::function<void(const std::string&)> Case(Validate validate) {
  return [validate](const std::string& bytes) {
    Request r;
    if (r.ParseFromString(bytes)) Check(validate(r));
  };
}

const std::vector<std::function<void(const std::string&)>>& Validators() {
  using namespace safeguard;
  static const auto* const all = new std::vector<std::function<void(const std::string&)>>{
      Case<v1::RecordConvictionRequest>([](const auto& r) { return police::Validate(r, kToday); }),
      Case<v1::RecordRegisterNotificationRequest>([](const auto& r) { return police::Validate(r, kToday); }),
      Case<v1::RecordOrderRequest>([](const auto& r) { return police::Validate(r, kToday); }),
      Case<v1::RecordOrderBreachRequest>([](const auto& r) { return police::Validate(r, kToday); }),
      Case<v1::RecordIntelligenceRequest>([](const auto& r) { return police::Validate(r, kToday); }),
      Case<v1::RecordPoliceRiskAssessmentRequest>([](const auto& r) { return police::Validate(r, kToday); }),
      Case<v1::StartSupervisionRequest>([](const auto& r) { return probation::Validate(r, kToday); }),
      Case<v1::EndSupervisionRequest>([](const auto& r) { return probation::Validate(r, kToday); }),
      Case<v1::RecordRiskAssessmentRequest>([](const auto& r) { return probation::Validate(r, kToday); }),
      Case<v1::SetLicenceConditionsRequest>([](const auto& r) { return probation::Validate(r, kToday); }),
      Case<v1::RecordLicenceBreachRequest>([](const auto& r) { return probation::Validate(r, kToday); }),
      Case<v1::RecordRecallRequest>([](const auto& r) { return probation::Validate(r, kToday); }),
      Case<v1::ProposeMappaCategoryLevelRequest>([](const auto& r) { return probation::Validate(r, kToday); }),
      Case<v1::RecordReferralRequest>([](const auto& r) { return childrens::Validate(r, kToday); }),
      Case<v1::StartSection47EnquiryRequest>([](const auto& r) { return childrens::Validate(r, kToday); }),
      Case<v1::ConcludeSection47EnquiryRequest>([](const auto& r) { return childrens::Validate(r, kToday); }),
      Case<v1::StartChildProtectionPlanRequest>([](const auto& r) { return childrens::Validate(r, kToday); }),
      Case<v1::EndChildProtectionPlanRequest>([](const auto& r) { return childrens::Validate(r, kToday); }),
      Case<v1::RecordConcernAboutAdultRequest>([](const auto& r) { return childrens::Validate(r, kToday); }),
      Case<v1::RecordHouseholdMembershipRequest>([](const auto& r) { return childrens::Validate(r, kToday); }),
      Case<v1::EndHouseholdMembershipRequest>([](const auto& r) { return childrens::Validate(r, kToday); }),
      Case<v1::ReceiveEnquiryRequest>([](const auto& r) { return police::Validate(r, kNow); }),
      Case<v1::CompleteInitialChecksRequest>([](const auto& r) { return police::Validate(r, kNow); }),
      Case<v1::RecordApplicationRequest>(
          [](const auto& r) { return police::Validate(r, kNow, disclosure::SchemeConfig()); }),
      Case<v1::RecordInterviewRequest>([](const auto& r) { return police::Validate(r, kNow); }),
      Case<v1::RecordCaseRiskAssessmentRequest>([](const auto& r) { return police::Validate(r, kNow); }),
      Case<v1::RecordDisclosureDecisionRequest>([](const auto& r) { return police::Validate(r, kNow); }),
      Case<v1::RecordDeliveryRequest>([](const auto& r) { return police::Validate(r, kNow); }),
      Case<v1::RecordNonDisclosureLetterRequest>([](const auto& r) { return police::Validate(r, kNow); }),
      Case<v1::RecordProtectiveActionRequest>([](const auto& r) { return police::Validate(r, kNow); }),
      Case<v1::MakeSafeguardingReferralRequest>([](const auto& r) { return police::Validate(r, kNow); }),
      Case<v1::CloseCaseRequest>([](const auto& r) { return police::Validate(r, kNow); }),
  };
  return *all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& validators = Validators();
  validators[data[0] % validators.size()](std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
