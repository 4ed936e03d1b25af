#include "services/mappa/alerts/alert_folder.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "common/crypto/sealing.h"
#include "common/keys.h"
#include "common/status_macros.h"
#include "common/time_util.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "services/mappa/alerts/alert_rules.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;
using v1::Alert;
using v1::AlertChange;

std::string AlertsKey(const std::string& person) { return prefix::kAlerts + person; }
std::string ChangeKey(uint64_t sequence) {
  std::string k = prefix::kAlertChange;
  AppendBigEndian64(&k, sequence);
  return k;
}

// Whether two alerts of one rule say the same: same summary, same events.
bool SameAlert(const Alert& a, const Alert& b) {
  return a.summary() == b.summary() &&
         std::equal(a.raised_by_event_ids().begin(), a.raised_by_event_ids().end(),
                    b.raised_by_event_ids().begin(), b.raised_by_event_ids().end());
}

}  // namespace

void AlertFolder::Log(v1::AlertChangeKind kind, const Alert& alert) {
  AlertChange change;
  change.set_sequence(++sequence_);
  change.set_kind(kind);
  *change.mutable_alert() = alert;
  *change.mutable_at() = ToProtoTimestamp(now_);
  txn_->Put(ChangeKey(change.sequence()), change.SerializeAsString());
  std::string last;
  AppendBigEndian64(&last, sequence_);
  txn_->Put(prefix::kAlertChange, last);  // the log's last sequence, under the bare prefix
}

absl::StatusOr<v1::AlertSet> AlertFolder::Standing(const std::string& person_key) const {
  ASSIGN_OR_RETURN(std::optional<v1::AlertSet> set, GetMessage<v1::AlertSet>(*txn_, AlertsKey(person_key), "alerts"));
  return set.value_or(v1::AlertSet());
}

absl::Status AlertFolder::Update(const std::string& person_key, const v1::RiskView* facts) {
  ASSIGN_OR_RETURN(v1::AlertSet stored_set, Standing(person_key));
  std::map<int, Alert> stored;
  for (Alert& a : *stored_set.mutable_alerts()) stored.emplace(static_cast<int>(a.rule()), std::move(a));
  std::vector<Alert> holding;
  if (facts != nullptr) holding = AlertsAsOf(*facts, DayOf(now_));
  if (holding.empty() && stored.empty()) return absl::OkStatus();  // the usual case
  if (vault_ != nullptr) {
    for (Alert& alert : holding) {
      auto old = stored.find(static_cast<int>(alert.rule()));
      alert.set_withdrawal_id(old != stored.end() ? WithdrawalIdOf(*vault_, old->second)
                                                  : AlertWithdrawalId(*vault_, alert.alert_id()));
    }
  }

  bool changed = false;
  v1::AlertSet now;
  for (Alert& alert : holding) {
    const int rule = static_cast<int>(alert.rule());
    auto old = stored.find(rule);
    if (old != stored.end() && SameAlert(old->second, alert)) {
      // Still holds on the same events: kept as raised, with the day it was last judged
      // (and its withdrawal id, which an alert stored before there were any lacks).
      changed = changed || old->second.as_of_date() != alert.as_of_date() ||
                old->second.withdrawal_id() != alert.withdrawal_id();
      Alert kept = std::move(old->second);
      kept.set_as_of_date(alert.as_of_date());
      kept.set_withdrawal_id(alert.withdrawal_id());
      *now.add_alerts() = std::move(kept);
      stored.erase(old);
      continue;
    }
    const bool raised = old == stored.end();
    *alert.mutable_raised_at() = raised ? ToProtoTimestamp(now_) : old->second.raised_at();
    Log(raised ? v1::ALERT_RAISED : v1::ALERT_UPDATED, alert);
    if (!raised) stored.erase(old);
    *now.add_alerts() = std::move(alert);
    changed = true;
  }
  for (auto& [rule, alert] : stored) {  // held before, not now
    alert.set_as_of_date(FormatIsoDate(DayOf(now_)));
    Log(v1::ALERT_CLEARED, alert);
    changed = true;
  }
  if (!changed) return absl::OkStatus();
  if (now.alerts().empty()) {
    txn_->Delete(AlertsKey(person_key));
  } else {
    txn_->Put(AlertsKey(person_key), now.SerializeAsString());
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> AlertFolder::AnyStanding(const std::string& person_key) const {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, txn_->Get(AlertsKey(person_key)));
  return stored.has_value();
}

absl::Status AlertFolder::WithdrawPerson(const std::string& person_key) {
  ASSIGN_OR_RETURN(const v1::AlertSet standing, Standing(person_key));
  for (const Alert& a : standing.alerts()) Log(v1::ALERT_WITHDRAWN, a);
  return absl::OkStatus();
}

absl::Status AlertFolder::Reinstate(const std::string& person_key) {
  ASSIGN_OR_RETURN(const v1::AlertSet standing, Standing(person_key));
  for (const Alert& a : standing.alerts()) Log(v1::ALERT_REINSTATED, a);
  return absl::OkStatus();
}

absl::Status AlertFolder::WithdrawForgotten(const std::vector<Alert>& forgotten,
                                            const std::set<std::string>& erased_subjects) {
  if (vault_ == nullptr) return absl::OkStatus();
  for (const Alert& alert : forgotten) {
    ASSIGN_OR_RETURN(const v1::AlertSet standing, Standing(alert.subject_key()));
    auto stands = std::find_if(standing.alerts().begin(), standing.alerts().end(),
                               [&](const Alert& a) { return a.alert_id() == alert.alert_id(); });
    if (stands != standing.alerts().end() && !erased_subjects.contains(alert.subject_key())) {
      Log(v1::ALERT_UPDATED, *stands);
      continue;
    }
    Alert withdrawn;  // nothing of the subject
    withdrawn.set_withdrawal_id(WithdrawalIdOf(*vault_, alert));
    Log(v1::ALERT_WITHDRAWN, withdrawn);
  }
  return absl::OkStatus();
}

std::string AlertWithdrawalId(const crypto::KeyVault& vault, const std::string& alert_id) {
  return crypto::Pseudonym(vault, "alert", alert_id);
}

std::string WithdrawalIdOf(const crypto::KeyVault& vault, const Alert& alert) {
  return alert.withdrawal_id().empty() ? AlertWithdrawalId(vault, alert.alert_id()) : alert.withdrawal_id();
}

void AsWithdrawal(const crypto::KeyVault* vault, AlertChange* change) {
  Alert named;
  if (vault != nullptr) named.set_withdrawal_id(WithdrawalIdOf(*vault, change->alert()));
  change->set_kind(v1::ALERT_WITHDRAWN);
  *change->mutable_alert() = std::move(named);
}

absl::StatusOr<v1::ListAlertsResponse> ListAlerts(const StateReader& state, v1::AlertRule rule, uint32_t page_size,
                                                  const std::string& page_token) {
  v1::ListAlertsResponse response;
  ASSIGN_OR_RETURN(const uint64_t sequence, LastAlertSequence(state));
  response.set_sequence(sequence);
  // The token is the last alert's (person key, rule).
  std::string after_person;
  int after_rule = 0;
  if (!page_token.empty()) {
    std::string decoded;
    if (!absl::WebSafeBase64Unescape(page_token, &decoded) || decoded.size() < 9) {
      return absl::InvalidArgumentError("page_token: not a token from a previous page");
    }
    after_person = decoded.substr(0, decoded.size() - 8);
    after_rule = static_cast<int>(DecodeBigEndian64(std::string_view(decoded).substr(decoded.size() - 8)));
  }
  absl::Status parsed;
  std::string last_person;
  int last_rule = 0;
  RETURN_IF_ERROR(state.Scan(prefix::kAlerts, after_person.empty() ? "" : AlertsKey(after_person),
                             [&](std::string_view key, std::string_view value) {
                               const std::string person(key.substr(1));
                               v1::AlertSet set;
                               if (!set.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                                 parsed = absl::DataLossError("stored alerts are unreadable");
                                 return false;
                               }
                               for (Alert& a : *set.mutable_alerts()) {
                                 if (person == after_person && static_cast<int>(a.rule()) <= after_rule) continue;
                                 if (rule != v1::ALERT_RULE_UNSPECIFIED && a.rule() != rule) continue;
                                 if (response.alerts_size() == static_cast<int>(page_size)) {
                                   std::string token = last_person;
                                   AppendBigEndian64(&token, static_cast<uint64_t>(last_rule));
                                   response.set_next_page_token(absl::WebSafeBase64Escape(token));
                                   return false;
                                 }
                                 last_person = person;
                                 last_rule = static_cast<int>(a.rule());
                                 *response.add_alerts() = std::move(a);
                               }
                               return true;
                             }));
  RETURN_IF_ERROR(parsed);
  return response;
}

absl::StatusOr<std::map<v1::AlertRule, uint64_t>> CountOpenAlerts(const StateReader& state) {
  std::map<v1::AlertRule, uint64_t> counts;
  absl::Status parsed;
  RETURN_IF_ERROR(state.Scan(prefix::kAlerts, "", [&](std::string_view key, std::string_view value) {
    v1::AlertSet set;
    if (!set.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parsed = absl::DataLossError("stored alerts are unreadable");
      return false;
    }
    for (const Alert& a : set.alerts()) ++counts[a.rule()];
    return true;
  }));
  RETURN_IF_ERROR(parsed);
  return counts;
}

absl::StatusOr<std::vector<AlertChange>> AlertChangesAfter(const StateReader& state, uint64_t after_sequence,
                                                           size_t limit) {
  std::vector<AlertChange> out;
  absl::Status parsed;
  RETURN_IF_ERROR(state.Scan(prefix::kAlertChange, ChangeKey(after_sequence + 1),
                             [&](std::string_view, std::string_view value) {
                               if (out.size() == limit) return false;
                               AlertChange c;
                               if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                                 parsed = absl::DataLossError("stored alert change is unreadable");
                                 return false;
                               }
                               out.push_back(std::move(c));
                               return true;
                             }));
  RETURN_IF_ERROR(parsed);
  return out;
}

absl::StatusOr<uint64_t> LastAlertSequence(const StateReader& state) {
  ASSIGN_OR_RETURN(std::optional<std::string> last, state.Get(prefix::kAlertChange));
  return last.has_value() ? DecodeBigEndian64(*last) : 0;
}

absl::StatusOr<std::vector<Alert>> ForgetAlertChanges(Transaction* txn, const std::set<std::string>& subjects,
                                                      const std::set<std::string>& events) {
  std::vector<std::string> forget;
  std::map<std::string, Alert> alerts;  // by alert id, as last changed
  absl::Status parsed;
  RETURN_IF_ERROR(txn->Scan(prefix::kAlertChange, "", [&](std::string_view key, std::string_view value) {
    if (key.size() == 1) return true;  // the last sequence, under the bare prefix
    AlertChange c;
    if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parsed = absl::DataLossError("stored alert change is unreadable");
      return false;
    }
    bool erased = subjects.contains(c.alert().subject_key());
    for (const std::string& id : c.alert().raised_by_event_ids()) erased = erased || events.contains(id);
    if (erased) {
      forget.emplace_back(key);
      alerts[c.alert().alert_id()] = std::move(*c.mutable_alert());
    }
    return true;
  }));
  RETURN_IF_ERROR(parsed);
  for (const std::string& key : forget) txn->Delete(key);
  std::vector<Alert> out;
  for (auto& [id, alert] : alerts) out.push_back(std::move(alert));
  return out;
}

}  // namespace safeguard::mappa
