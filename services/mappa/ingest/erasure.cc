#include "services/mappa/ingest/erasure.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/crypto/sealing.h"
#include "common/keys.h"
#include "common/logging.h"
#include "common/privacy/decisions.h"
#include "common/status_macros.h"
#include "common/time_util.h"
#include "services/mappa/alerts/alert_folder.h"
#include "services/mappa/projection/record_events.h"
#include "services/mappa/screening/identifier_index.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;

std::string KeyRecordsPrefix(const std::string& key_id) { return NamedPrefix(prefix::kKeyRecords, key_id); }
std::string RestrictedKey(const std::string& key_id) { return prefix::kRestricted + key_id; }

// `e` with nothing personal left (the fields SealEvent seals): its place in its stream,
// and that its key is gone.
v1::EventEnvelope Resealed(const v1::EventEnvelope& e, const std::string& key_id) {
  v1::EventEnvelope sealed = e;
  sealed.clear_subject();
  sealed.clear_subject_key();
  sealed.clear_stream_id();
  sealed.clear_payload();
  sealed.mutable_sealed()->set_key_id(key_id);
  return sealed;
}

constexpr v1::Agency kAgencies[] = {v1::AGENCY_POLICE, v1::AGENCY_PROBATION, v1::AGENCY_CHILDRENS_SERVICES,
                                    v1::AGENCY_MAPPA};

}  // namespace

void DataProtectionFolder::Filed(const std::string& record, const v1::EventEnvelope& e) {
  if (vault_ == nullptr) return;
  txn_->Put(KeyRecordsPrefix(crypto::DataKeyIdFor(*vault_, e)) + record, "");
}

absl::StatusOr<std::vector<std::string>> DataProtectionFolder::RecordsOf(const std::string& key_id) const {
  std::vector<std::string> records;
  const std::string p = KeyRecordsPrefix(key_id);
  RETURN_IF_ERROR(txn_->Scan(p, "", [&](std::string_view key, std::string_view) {
    records.emplace_back(key.substr(p.size()));
    return true;
  }));
  return records;
}

absl::Status DataProtectionFolder::Erase(const v1::DataKeyRecord& key) {
  ++erasures_;
  ASSIGN_OR_RETURN(const std::vector<std::string> records, RecordsOf(key.key_id()));
  decided_records_.insert(records.begin(), records.end());  // it may have held a restriction
  for (const std::string& record : records) {
    ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> removed, UnfileAgencyEvents(txn_, record, key.agency()));
    ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> remaining, EventsOf(*txn_, {record}));
    // Only mappa-service's own events left (its panels' reviews of the record): nothing of
    // any agency's is, so those go too, and (once committed) its own key for the record.
    const bool only_mappa = std::all_of(remaining.begin(), remaining.end(),
                                        [](const v1::EventEnvelope& e) { return e.agency() == v1::AGENCY_MAPPA; });
    if (!remaining.empty() && only_mappa && key.agency() != v1::AGENCY_MAPPA) {
      ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> own, UnfileAgencyEvents(txn_, record, v1::AGENCY_MAPPA));
      removed.insert(removed.end(), own.begin(), own.end());
      remaining.clear();
      if (vault_ != nullptr) {
        txn_->Delete(KeyRecordsPrefix(crypto::DataKeyId(*vault_, v1::AGENCY_MAPPA, record)) + record);
      }
    }
    UnindexIdentifiers(txn_, record, removed, remaining);
    RETURN_IF_ERROR(identity_->Rederive(record));
    RETURN_IF_ERROR(persons_->Refold(record));
    for (const v1::EventEnvelope& e : removed) erased_events_.insert(e.event_id());
    if (remaining.empty() && erased_records_.insert(record).second && vault_ != nullptr &&
        key.agency() != v1::AGENCY_MAPPA) {
      v1::OwnKeyToDestroy* own = aftermath_.add_own_keys();
      own->set_key_id(crypto::DataKeyId(*vault_, v1::AGENCY_MAPPA, record));
      *own->mutable_destruction() = key.destroyed();
    }
    txn_->Delete(KeyRecordsPrefix(key.key_id()) + record);
  }
  txn_->Delete(RestrictedKey(key.key_id()));
  RETURN_IF_ERROR(SealParked(key.key_id(), key.agency()));
  logging::Info(absl::StrCat("mappa: erased what data key ", key.key_id(), " sealed (", records.size(),
                             " record(s)), decision ", key.destroyed().decision_id()));
  return absl::OkStatus();
}

absl::Status DataProtectionFolder::SealParked(const std::string& key_id, v1::Agency agency) {
  if (vault_ == nullptr) return absl::OkStatus();
  std::vector<std::pair<std::string, std::string>> resealed;
  absl::Status parsed;
  RETURN_IF_ERROR(txn_->Scan(prefix::kParked, "", [&](std::string_view key, std::string_view value) {
    v1::EventEnvelope e;
    if (!e.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parsed = absl::DataLossError("parked event is unreadable");
      return false;
    }
    if (e.agency() == agency && !crypto::IsSealed(e) && crypto::DataKeyIdFor(*vault_, e) == key_id) {
      resealed.emplace_back(std::string(key), Resealed(e, key_id).SerializeAsString());
    }
    return true;
  }));
  RETURN_IF_ERROR(parsed);
  for (const auto& [key, value] : resealed) txn_->Put(key, value);
  return absl::OkStatus();
}

absl::Status DataProtectionFolder::Decide(const v1::EventEnvelope& e) {
  const v1::DataProtectionDecision* decision = privacy::DecisionOf(e);
  if (decision == nullptr) return absl::OkStatus();
  if (!e.has_restriction_decided() && !e.has_restriction_lifted()) return absl::OkStatus();
  // The records it covers: the subject's own (the decision carries its key), and any
  // other its keys opened events of.
  if (!e.subject_key().empty()) decided_records_.insert(e.subject_key());
  for (const std::string& key_id : decision->key_ids()) {
    ASSIGN_OR_RETURN(const std::vector<std::string> records, RecordsOf(key_id));
    decided_records_.insert(records.begin(), records.end());
    if (e.has_restriction_lifted()) {
      txn_->Delete(RestrictedKey(key_id));
      continue;
    }
    v1::RecordRestriction r;
    r.set_agency(e.agency());
    r.set_key_id(key_id);
    r.set_notice(privacy::RestrictedUnder(privacy::BasisLabel(decision->basis()), FromProtoTimestamp(e.recorded_at())));
    r.set_decision_id(e.event_id());
    txn_->Put(RestrictedKey(key_id), r.SerializeAsString());
  }
  return absl::OkStatus();
}

absl::Status DataProtectionFolder::ShowWatchersWhatChanged(AlertFolder* alerts, const Reshaped& reshaped,
                                                          const StateReader& committed) {
  if (alerts == nullptr || vault_ == nullptr) return absl::OkStatus();
  std::set<std::string> persons;
  for (const Person& person : reshaped.persons) persons.insert(person.key);
  for (const std::string& record : decided_records_) {
    ASSIGN_OR_RETURN(const Person person, PersonOf(*txn_, record));  // as the batch leaves them
    persons.insert(person.key);
  }
  for (const std::string& person : persons) {
    // Without alerts standing (the usual case) there is nothing to take down or give back:
    // a change this batch made to their alerts is read as a withdrawal if they are hidden.
    ASSIGN_OR_RETURN(const bool any, alerts->AnyStanding(person));
    if (!any) continue;
    ASSIGN_OR_RETURN(const bool hidden_before, IsRestrictedPerson(committed, vault_, person));
    ASSIGN_OR_RETURN(const bool hidden_now, IsRestrictedPerson(*txn_, vault_, person));
    if (!hidden_before && hidden_now) RETURN_IF_ERROR(alerts->WithdrawPerson(person));
    if (hidden_before && !hidden_now) RETURN_IF_ERROR(alerts->Reinstate(person));
  }
  return absl::OkStatus();
}

absl::Status DataProtectionFolder::Flush(AlertFolder* alerts, const Reshaped& reshaped, const StateReader& committed) {
  RETURN_IF_ERROR(ShowWatchersWhatChanged(alerts, reshaped, committed));
  if (erasures_ == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(const std::vector<v1::Alert> forgotten, ForgetAlertChanges(txn_, erased_records_, erased_events_));
  if (alerts != nullptr) RETURN_IF_ERROR(alerts->WithdrawForgotten(forgotten, erased_records_));
  // Left to do once committed, with whatever an earlier batch left undone.
  ASSIGN_OR_RETURN(std::optional<v1::ErasureAftermath> pending, ErasureAftermathOf(*txn_));
  v1::ErasureAftermath all = pending.value_or(v1::ErasureAftermath());
  all.MergeFrom(aftermath_);
  txn_->Put(prefix::kErasing, all.SerializeAsString());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::RecordRestriction>> RestrictionsOf(const StateReader& state,
                                                                 const crypto::KeyVault* vault,
                                                                 const std::vector<std::string>& records) {
  std::vector<v1::RecordRestriction> out;
  if (vault == nullptr) return out;
  for (const std::string& record : records) {
    for (v1::Agency agency : kAgencies) {
      ASSIGN_OR_RETURN(std::optional<v1::RecordRestriction> r,
                       GetMessage<v1::RecordRestriction>(state, RestrictedKey(crypto::DataKeyId(*vault, agency, record)),
                                                         "restriction"));
      if (r.has_value()) out.push_back(*std::move(r));
    }
  }
  return out;
}

absl::StatusOr<bool> IsRestrictedPerson(const StateReader& state, const crypto::KeyVault* vault,
                                        const std::string& person_key) {
  if (vault == nullptr) return false;
  ASSIGN_OR_RETURN(const Person person, PersonOf(state, person_key));
  ASSIGN_OR_RETURN(const std::vector<v1::RecordRestriction> restricted, RestrictionsOf(state, vault, person.records));
  return !restricted.empty();
}

absl::StatusOr<std::optional<v1::ErasureAftermath>> ErasureAftermathOf(const StateReader& state) {
  return GetMessage<v1::ErasureAftermath>(state, prefix::kErasing, "an erasure's aftermath");
}

void EndErasureAftermath(Transaction* txn) { txn->Delete(prefix::kErasing); }

absl::StatusOr<std::vector<v1::DataProtectionNotice>> ErasuresOf(const StateReader& state,
                                                                const crypto::KeyVault* vault,
                                                                const std::vector<std::string>& records) {
  std::vector<v1::DataProtectionNotice> out;
  if (vault == nullptr) return out;
  for (const std::string& record : records) {
    for (v1::Agency agency : kAgencies) {
      ASSIGN_OR_RETURN(std::optional<v1::DataKeyRecord> key,
                       GetMessage<v1::DataKeyRecord>(state, prefix::kDataKey + crypto::DataKeyId(*vault, agency, record),
                                                     "data key"));
      if (!key.has_value() || !key->has_destroyed()) continue;
      v1::DataProtectionNotice* notice = &out.emplace_back();
      notice->set_agency(agency);
      notice->set_record_key(record);
      notice->set_notice(privacy::ErasedUnder(key->destroyed().basis(), FromProtoTimestamp(key->destroyed().at())));
    }
  }
  return out;
}

}  // namespace safeguard::mappa
