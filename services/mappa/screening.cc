#include "services/mappa/screening.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "common/access/access_record.h"
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

Screening::Screening(RiskViewStore* store, EventBus* bus, std::string audit_topic, Clock clock)
    : store_(store), bus_(bus), audit_topic_(std::move(audit_topic)), clock_(std::move(clock)) {}

absl::StatusOr<bool> Screening::Check(const CheckIdentifierRequest& request, const CallContext& call) {
  RETURN_IF_ERROR(v::RequireEnum("kind", request.kind(), OnlineIdentifierKind_descriptor()));
  RETURN_IF_ERROR(v::RequireText("value", request.value(), 320));
  RETURN_IF_ERROR(v::OptionalText("check_ref", request.check_ref(), 64));
  const std::string& platform = call.actor.user();
  ASSIGN_OR_RETURN(std::string key, OnlineIdentifierKey(request.kind(), request.value(), platform, "value"));

  const absl::Time now = clock_();
  std::vector<std::string> held;
  ASSIGN_OR_RETURN(std::vector<std::string> candidates, store_->SubjectsWithIdentifier(key));
  for (const std::string& subject : candidates) {
    ASSIGN_OR_RETURN(RiskView view, store_->GetView(subject));
    ComputeAsOf(DayOf(now), &view);
    if (HeldUnderRestriction(view, key)) held.push_back(subject);
  }

  // One record per person disclosed about, or one saying nothing was.
  std::vector<BusMessage> records;
  auto record = [&](const std::string& subject, bool match) {
    Purpose purpose;
    purpose.set_code(PLATFORM_SCREENING);
    purpose.set_detail(absl::StrCat("identifier check by ", platform));
    AccessRecord r = NewAccessRecord(call, now, subject, "screening.CheckIdentifier", purpose);
    r.set_query(key);
    r.set_query_ref(request.check_ref());
    r.add_recipients(platform);
    r.set_disclosed_match(match);
    records.push_back(BusMessage{audit_topic_, subject.empty() ? key : subject, r.SerializeAsString()});
  };
  if (held.empty()) record("", false);
  for (const std::string& subject : held) record(subject, true);
  if (absl::Status st = bus_->Publish(records); !st.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the check could not be recorded, so no answer is given: ", st.message()));
  }
  return !held.empty();
}

}  // namespace safeguard::mappa
