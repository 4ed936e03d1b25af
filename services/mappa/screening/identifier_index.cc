#include "services/mappa/screening/identifier_index.h"

#include "common/keys.h"
#include "common/status_macros.h"
#include "services/mappa/screening/online_identifier.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {

void IndexIdentifiers(Transaction* txn, const std::string& record, const safeguard::v1::EventEnvelope& e) {
  // A notification, or a correction amending one (which may list other identifiers).
  const safeguard::v1::RegisterNotificationRecorded* notification = nullptr;
  if (e.has_register_notification_recorded()) notification = &e.register_notification_recorded();
  if (e.fact_corrected().has_register_notification_recorded()) {
    notification = &e.fact_corrected().register_notification_recorded();
  }
  if (notification == nullptr) return;
  for (const auto& id : notification->online_identifiers()) {
    absl::StatusOr<std::string> key = OnlineIdentifierKey(id.kind(), id.value(), id.platform(), "");
    if (key.ok()) txn->PutUnread(NamedPrefix(prefix::kOnlineIdentifier, *key) + record, "");
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
