#include "services/mappa/screening.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/online_identifier.h"
#include "services/mappa/risk_projection.h"

namespace safeguard::mappa {
namespace {

namespace v = safeguard::validation;
using namespace safeguard::v1;

bool UnderRelevantRestriction(const RiskView& view) {
  for (const OrderFact& o : view.orders()) {
    if (o.active()) return true;
  }
  for (const SupervisionFact& s : view.supervisions()) {
    if (!s.active()) continue;
    for (const LicenceCondition& c : s.conditions().conditions()) {
      if (c.kind() == NO_UNSUPERVISED_CONTACT_WITH_CHILDREN || c.kind() == INTERNET_MONITORING) return true;
    }
  }
  return false;
}

}  // namespace

bool HeldUnderRestriction(const RiskView& view, const std::string& key) {
  const RegisterStatus& reg = view.register_();
  if (!reg.registered() || reg.register_period_ended()) return false;
  bool listed = false;
  for (const auto& id : reg.latest().online_identifiers()) {
    absl::StatusOr<std::string> k = OnlineIdentifierKey(id.kind(), id.value(), id.platform(), "");
    if (k.ok() && *k == key) listed = true;
  }
  return listed && UnderRelevantRestriction(view);
}

Screening::Screening(RiskViewStore* store, AccessLog* access, Clock clock)
    : store_(store), access_(access), clock_(std::move(clock)) {}

absl::StatusOr<RecordedAnswer<CheckIdentifierResponse>> Screening::Answer(const CheckIdentifierRequest& request,
                                                                          const CallContext& call) {
  RETURN_IF_ERROR(v::RequireEnum("kind", request.kind(), OnlineIdentifierKind_descriptor()));
  RETURN_IF_ERROR(v::RequireText("value", request.value(), 320));
  RETURN_IF_ERROR(v::OptionalText("check_ref", request.check_ref(), 64));
  const std::string& platform = call.actor.user();
  ASSIGN_OR_RETURN(std::string key, OnlineIdentifierKey(request.kind(), request.value(), platform, "value"));

  const absl::Time now = clock_();
  // Each person who notified the identifier, judged whole (all their linked records).
  std::vector<std::string> held;
  std::set<std::string> judged;
  ASSIGN_OR_RETURN(std::vector<std::string> candidates, store_->SubjectsWithIdentifier(key));
  for (const std::string& record : candidates) {
    ASSIGN_OR_RETURN(RiskView view, store_->GetPersonView(record));
    if (!judged.insert(view.subject_key()).second) continue;
    ComputeAsOf(DayOf(now), &view);
    if (HeldUnderRestriction(view, key)) held.insert(held.end(), view.linked_records().begin(), view.linked_records().end());
  }

  // A disclosure to the platform about each record of each person held, or one record
  // saying nothing was disclosed.
  RecordedAnswer<CheckIdentifierResponse> answer;
  answer.purpose.set_code(PLATFORM_SCREENING);
  answer.purpose.set_detail(absl::StrCat("identifier check by ", platform));
  answer.consulted = {Consultation{.view = "screening.CheckIdentifier",
                                   .subjects = held,
                                   .recipients = {platform},
                                   .query = key,
                                   .query_ref = request.check_ref(),
                                   .disclosed_match = !held.empty()}};
  CheckIdentifierResponse response;
  response.set_held(!held.empty());
  answer.answer = std::move(response);
  return answer;
}

void Screening::Handle(const CheckIdentifierRequest& request, const CallContext& call,
                       Reply<CheckIdentifierResponse> reply) {
  absl::StatusOr<RecordedAnswer<CheckIdentifierResponse>> answer = Answer(request, call);
  if (!answer.ok()) return reply(answer.status());
  GiveWhenRecorded(*access_, call, std::move(*answer), std::move(reply));
}

}  // namespace safeguard::mappa
