// Who may call what: the access policy every Safeguard server enforces on every call.
//
// The policy file (deploy/config/access-policy.conf, compiled in as the default) names
// the roles, the agency each belongs to, and the methods each may call; it may revoke
// certificates. Over whatever the file says, this code holds ceilings no file can lift
// (docs/security.md): each agency writes only its own events and reads only its own
// records, and decides on (erases, restricts) only its own; consolidated views, alerts, meetings and disclosure cases are for MAPPA and
// police roles only; platforms reach only ScreeningService, auditors only AuditService,
// operators only OperationsService. A policy that grants past a ceiling does not load.
// A role may act for people of other roles (`act-for`: the console), calling as them.
//
// Immutable once parsed; thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "safeguard/v1/common.pb.h"

namespace safeguard::security {

// The agency names certificates and the policy use, and the Agency each stands for:
// police, probation, childrens, mappa, platform, audit, operations.
absl::StatusOr<safeguard::v1::Agency> AgencyFromName(absl::string_view name);
std::string AgencyName(safeguard::v1::Agency agency);

// A caller as its credential names it.
struct Caller {
  std::string agency;              // e.g. "police"
  std::string role;                // e.g. "police-disclosure"
  std::string user;                // e.g. "dc-jones"
  std::string certificate_sha256;  // empty for a --dev_plaintext caller
};

class AccessPolicy {
 public:
  struct Role {
    std::string name;
    std::string agency;
    std::set<std::string> methods;  // "/safeguard.v1.PoliceService/RecordConviction"
    // The roles this role may act for, presenting the person's certificate (the MAPPA
    // console): docs/security.md, "Acting for a person". A role that acts for others may
    // call nothing as itself, no one acts for it, and it acts only for mappa and police roles.
    std::set<std::string> acts_for;
  };

  // Parses policy text. kInvalidArgument naming the line and what is wrong with it: an
  // unknown keyword, agency, role, service or method, a role defined twice, a grant past
  // a ceiling, a malformed fingerprint, a role acting for itself or for a role that acts
  // for others, or a role that acts for others being granted calls of its own.
  static absl::StatusOr<AccessPolicy> Parse(absl::string_view text);
  // Parses the file at `path`; the built-in policy when `path` is empty.
  static absl::StatusOr<AccessPolicy> Load(const std::string& path);
  // The text of deploy/config/access-policy.conf as built in.
  static absl::string_view BuiltInText();

  // OK when `caller` may call `method` (a gRPC path, "/package.Service/Method");
  // otherwise kPermissionDenied saying why: the certificate is revoked, the role is not
  // in the policy or is not the caller's agency's, or the role may not call the method.
  // Health and reflection are open to every role of the policy.
  absl::Status Authorize(const Caller& caller, absl::string_view method) const;

  // OK when `via` (a service such as the console) may act for `person`, whose certificate
  // it forwarded and the server verified, and `person` may call `method`. Otherwise
  // kPermissionDenied saying why: either certificate revoked, either role unknown or not
  // its agency's, `via`'s role may not act for `person`'s, or `person` may not call it.
  // Only to MappaService, IdentityService, MeetingService and DisclosureCaseService (and
  // health): through a service, a person reaches the consolidated services alone.
  absl::Status AuthorizeFor(const Caller& via, const Caller& person, absl::string_view method) const;
  // Whether `via` holds a role that may act for someone (a cheap check before any work on
  // a forwarded certificate).
  bool MayActForAnyone(const Caller& via) const;

  // The roles, in the order the policy defines them; nullptr for an unknown name.
  const std::vector<Role>& roles() const { return roles_; }
  const Role* FindRole(absl::string_view name) const;
  // The revoked certificates' SHA-256s, lower-case hex.
  const std::set<std::string>& revoked() const { return revoked_; }

  // Every method of every Safeguard service, as gRPC paths: what Authorize judges.
  static std::vector<std::string> AllMethods();

 private:
  // The caller's role when its certificate is not revoked and the role is its agency's.
  absl::StatusOr<const Role*> RoleOf(const Caller& caller) const;

  std::vector<Role> roles_;
  std::set<std::string> revoked_;  // lower-case hex SHA-256
};

}  // namespace safeguard::security
