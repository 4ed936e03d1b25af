#include "services/mappa/mappa_reads.h"

#include "absl/strings/str_cat.h"
#include "common/agency/command_validation.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/access_record.h"
#include "services/mappa/alerts.h"
#include "services/mappa/risk_projection.h"

namespace safeguard::mappa {
namespace {

namespace v = safeguard::validation;

// The reference to look a subject up by: the first of PNC id, ViSOR reference, children's
// services case id and probation case reference given.
absl::StatusOr<std::string> LookupReference(const safeguard::v1::SubjectRef& s) {
  if (!s.pnc_id().empty()) {
    ASSIGN_OR_RETURN(std::string pnc, v::NormalisePncId("subject.pnc_id", s.pnc_id()));
    return absl::StrCat("pnc:", pnc);
  }
  if (!s.visor_ref().empty()) {
    ASSIGN_OR_RETURN(std::string visor, v::NormaliseVisorRef("subject.visor_ref", s.visor_ref()));
    return absl::StrCat("visor:", visor);
  }
  if (!s.childrens_case_id().empty()) {
    ASSIGN_OR_RETURN(std::string id,
                     agency::NormaliseChildrensCaseId("subject.childrens_case_id", s.childrens_case_id()));
    return absl::StrCat("childrens:", id);
  }
  if (!s.probation_case_ref().empty()) {
    ASSIGN_OR_RETURN(std::string crn,
                     agency::NormaliseProbationCaseRef("subject.probation_case_ref", s.probation_case_ref()));
    return absl::StrCat("probation:", crn);
  }
  return v::FieldError("subject.pnc_id",
                       "is required (or subject.visor_ref, subject.probation_case_ref, subject.childrens_case_id)");
}

}  // namespace

MappaReads::MappaReads(RiskViewStore* store, EventBus* bus, std::string audit_topic, Clock clock)
    : store_(store), bus_(bus), audit_topic_(std::move(audit_topic)), clock_(std::move(clock)) {}

absl::StatusOr<std::string> MappaReads::AuthorisedSubject(const safeguard::v1::SubjectRef& subject,
                                                          const safeguard::v1::Purpose& purpose,
                                                          const std::string& view,
                                                          const CallContext& call) {
  ASSIGN_OR_RETURN(std::string reference, LookupReference(subject));
  RETURN_IF_ERROR(v::RequireEnum("purpose.code", purpose.code(),
                                 safeguard::v1::PurposeCode_descriptor()));
  RETURN_IF_ERROR(v::RequireText("purpose.detail", purpose.detail(), 500));

  absl::StatusOr<std::string> key = store_->ResolveReference(reference);
  if (!key.ok() && !absl::IsNotFound(key.status())) return key.status();

  RETURN_IF_ERROR(RecordAccess(call, purpose, view, {key.ok() ? *key : reference}));
  return key;
}

absl::Status MappaReads::RecordAccess(const CallContext& call, const safeguard::v1::Purpose& purpose,
                                      const std::string& view, const std::vector<std::string>& subjects) {
  std::vector<BusMessage> records;
  const absl::Time at = clock_();
  for (const std::string& subject : subjects) {
    records.push_back(BusMessage{audit_topic_, subject,
                                 NewAccessRecord(call, at, subject, view, purpose).SerializeAsString()});
  }
  absl::Status recorded = bus_->Publish(records);
  if (!recorded.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "the access could not be recorded, so nothing is returned: ", recorded.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<safeguard::v1::RiskView> MappaReads::GetRiskView(
    const safeguard::v1::GetRiskViewRequest& request, const CallContext& call) {
  ASSIGN_OR_RETURN(std::string key,
                   AuthorisedSubject(request.subject(), request.purpose(), "mappa.RiskView", call));
  ASSIGN_OR_RETURN(safeguard::v1::RiskView view, store_->GetView(key));
  ComputeAsOf(DayOf(clock_()), &view);
  // Each child in contact brings its own record's open child protection plans.
  std::vector<std::string> children_consulted;
  for (safeguard::v1::ChildInContact& c : *view.mutable_children_in_contact()) {
    if (!c.current() || c.child().childrens_case_id().empty()) continue;
    absl::StatusOr<std::string> child_key =
        store_->ResolveReference(absl::StrCat("childrens:", c.child().childrens_case_id()));
    if (absl::IsNotFound(child_key.status())) continue;  // children's services hold no record
    RETURN_IF_ERROR(child_key.status());
    ASSIGN_OR_RETURN(safeguard::v1::RiskView child, store_->GetView(*child_key));
    children_consulted.push_back(*child_key);
    for (const auto& plan : child.child_protection_plans()) {
      if (!plan.has_ending()) *c.add_open_plans() = plan;
    }
    if (c.open_plans_size() > 0) view.mutable_flags()->set_child_in_contact_has_open_protection_plan(true);
  }
  if (!children_consulted.empty()) {
    RETURN_IF_ERROR(RecordAccess(call, request.purpose(), "mappa.RiskView/child-in-contact", children_consulted));
  }
  for (auto& alert : ComputeAlerts(view)) *view.add_alerts() = std::move(alert);
  return view;
}

absl::StatusOr<safeguard::v1::GetTimelineResponse> MappaReads::GetTimeline(
    const safeguard::v1::GetTimelineRequest& request, const CallContext& call) {
  uint32_t page_size = request.page_size() == 0 ? kDefaultTimelinePage : request.page_size();
  if (page_size > kMaxTimelinePage) {
    return v::FieldError("page_size", absl::StrCat("must be at most ", kMaxTimelinePage));
  }
  ASSIGN_OR_RETURN(std::string key,
                   AuthorisedSubject(request.subject(), request.purpose(), "mappa.Timeline", call));
  return store_->GetTimeline(key, page_size, request.page_token());
}

}  // namespace safeguard::mappa
