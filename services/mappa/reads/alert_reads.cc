#include "services/mappa/reads/alert_reads.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/alerts/alert_folder.h"
#include "services/mappa/ingest/erasure.h"
#include "services/mappa/reads/paging.h"

namespace safeguard::mappa {
namespace {

namespace v = safeguard::validation;
namespace v1 = safeguard::v1;

constexpr char kAlertsView[] = "mappa.Alerts";

// The distinct subjects of `alerts`, as a consultation of the alerts view.
template <typename Alerts, typename Subject>
Consultation SubjectsOf(const Alerts& alerts, Subject subject) {
  std::set<std::string> subjects;
  for (const auto& a : alerts) {
    if (!subject(a).empty()) subjects.insert(subject(a));  // a withdrawal names no one
  }
  return Consultation{.view = kAlertsView, .subjects = {subjects.begin(), subjects.end()}};
}

// Takes out of `items` every alert (or change of one) on a person an agency restricted a
// record of: none of it is shown (ingest/erasure.h). Names each alert left by its
// withdrawal id, which a later ALERT_WITHDRAWN change names it by.
template <typename Items, typename AlertOf>
absl::Status DropRestrictedAndName(const StateReader& state, const crypto::KeyVault* vault, Items* items,
                                   AlertOf alert_of) {
  if (vault == nullptr) return absl::OkStatus();  // nothing is restricted, nor withdrawn
  for (auto& item : *items) {
    v1::Alert& alert = alert_of(item);
    if (!alert.subject_key().empty()) alert.set_withdrawal_id(AlertWithdrawalId(*vault, alert.alert_id()));
  }
  absl::Status failed;
  std::map<std::string, bool> restricted;  // by person
  auto is_restricted = [&](auto& item) {
    const std::string& person = alert_of(item).subject_key();
    if (person.empty()) return false;  // a withdrawal names no one
    auto it = restricted.find(person);
    if (it == restricted.end()) {
      absl::StatusOr<bool> r = IsRestrictedPerson(state, vault, person);
      if (!r.ok()) failed.Update(r.status());
      it = restricted.emplace(person, r.value_or(true)).first;
    }
    return it->second;
  };
  items->erase(std::remove_if(items->begin(), items->end(), is_restricted), items->end());
  return failed;
}

}  // namespace

void AlertReads::Handle(const v1::ListAlertsRequest& request, const CallContext& call,
                        Reply<v1::ListAlertsResponse> reply) {
  auto answer = [&]() -> absl::StatusOr<RecordedAnswer<v1::ListAlertsResponse>> {
    v::Violations problems;
    CheckPurpose(request.purpose(), &problems);
    if (request.rule() != v1::ALERT_RULE_UNSPECIFIED) {
      problems.Check(v::RequireEnum("rule", request.rule(), v1::AlertRule_descriptor()));
    }
    const std::optional<uint32_t> page_size = problems.Take(PageSize(request.page_size()));
    RETURN_IF_ERROR(problems.status());
    const Snapshot snapshot = state_->Read();
    ASSIGN_OR_RETURN(v1::ListAlertsResponse response, ListAlerts(snapshot, request.rule(), *page_size, request.page_token()));
    RETURN_IF_ERROR(DropRestrictedAndName(snapshot, vault_, response.mutable_alerts(),
                                          [](v1::Alert& a) -> v1::Alert& { return a; }));
    RecordedAnswer<v1::ListAlertsResponse> recorded;
    recorded.purpose = request.purpose();
    recorded.consulted = {SubjectsOf(response.alerts(), [](const auto& a) { return a.subject_key(); })};
    recorded.answer = std::move(response);
    return recorded;
  };
  GiveWhenRecorded(*access_, call, answer(), std::move(reply));
}

absl::StatusOr<AlertReads::WatchPosition> AlertReads::StartWatch(const v1::WatchAlertsRequest& request) const {
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  ASSIGN_OR_RETURN(const uint64_t last, LastAlertSequence(state_->Read()));
  if (request.after_sequence() > last) {
    return v::FieldError("after_sequence", absl::StrCat("is beyond the last alert change (", last, ")"));
  }
  WatchPosition start;
  start.listing = request.after_sequence() == 0;
  start.after = request.after_sequence();
  return start;
}

absl::StatusOr<AlertReads::WatchStep> AlertReads::NextForWatch(const WatchPosition& at, size_t max) const {
  const Snapshot snapshot = state_->Read();
  WatchStep step;
  step.next = at;
  if (at.listing) {
    // The alerts holding now, then the changes after the list was taken (a change
    // between the two is sent both ways; a watcher applies them in order).
    ASSIGN_OR_RETURN(v1::ListAlertsResponse page,
                     ListAlerts(snapshot, v1::ALERT_RULE_UNSPECIFIED, static_cast<uint32_t>(max), at.token));
    if (at.token.empty()) step.next.after = page.sequence();
    for (v1::Alert& alert : *page.mutable_alerts()) {
      v1::AlertChange c;
      c.set_kind(v1::ALERT_CURRENT);
      *c.mutable_at() = ToProtoTimestamp(clock_());
      *c.mutable_alert() = std::move(alert);
      step.changes.push_back(std::move(c));
    }
    step.next.token = page.next_page_token();
    step.next.listing = !page.next_page_token().empty();
  } else {
    ASSIGN_OR_RETURN(step.changes, AlertChangesAfter(snapshot, at.after, max));
    if (!step.changes.empty()) step.next.after = step.changes.back().sequence();
  }
  RETURN_IF_ERROR(DropRestrictedAndName(snapshot, vault_, &step.changes,
                                        [](v1::AlertChange& c) -> v1::Alert& { return *c.mutable_alert(); }));
  step.consulted = SubjectsOf(step.changes, [](const auto& c) { return c.alert().subject_key(); });
  return step;
}

absl::Status WatchLimits::Acquire(const std::string& caller) {
  std::lock_guard<std::mutex> lock(mu_);
  if (all_ >= total_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("this server already serves ", total_, " alert watches; try again later"));
  }
  size_t& mine = open_[caller];
  if (mine >= per_caller_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "this caller already has ", per_caller_, " alert watches open; close one (or resume it) first"));
  }
  ++mine;
  ++all_;
  return absl::OkStatus();
}

void WatchLimits::Release(const std::string& caller) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(caller);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
  --all_;
}

}  // namespace safeguard::mappa
