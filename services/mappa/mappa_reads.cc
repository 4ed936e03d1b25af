#include "services/mappa/mappa_reads.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/alerts.h"
#include "services/mappa/risk_projection.h"
#include "services/mappa/subject_lookup.h"

namespace safeguard::mappa {

namespace v = safeguard::validation;

namespace {

// The distinct subjects of `alerts`, for the access record.
template <typename Alerts, typename Subject>
std::vector<std::string> SubjectsOf(const Alerts& alerts, Subject subject) {
  std::set<std::string> subjects;
  for (const auto& a : alerts) subjects.insert(subject(a));
  return {subjects.begin(), subjects.end()};
}

}  // namespace

absl::StatusOr<uint32_t> PageSize(uint32_t requested) {
  if (requested > kMaxPage) return v::FieldError("page_size", absl::StrCat("must be at most ", kMaxPage));
  return requested == 0 ? kDefaultPage : requested;
}

MappaReads::MappaReads(RiskViewStore* store, EventBus* bus, std::string audit_topic, Clock clock)
    : store_(store), recorder_(bus, std::move(audit_topic), clock), clock_(std::move(clock)) {}

absl::StatusOr<std::vector<std::string>> MappaReads::AuthorisedPerson(const safeguard::v1::SubjectRef& subject,
                                                                      const safeguard::v1::Purpose& purpose,
                                                                      const std::string& view,
                                                                      const CallContext& call) {
  ASSIGN_OR_RETURN(std::string reference, LookupReference(subject, "subject"));
  RETURN_IF_ERROR(CheckPurpose(purpose));

  absl::StatusOr<std::string> record = store_->ResolveReference(reference);
  if (absl::IsNotFound(record.status())) {
    RETURN_IF_ERROR(recorder_.Record(call, purpose, view, {reference}));
    return record.status();
  }
  RETURN_IF_ERROR(record.status());
  ASSIGN_OR_RETURN(std::vector<std::string> records, store_->PersonRecords(*record));
  RETURN_IF_ERROR(recorder_.Record(call, purpose, view, records));
  return records;
}

absl::StatusOr<safeguard::v1::RiskView> MappaReads::GetRiskView(
    const safeguard::v1::GetRiskViewRequest& request, const CallContext& call) {
  ASSIGN_OR_RETURN(std::vector<std::string> records,
                   AuthorisedPerson(request.subject(), request.purpose(), "mappa.RiskView", call));
  ASSIGN_OR_RETURN(safeguard::v1::RiskView view, store_->GetPersonView(records.front()));
  ComputeAsOf(DayOf(clock_()), &view);
  // Each child in contact brings its own record's open child protection plans.
  std::vector<std::string> children_consulted;
  for (safeguard::v1::ChildInContact& c : *view.mutable_children_in_contact()) {
    if (!c.current() || c.child().childrens_case_id().empty()) continue;
    absl::StatusOr<std::string> child_key =
        store_->ResolveReference(absl::StrCat("childrens:", c.child().childrens_case_id()));
    if (absl::IsNotFound(child_key.status())) continue;  // children's services hold no record
    RETURN_IF_ERROR(child_key.status());
    ASSIGN_OR_RETURN(safeguard::v1::RiskView child, store_->GetPersonView(*child_key));
    children_consulted.insert(children_consulted.end(), child.linked_records().begin(), child.linked_records().end());
    for (const auto& plan : child.child_protection_plans()) {
      if (!plan.has_ending()) *c.add_open_plans() = plan;
    }
    if (c.open_plans_size() > 0) view.mutable_flags()->set_child_in_contact_has_open_protection_plan(true);
  }
  if (!children_consulted.empty()) {
    RETURN_IF_ERROR(recorder_.Record(call, request.purpose(), "mappa.RiskView/child-in-contact", children_consulted));
  }
  for (auto& alert : ComputeAlerts(view)) *view.add_alerts() = std::move(alert);
  return view;
}

absl::StatusOr<safeguard::v1::GetTimelineResponse> MappaReads::GetTimeline(
    const safeguard::v1::GetTimelineRequest& request, const CallContext& call) {
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(std::vector<std::string> records,
                   AuthorisedPerson(request.subject(), request.purpose(), "mappa.Timeline", call));
  return store_->GetTimeline(records.front(), page_size, request.page_token());
}

absl::StatusOr<safeguard::v1::ListAlertsResponse> MappaReads::ListAlerts(
    const safeguard::v1::ListAlertsRequest& request, const CallContext& call) {
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  if (request.rule() != safeguard::v1::ALERT_RULE_UNSPECIFIED) {
    RETURN_IF_ERROR(v::RequireEnum("rule", request.rule(), safeguard::v1::AlertRule_descriptor()));
  }
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(safeguard::v1::ListAlertsResponse response,
                   store_->ListAlerts(request.rule(), page_size, request.page_token()));
  if (response.alerts_size() > 0) {
    RETURN_IF_ERROR(recorder_.Record(call, request.purpose(), "mappa.Alerts",
                                 SubjectsOf(response.alerts(), [](const auto& a) { return a.subject_key(); })));
  }
  return response;
}

absl::Status MappaReads::WatchAlerts(const safeguard::v1::WatchAlertsRequest& request, const CallContext& call,
                                     const std::function<bool(const safeguard::v1::AlertChange&)>& send,
                                     const std::function<bool()>& cancelled) {
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  uint64_t after = request.after_sequence();
  if (after > store_->AlertSequence()) {
    return v::FieldError("after_sequence", absl::StrCat("is beyond the last alert change (",
                                                        store_->AlertSequence(), ")"));
  }
  // Records the access to every subject in `changes`, then sends them.
  auto deliver = [&](const std::vector<safeguard::v1::AlertChange>& changes) -> absl::Status {
    if (changes.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(recorder_.Record(call, request.purpose(), "mappa.Alerts",
                                 SubjectsOf(changes, [](const auto& c) { return c.alert().subject_key(); })));
    for (const auto& change : changes) {
      if (!send(change)) return absl::CancelledError("the watcher went away");
    }
    return absl::OkStatus();
  };
  if (after == 0) {
    // Every alert holding now, then the changes after the list was taken (a change
    // between the two is sent both ways; a watcher applies them in order).
    std::string token;
    bool first = true;
    while (first || !token.empty()) {
      first = false;
      ASSIGN_OR_RETURN(safeguard::v1::ListAlertsResponse page,
                       store_->ListAlerts(safeguard::v1::ALERT_RULE_UNSPECIFIED, kMaxPage, token));
      if (after == 0) after = page.sequence();
      std::vector<safeguard::v1::AlertChange> current;
      for (auto& alert : *page.mutable_alerts()) {
        safeguard::v1::AlertChange c;
        c.set_kind(safeguard::v1::ALERT_CURRENT);
        *c.mutable_at() = ToProtoTimestamp(clock_());
        *c.mutable_alert() = std::move(alert);
        current.push_back(std::move(c));
      }
      RETURN_IF_ERROR(deliver(current));
      token = page.next_page_token();
    }
  }
  while (!cancelled()) {
    ASSIGN_OR_RETURN(std::vector<safeguard::v1::AlertChange> changes, store_->AlertChangesAfter(after, 100));
    if (changes.empty()) {
      store_->WaitForAlertChange(after, absl::Milliseconds(200));
      continue;
    }
    RETURN_IF_ERROR(deliver(changes));
    after = changes.back().sequence();
  }
  return absl::CancelledError("the watch was cancelled");
}

absl::StatusOr<safeguard::v1::ListIdentityLinksResponse> MappaReads::ListIdentityLinks(
    const safeguard::v1::ListIdentityLinksRequest& request, const CallContext& call) {
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  safeguard::v1::IdentityLinkStatus status = request.status();
  if (status == safeguard::v1::IDENTITY_LINK_STATUS_UNSPECIFIED) {
    status = safeguard::v1::CANDIDATE;
  } else {
    RETURN_IF_ERROR(v::RequireEnum("status", status, safeguard::v1::IdentityLinkStatus_descriptor()));
  }
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(safeguard::v1::ListIdentityLinksResponse response,
                   store_->ListLinks(status, page_size, request.page_token()));
  std::set<std::string> records;
  for (const auto& d : response.links()) {
    records.insert(d.link().record_a());
    records.insert(d.link().record_b());
  }
  if (!records.empty()) {
    RETURN_IF_ERROR(recorder_.Record(call, request.purpose(), "mappa.IdentityLinks", {records.begin(), records.end()}));
  }
  return response;
}

}  // namespace safeguard::mappa
