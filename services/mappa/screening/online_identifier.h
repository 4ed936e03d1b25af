// Normal forms of online identifiers, so that the variants a provider treats as one
// account match each other:
//   email     lower case; googlemail.com is gmail.com; dots in the local part removed
//             where the provider ignores them (Gmail); a "+tag" removed where the provider
//             delivers plus-addressed mail to the same mailbox (Gmail, Outlook/Hotmail/Live,
//             iCloud, Proton, Fastmail)
//   username  lower case, without a leading '@', scoped to its platform (lower case):
//             "alice" on one platform is not "alice" on another
//   phone     digits only, UK country code +44 written as a leading 0
// The key is "<kind>:<normal form>", e.g. "email:johnsmith@gmail.com",
// "username:snapchat:alice", "phone:07700900123".
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "safeguard/v1/police_events.pb.h"

namespace safeguard::mappa {

// kInvalidArgument naming `field` when the value cannot be an identifier of that kind.
absl::StatusOr<std::string> OnlineIdentifierKey(safeguard::v1::OnlineIdentifierKind kind,
                                                const std::string& value, const std::string& platform,
                                                const std::string& field);

}  // namespace safeguard::mappa
