#include "common/grpc/caller.h"

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/validation.h"
#include "common/security/transport_security.h"

namespace safeguard {

absl::StatusOr<CallContext> CallerOf(const grpc::ServerContextBase& ctx) {
  const std::shared_ptr<const grpc::AuthContext> auth = ctx.auth_context();
  absl::StatusOr<security::Caller> caller = security::IdentifyCaller(auth.get(), ctx.client_metadata());
  if (!caller.ok()) return caller.status();
  absl::StatusOr<safeguard::v1::Agency> agency = security::AgencyFromName(caller->agency);
  if (!agency.ok()) return absl::UnauthenticatedError(agency.status().message());
  CallContext call;
  const auto& md = ctx.client_metadata();
  // A call forwarded for a person (the console) is the person's, through its caller.
  absl::StatusOr<std::optional<security::Caller>> person = security::ForwardedPerson(md);
  if (!person.ok()) return person.status();
  if (person->has_value()) {
    absl::StatusOr<safeguard::v1::Agency> person_agency = security::AgencyFromName((*person)->agency);
    if (!person_agency.ok()) return absl::UnauthenticatedError(person_agency.status().message());
    call.actor.set_agency(*person_agency);
    call.actor.set_user((*person)->user);
    call.actor.set_role((*person)->role);
    call.actor.set_certificate_sha256((*person)->certificate_sha256);
    call.actor.mutable_via()->set_agency(*agency);
    call.actor.mutable_via()->set_user(caller->user);
    call.actor.mutable_via()->set_role(caller->role);
    call.actor.mutable_via()->set_certificate_sha256(caller->certificate_sha256);
  } else {
    call.actor.set_agency(*agency);
    call.actor.set_user(caller->user);
    call.actor.set_role(caller->role);
    call.actor.set_certificate_sha256(caller->certificate_sha256);
  }
  if (auto it = md.find(kCorrelationHeader); it != md.end()) call.correlation_id.assign(it->second.data(), it->second.size());
  if (!call.correlation_id.empty()) {
    if (!validation::IsIdentifier(call.correlation_id, 128)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "metadata '", kCorrelationHeader, "': 1-128 characters of letters, digits and . _ - @"));
    }
  } else {
    call.correlation_id = NewUuid();
  }
  call.peer = ctx.peer();
  return call;
}

}  // namespace safeguard
