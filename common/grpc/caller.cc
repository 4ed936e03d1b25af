#include "common/grpc/caller.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"

namespace safeguard {
namespace {

std::string Header(const grpc::ServerContextBase& ctx, const char* name) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(name);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

bool IsIdentifier(const std::string& s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (unsigned char c : s) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-' && c != '@') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<CallContext> CallerFromMetadata(const grpc::ServerContextBase& ctx,
                                               safeguard::v1::Agency agency) {
  CallContext call;
  const std::string user = Header(ctx, kUserHeader);
  if (user.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("no caller identity: set metadata '", kUserHeader, "'"));
  }
  if (!IsIdentifier(user, 64)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metadata '", kUserHeader, "': 1-64 characters of letters, digits and . _ - @"));
  }
  std::string role = Header(ctx, kRoleHeader);
  if (!role.empty() && !IsIdentifier(role, 64)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metadata '", kRoleHeader, "': 1-64 characters of letters, digits and . _ - @"));
  }
  call.correlation_id = Header(ctx, kCorrelationHeader);
  if (call.correlation_id.empty()) {
    call.correlation_id = NewUuid();
  } else if (!IsIdentifier(call.correlation_id, 128)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metadata '", kCorrelationHeader, "': 1-128 characters of letters, digits and . _ - @"));
  }
  call.actor.set_agency(agency);
  call.actor.set_user(user);
  call.actor.set_role(role);
  call.peer = ctx.peer();
  return call;
}

}  // namespace safeguard
