#include "services/mappa/screening/identifier_index.h"

#include <set>

#include "common/keys.h"
#include "common/status_macros.h"
#include "services/mappa/screening/online_identifier.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {

namespace {

// The index keys (before the record) of the identifiers `e` notifies, if it is a
// notification or a correction amending one (which may list other identifiers).
std::vector<std::string> IdentifierKeys(const safeguard::v1::EventEnvelope& e) {
  const safeguard::v1::RegisterNotificationRecorded* notification = nullptr;
  if (e.has_register_notification_recorded()) notification = &e.register_notification_recorded();
  if (e.fact_corrected().has_register_notification_recorded()) {
    notification = &e.fact_corrected().register_notification_recorded();
  }
  std::vector<std::string> keys;
  if (notification == nullptr) return keys;
  for (const auto& id : notification->online_identifiers()) {
    absl::StatusOr<std::string> key = OnlineIdentifierKey(id.kind(), id.value(), id.platform(), "");
    if (key.ok()) keys.push_back(NamedPrefix(prefix::kOnlineIdentifier, *key));
  }
  return keys;
}

}  // namespace

void IndexIdentifiers(Transaction* txn, const std::string& record, const safeguard::v1::EventEnvelope& e) {
  for (const std::string& key : IdentifierKeys(e)) txn->PutUnread(key + record, "");
}

void UnindexIdentifiers(Transaction* txn, const std::string& record,
                        const std::vector<safeguard::v1::EventEnvelope>& removed,
                        const std::vector<safeguard::v1::EventEnvelope>& remaining) {
  std::set<std::string> kept;
  for (const auto& e : remaining) {
    for (std::string& key : IdentifierKeys(e)) kept.insert(std::move(key));
  }
  for (const auto& e : removed) {
    for (const std::string& key : IdentifierKeys(e)) {
      if (!kept.contains(key)) txn->Delete(key + record);
    }
  }
}

absl::StatusOr<std::vector<std::string>> RecordsWithIdentifier(const StateReader& state, const std::string& key) {
  std::vector<std::string> out;
  const std::string p = NamedPrefix(prefix::kOnlineIdentifier, key);
  RETURN_IF_ERROR(state.Scan(p, "", [&](std::string_view k, std::string_view) {
    out.emplace_back(k.substr(p.size()));
    return true;
  }));
  return out;
}

}  // namespace safeguard::mappa
