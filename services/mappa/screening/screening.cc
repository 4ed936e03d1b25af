#include "services/mappa/screening/screening.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/mappa/ingest/erasure.h"
#include "common/validation.h"
#include "services/mappa/identity/identity_index.h"
#include "services/mappa/projection/person_views.h"
#include "services/mappa/projection/risk_projection.h"
#include "services/mappa/screening/identifier_index.h"
#include "services/mappa/screening/online_identifier.h"

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

Screening::Screening(const MappaState* state, AccessLog* access, Clock clock, const crypto::KeyVault* vault)
    : state_(state), access_(access), clock_(std::move(clock)), vault_(vault) {}

absl::StatusOr<RecordedAnswer<CheckIdentifierResponse>> Screening::Answer(const CheckIdentifierRequest& request,
                                                                          const CallContext& call) {
  RETURN_IF_ERROR(v::RequireEnum("kind", request.kind(), OnlineIdentifierKind_descriptor()));
  RETURN_IF_ERROR(v::RequireText("value", request.value(), 320));
  RETURN_IF_ERROR(v::OptionalText("check_ref", request.check_ref(), 64));
  const std::string& platform = call.actor.user();
  ASSIGN_OR_RETURN(std::string key, OnlineIdentifierKey(request.kind(), request.value(), platform, "value"));

  const absl::Time now = clock_();
  // Each person who notified the identifier, judged whole (all their linked records), as
  // one moment of the state holds them.
  const Snapshot snapshot = state_->Read();
  std::vector<std::string> held;
  std::set<std::string> judged;
  ASSIGN_OR_RETURN(std::vector<std::string> candidates, RecordsWithIdentifier(snapshot, key));
  for (const std::string& record : candidates) {
    ASSIGN_OR_RETURN(const Person person, PersonOf(snapshot, record));
    if (!judged.insert(person.key).second) continue;
    // A person an agency restricted a record of is not judged: nothing of them is used.
    ASSIGN_OR_RETURN(const bool restricted, IsRestrictedPerson(snapshot, vault_, person.key));
    if (restricted) continue;
    ASSIGN_OR_RETURN(std::optional<RiskView> view, PersonFacts(snapshot, person.key));
    if (!view.has_value()) continue;
    ComputeAsOf(DayOf(now), &*view);
    if (HeldUnderRestriction(*view, key)) held.insert(held.end(), person.records.begin(), person.records.end());
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
