// RiskViewStore: the stored alerts and their change log.
#include <algorithm>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/rocksdb_status.h"
#include "common/status_macros.h"
#include "services/mappa/alerts.h"
#include "services/mappa/risk_projection.h"
#include "services/mappa/risk_view_store.h"
#include "services/mappa/risk_view_store_keys.h"

namespace safeguard::mappa {
namespace {

using safeguard::v1::Alert;
using safeguard::v1::AlertChange;

// Whether two alerts of one rule say the same: same summary, same events.
bool SameAlert(const Alert& a, const Alert& b) {
  return a.summary() == b.summary() &&
         std::equal(a.raised_by_event_ids().begin(), a.raised_by_event_ids().end(),
                    b.raised_by_event_ids().begin(), b.raised_by_event_ids().end());
}

}  // namespace

absl::Status RiskViewStore::ReplaceAlerts(const std::string& person_key, std::vector<Alert> now_holding,
                                          absl::Time at, rocksdb::WriteBatch* batch, uint64_t* sequence) {
  std::map<int, Alert> stored;
  const std::string prefix = keys::AlertPrefix(person_key);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    Alert a;
    if (!a.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored alert is unreadable");
    }
    stored.emplace(static_cast<int>(a.rule()), std::move(a));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read alerts"));

  auto log = [&](safeguard::v1::AlertChangeKind kind, const Alert& alert) {
    AlertChange change;
    change.set_sequence(++*sequence);
    change.set_kind(kind);
    *change.mutable_alert() = alert;
    *change.mutable_at() = ToProtoTimestamp(at);
    batch->Put(keys::AlertChange(change.sequence()), change.SerializeAsString());
  };
  for (Alert& alert : now_holding) {
    const int rule = static_cast<int>(alert.rule());
    auto old = stored.find(rule);
    if (old != stored.end() && SameAlert(old->second, alert)) {
      stored.erase(old);
      continue;
    }
    const bool raised = old == stored.end();
    *alert.mutable_raised_at() = raised ? ToProtoTimestamp(at) : old->second.raised_at();
    batch->Put(keys::Alert(person_key, rule), alert.SerializeAsString());
    log(raised ? safeguard::v1::ALERT_RAISED : safeguard::v1::ALERT_UPDATED, alert);
    if (!raised) stored.erase(old);
  }
  for (auto& [rule, alert] : stored) {  // held before, not now
    batch->Delete(keys::Alert(person_key, rule));
    alert.set_as_of_date(FormatIsoDate(DayOf(at)));
    log(safeguard::v1::ALERT_CLEARED, alert);
  }
  return absl::OkStatus();
}

absl::Status RiskViewStore::CommitAlerts(rocksdb::WriteBatch* batch, uint64_t last_sequence) {
  if (batch->Count() == 0) return absl::OkStatus();
  RETURN_IF_ERROR(FromRocksDb(db_->Write(rocksdb::WriteOptions(), batch), "write alerts"));
  {
    std::lock_guard<std::mutex> lock(alert_mu_);
    alert_sequence_ = last_sequence;
  }
  alert_cv_.notify_all();
  return absl::OkStatus();
}

absl::Status RiskViewStore::UpdateAlerts(const std::set<std::string>& record_keys) {
  const absl::Time now = clock_();
  const absl::CivilDay today = DayOf(now);
  rocksdb::WriteBatch batch;
  uint64_t sequence = AlertSequence();
  std::set<std::string> done;
  for (const std::string& record : record_keys) {
    if (done.contains(record)) continue;
    ASSIGN_OR_RETURN(std::vector<std::string> person, PersonRecords(record));
    done.insert(person.begin(), person.end());
    std::vector<Alert> holding;
    absl::StatusOr<safeguard::v1::RiskView> view = FactsOf(person);
    if (view.ok()) {
      ComputeAsOf(today, &*view);
      holding = ComputeAlerts(*view);
      for (Alert& a : holding) a.set_as_of_date(view->as_of_date());
    } else if (!absl::IsNotFound(view.status())) {
      return view.status();
    }
    RETURN_IF_ERROR(ReplaceAlerts(person.front(), std::move(holding), now, &batch, &sequence));
    // A record linked into this person no longer has alerts of its own.
    for (size_t i = 1; i < person.size(); ++i) {
      RETURN_IF_ERROR(ReplaceAlerts(person[i], {}, now, &batch, &sequence));
    }
  }
  return CommitAlerts(&batch, sequence);
}

absl::Status RiskViewStore::ReevaluateAllAlerts() {
  std::set<std::string> records;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(keys::kViewPrefix); it->Valid() && it->key().starts_with(keys::kViewPrefix); it->Next()) {
    records.insert(it->key().ToString().substr(1));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "list records"));
  // Keys holding alerts that have no record any more (none in normal running).
  for (it->Seek(keys::kAlertPrefix); it->Valid() && it->key().starts_with(keys::kAlertPrefix); it->Next()) {
    const std::string key = it->key().ToString();
    records.insert(key.substr(1, key.find('\0') - 1));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "list alerts"));
  return UpdateAlerts(records);
}

absl::StatusOr<safeguard::v1::ListAlertsResponse> RiskViewStore::ListAlerts(safeguard::v1::AlertRule rule,
                                                                            uint32_t page_size,
                                                                            const std::string& page_token) {
  safeguard::v1::ListAlertsResponse response;
  response.set_sequence(AlertSequence());
  std::string start = keys::kAlertPrefix;
  if (!page_token.empty()) {
    if (!absl::WebSafeBase64Unescape(page_token, &start) || !start.starts_with(keys::kAlertPrefix)) {
      return absl::InvalidArgumentError("page_token: not a token from a previous page");
    }
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->Seek(start);
  if (!page_token.empty() && it->Valid() && it->key() == start) it->Next();
  std::string last;
  for (; it->Valid() && it->key().starts_with(keys::kAlertPrefix); it->Next()) {
    Alert a;
    if (!a.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored alert is unreadable");
    }
    if (rule != safeguard::v1::ALERT_RULE_UNSPECIFIED && a.rule() != rule) continue;
    if (response.alerts_size() == static_cast<int>(page_size)) {
      response.set_next_page_token(absl::WebSafeBase64Escape(last));
      break;
    }
    *response.add_alerts() = std::move(a);
    last = it->key().ToString();
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read alerts"));
  return response;
}

absl::StatusOr<std::vector<AlertChange>> RiskViewStore::AlertChangesAfter(uint64_t after_sequence, size_t limit) {
  std::vector<AlertChange> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(keys::AlertChange(after_sequence + 1));
       it->Valid() && it->key().starts_with(keys::kAlertChangePrefix) && out.size() < limit; it->Next()) {
    AlertChange c;
    if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored alert change is unreadable");
    }
    out.push_back(std::move(c));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read alert changes"));
  return out;
}

uint64_t RiskViewStore::AlertSequence() const {
  std::lock_guard<std::mutex> lock(alert_mu_);
  return alert_sequence_;
}

bool RiskViewStore::WaitForAlertChange(uint64_t after_sequence, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(alert_mu_);
  return alert_cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                            [&] { return alert_sequence_ > after_sequence; });
}

}  // namespace safeguard::mappa
