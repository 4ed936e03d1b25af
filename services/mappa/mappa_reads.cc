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
namespace v1 = safeguard::v1;

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

MappaReads::MappaReads(RiskViewStore* store, AccessLog* access, Clock clock)
    : store_(store), access_(access), clock_(std::move(clock)) {}

absl::StatusOr<RecordedAnswer<v1::RiskView>> MappaReads::Answer(const v1::GetRiskViewRequest& request) {
  ASSIGN_OR_RETURN(const std::string reference, LookupReference(request.subject(), "subject"));
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  RecordedAnswer<v1::RiskView> recorded;
  recorded.purpose = request.purpose();
  absl::StatusOr<std::string> record = store_->ResolveReference(reference);
  if (absl::IsNotFound(record.status())) {
    recorded.answer = record.status();
    recorded.consulted = {Consultation{.view = "mappa.RiskView", .subjects = {reference}}};
    return recorded;
  }
  RETURN_IF_ERROR(record.status());
  ASSIGN_OR_RETURN(v1::RiskView view, store_->GetPersonView(*record));
  ComputeAsOf(DayOf(clock_()), &view);
  // Each child in contact brings its own record's open child protection plans.
  std::vector<std::string> children_consulted;
  for (v1::ChildInContact& c : *view.mutable_children_in_contact()) {
    if (!c.current() || c.child().childrens_case_id().empty()) continue;
    absl::StatusOr<std::string> child_key =
        store_->ResolveReference(absl::StrCat("childrens:", c.child().childrens_case_id()));
    if (absl::IsNotFound(child_key.status())) continue;  // children's services hold no record
    RETURN_IF_ERROR(child_key.status());
    ASSIGN_OR_RETURN(v1::RiskView child, store_->GetPersonView(*child_key));
    children_consulted.insert(children_consulted.end(), child.linked_records().begin(), child.linked_records().end());
    for (const auto& plan : child.child_protection_plans()) {
      if (!plan.has_ending()) *c.add_open_plans() = plan;
    }
    if (c.open_plans_size() > 0) view.mutable_flags()->set_child_in_contact_has_open_protection_plan(true);
  }
  for (auto& alert : ComputeAlerts(view)) *view.add_alerts() = std::move(alert);
  // Exactly the records the answer holds.
  recorded.consulted = {Consultation{.view = "mappa.RiskView", .subjects = {view.linked_records().begin(),
                                                                         view.linked_records().end()}}};
  if (!children_consulted.empty()) {
    recorded.consulted.push_back(Consultation{.view = "mappa.RiskView/child-in-contact", .subjects = children_consulted});
  }
  recorded.answer = std::move(view);
  return recorded;
}

void MappaReads::Handle(const v1::GetRiskViewRequest& request, const CallContext& call, Reply<v1::RiskView> reply) {
  GiveWhenRecorded(*access_, call, Answer(request), std::move(reply));
}

void MappaReads::Handle(const v1::GetTimelineRequest& request, const CallContext& call,
                        Reply<v1::GetTimelineResponse> reply) {
  auto answer = [&]() -> absl::StatusOr<RecordedAnswer<v1::GetTimelineResponse>> {
    ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
    ASSIGN_OR_RETURN(const std::string reference, LookupReference(request.subject(), "subject"));
    RETURN_IF_ERROR(CheckPurpose(request.purpose()));
    RecordedAnswer<v1::GetTimelineResponse> recorded;
    recorded.purpose = request.purpose();
    absl::StatusOr<std::string> record = store_->ResolveReference(reference);
    if (absl::IsNotFound(record.status())) {
      recorded.answer = record.status();
      recorded.consulted = {Consultation{.view = "mappa.Timeline", .subjects = {reference}}};
      return recorded;
    }
    RETURN_IF_ERROR(record.status());
    ASSIGN_OR_RETURN(std::vector<std::string> records, store_->PersonRecords(*record));
    recorded.answer = store_->GetTimeline(records.front(), page_size, request.page_token());
    recorded.consulted = {Consultation{.view = "mappa.Timeline", .subjects = records}};
    return recorded;
  };
  GiveWhenRecorded(*access_, call, answer(), std::move(reply));
}

void MappaReads::Handle(const v1::ListAlertsRequest& request, const CallContext& call,
                        Reply<v1::ListAlertsResponse> reply) {
  auto answer = [&]() -> absl::StatusOr<RecordedAnswer<v1::ListAlertsResponse>> {
    RETURN_IF_ERROR(CheckPurpose(request.purpose()));
    if (request.rule() != v1::ALERT_RULE_UNSPECIFIED) {
      RETURN_IF_ERROR(v::RequireEnum("rule", request.rule(), v1::AlertRule_descriptor()));
    }
    ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
    ASSIGN_OR_RETURN(v1::ListAlertsResponse response, store_->ListAlerts(request.rule(), page_size, request.page_token()));
    RecordedAnswer<v1::ListAlertsResponse> recorded;
    recorded.purpose = request.purpose();
    recorded.consulted = {Consultation{
        .view = "mappa.Alerts", .subjects = SubjectsOf(response.alerts(), [](const auto& a) { return a.subject_key(); })}};
    recorded.answer = std::move(response);
    return recorded;
  };
  GiveWhenRecorded(*access_, call, answer(), std::move(reply));
}

void MappaReads::Handle(const v1::ListIdentityLinksRequest& request, const CallContext& call,
                        Reply<v1::ListIdentityLinksResponse> reply) {
  auto answer = [&]() -> absl::StatusOr<RecordedAnswer<v1::ListIdentityLinksResponse>> {
    RETURN_IF_ERROR(CheckPurpose(request.purpose()));
    v1::IdentityLinkStatus status = request.status();
    if (status == v1::IDENTITY_LINK_STATUS_UNSPECIFIED) {
      status = v1::CANDIDATE;
    } else {
      RETURN_IF_ERROR(v::RequireEnum("status", status, v1::IdentityLinkStatus_descriptor()));
    }
    ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
    ASSIGN_OR_RETURN(v1::ListIdentityLinksResponse response, store_->ListLinks(status, page_size, request.page_token()));
    std::set<std::string> records;
    for (const auto& d : response.links()) {
      records.insert(d.link().record_a());
      records.insert(d.link().record_b());
    }
    RecordedAnswer<v1::ListIdentityLinksResponse> recorded;
    recorded.purpose = request.purpose();
    recorded.consulted = {Consultation{.view = "mappa.IdentityLinks", .subjects = {records.begin(), records.end()}}};
    recorded.answer = std::move(response);
    return recorded;
  };
  GiveWhenRecorded(*access_, call, answer(), std::move(reply));
}

absl::Status MappaReads::WatchAlerts(const v1::WatchAlertsRequest& request, const CallContext& call,
                                     const std::function<bool(const v1::AlertChange&)>& send,
                                     const std::function<bool()>& cancelled) {
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  uint64_t after = request.after_sequence();
  if (after > store_->AlertSequence()) {
    return v::FieldError("after_sequence", absl::StrCat("is beyond the last alert change (",
                                                        store_->AlertSequence(), ")"));
  }
  // Records the access to every subject in `changes`, then sends them.
  auto deliver = [&](const std::vector<v1::AlertChange>& changes) -> absl::Status {
    if (changes.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(access_->RecordNow(
        call, request.purpose(),
        {Consultation{.view = "mappa.Alerts",
                      .subjects = SubjectsOf(changes, [](const auto& c) { return c.alert().subject_key(); })}}));
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
      ASSIGN_OR_RETURN(v1::ListAlertsResponse page, store_->ListAlerts(v1::ALERT_RULE_UNSPECIFIED, kMaxPage, token));
      if (after == 0) after = page.sequence();
      std::vector<v1::AlertChange> current;
      for (auto& alert : *page.mutable_alerts()) {
        v1::AlertChange c;
        c.set_kind(v1::ALERT_CURRENT);
        *c.mutable_at() = ToProtoTimestamp(clock_());
        *c.mutable_alert() = std::move(alert);
        current.push_back(std::move(c));
      }
      RETURN_IF_ERROR(deliver(current));
      token = page.next_page_token();
    }
  }
  while (!cancelled()) {
    ASSIGN_OR_RETURN(std::vector<v1::AlertChange> changes, store_->AlertChangesAfter(after, 100));
    if (changes.empty()) {
      store_->WaitForAlertChange(after, absl::Milliseconds(200));
      continue;
    }
    RETURN_IF_ERROR(deliver(changes));
    after = changes.back().sequence();
  }
  return absl::CancelledError("the watch was cancelled");
}

}  // namespace safeguard::mappa
