#include "services/mappa/reads/alert_reads.h"

#include <map>
#include <optional>
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
    const std::string& s = subject(a);
    if (!s.empty()) subjects.insert(s);
  }
  return Consultation{.view = kAlertsView, .subjects = {subjects.begin(), subjects.end()}};
}

// Whether an agency restricted a record of a person (ingest/erasure.h): then none of
// their alerts is shown. Asked once per person per read.
class Restrictions {
 public:
  Restrictions(const StateReader& state, const crypto::KeyVault& vault) : state_(state), vault_(vault) {}
  absl::StatusOr<bool> Of(const std::string& person) {
    auto it = restricted_.find(person);
    if (it == restricted_.end()) {
      ASSIGN_OR_RETURN(const bool r, IsRestrictedPerson(state_, &vault_, person));
      it = restricted_.emplace(person, r).first;
    }
    return it->second;
  }

 private:
  const StateReader& state_;
  const crypto::KeyVault& vault_;
  std::map<std::string, bool> restricted_;
};

// An alert stored before alerts carried their withdrawal id is given with it.
void Name(const crypto::KeyVault& vault, v1::Alert* alert) { alert->set_withdrawal_id(WithdrawalIdOf(vault, *alert)); }

// Takes out of `alerts` (standing now) every alert of a restricted person.
absl::Status DropRestricted(const StateReader& state, const crypto::KeyVault* vault,
                            google::protobuf::RepeatedPtrField<v1::Alert>* alerts) {
  if (vault == nullptr) return absl::OkStatus();  // nothing is restricted
  Restrictions restrictions(state, *vault);
  google::protobuf::RepeatedPtrField<v1::Alert> shown;
  for (v1::Alert& alert : *alerts) {
    ASSIGN_OR_RETURN(const bool restricted, restrictions.Of(alert.subject_key()));
    if (restricted) continue;
    Name(*vault, &alert);
    *shown.Add() = std::move(alert);
  }
  *alerts = std::move(shown);
  return absl::OkStatus();
}

// The changes a watch is given. Of a person restricted now, none is shown: a clearing is
// given as its withdrawal, so that a watcher behind (a page that listed the alerts, then
// connected; one resuming after a dropped stream) takes down an alert cleared just before
// the restriction, and the rest are left out (a watcher shown them before is sent the
// withdrawal the restriction logged). A withdrawal is given as the withdrawal id alone.
absl::Status WithdrawRestricted(const StateReader& state, const crypto::KeyVault* vault,
                                std::vector<v1::AlertChange>* changes) {
  std::vector<v1::AlertChange> given;
  std::optional<Restrictions> restrictions;
  if (vault != nullptr) restrictions.emplace(state, *vault);
  for (v1::AlertChange& change : *changes) {
    if (change.kind() != v1::ALERT_WITHDRAWN && restrictions.has_value()) {
      ASSIGN_OR_RETURN(const bool restricted, restrictions->Of(change.alert().subject_key()));
      if (restricted && change.kind() != v1::ALERT_CLEARED) continue;
      if (!restricted) Name(*vault, change.mutable_alert());
      if (restricted) AsWithdrawal(vault, &change);
    } else if (change.kind() == v1::ALERT_WITHDRAWN) {
      AsWithdrawal(vault, &change);
    }
    given.push_back(std::move(change));
  }
  *changes = std::move(given);
  return absl::OkStatus();
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
    RETURN_IF_ERROR(DropRestricted(snapshot, vault_, response.mutable_alerts()));
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
    RETURN_IF_ERROR(DropRestricted(snapshot, vault_, page.mutable_alerts()));
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
    RETURN_IF_ERROR(WithdrawRestricted(snapshot, vault_, &step.changes));
  }
  // A withdrawal names no one, and consults no one.
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
