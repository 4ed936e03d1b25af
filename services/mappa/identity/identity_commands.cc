#include "services/mappa/identity/identity_commands.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/enum_name.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/identity/identity.h"
#include "services/mappa/identity/identity_index.h"
#include "services/mappa/mappa_stream_state.h"
#include "services/mappa/reads/subject_lookup.h"

namespace safeguard::mappa {
namespace {

namespace v = safeguard::validation;
using safeguard::v1::EventEnvelope;
using safeguard::v1::IdentityLink;
using safeguard::v1::IdentityLinkStatus;

constexpr size_t kMaxReasonLength = 2000;

absl::Status CheckLinkId(const std::string& link_id) {
  if (link_id.empty()) return v::FieldError("link_id", "is required (\"link-\" and 20 hex digits)");
  if (!absl::StartsWith(link_id, "link-") || link_id.size() != 25) {
    return v::FieldError("link_id", "is not a link id (\"link-\" and 20 hex digits)");
  }
  return absl::OkStatus();
}

}  // namespace

IdentityCommands::IdentityCommands(EventStore* store, const MappaState* views, Clock clock)
    : submitter_(store, safeguard::v1::AGENCY_MAPPA, "mappa", std::move(clock)), views_(views) {}

void IdentityCommands::Decide(const safeguard::v1::DecideIdentityLinkRequest& request, IdentityLinkStatus decision,
                              const CallContext& call, Done done) {
  v::Violations problems;
  problems.Check(v::CommandId("command_id", request.command_id()));
  problems.Check(CheckLinkId(request.link_id()));
  problems.Check(v::RequireText("reason", request.reason(), kMaxReasonLength));
  if (!problems.ok()) return done(problems.status());
  absl::StatusOr<std::optional<IdentityLink>> link = GetLink(views_->Read(), request.link_id());
  if (!link.ok()) return done(link.status());
  if (!link->has_value()) {
    return done(absl::NotFoundError(absl::StrCat("link_id: no identity link ", request.link_id(), " is known")));
  }
  Submit(request.command_id(), **link, decision, request.reason(), call, std::move(done));
}

void IdentityCommands::Handle(const safeguard::v1::LinkRecordsRequest& request, const CallContext& call, Done done) {
  const Snapshot views = views_->Read();
  auto resolve = [&](const safeguard::v1::SubjectRef& ref, const char* field) -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(std::string reference, LookupReference(ref, field));
    ASSIGN_OR_RETURN(std::optional<std::string> record, ResolveReference(views, reference));
    if (!record.has_value()) return absl::NotFoundError(absl::StrCat(field, ": no record is known as ", reference));
    return *record;
  };
  v::Violations problems;
  problems.Check(v::CommandId("command_id", request.command_id()));
  problems.Check(v::RequireText("reason", request.reason(), kMaxReasonLength));
  problems.Check(LookupReference(request.record_a(), "record_a").status());
  problems.Check(LookupReference(request.record_b(), "record_b").status());
  if (!problems.ok()) return done(problems.status());
  absl::StatusOr<std::string> a = resolve(request.record_a(), "record_a");
  if (!a.ok()) return done(a.status());
  absl::StatusOr<std::string> b = resolve(request.record_b(), "record_b");
  if (!b.ok()) return done(b.status());
  if (*a == *b) {
    return done(absl::FailedPreconditionError(absl::StrCat("record_b: is the same record as record_a (", *a, ")")));
  }
  absl::StatusOr<std::optional<IdentityLink>> link = GetLink(views, LinkIdFor(*a, *b));
  if (!link.ok()) return done(link.status());
  if (!link->has_value()) {
    IdentityLink proposed;
    proposed.set_link_id(LinkIdFor(*a, *b));
    proposed.set_record_a(std::min(*a, *b));
    proposed.set_record_b(std::max(*a, *b));
    *link = std::move(proposed);
  }
  Submit(request.command_id(), **link, safeguard::v1::LINKED, request.reason(), call, std::move(done));
}

void IdentityCommands::Submit(const std::string& command_id, const IdentityLink& link, IdentityLinkStatus decision,
                              const std::string& reason, const CallContext& call, Done done) {
  agency::ValidatedCommand command;
  command.subject_key = link.link_id();
  command.occurred_on = submitter_.Today();
  command.event.set_subject_key(link.link_id());
  // The payload is also what the command id is fingerprinted on: the same id reused for a
  // different decision or reason is refused (kAlreadyExists), never mistaken for a replay.
  const google::protobuf::Message* payload = nullptr;
  auto fill = [&](auto* x) {
    x->set_link_id(link.link_id());
    x->set_record_a(link.record_a());
    x->set_record_b(link.record_b());
    x->set_reason(reason);
    payload = x;
  };
  switch (decision) {
    case safeguard::v1::LINKED:
      command.event_type = "mappa.IdentityLinkConfirmed";
      fill(command.event.mutable_identity_link_confirmed());
      break;
    case safeguard::v1::REJECTED:
      command.event_type = "mappa.IdentityLinkRejected";
      fill(command.event.mutable_identity_link_rejected());
      break;
    default:
      command.event_type = "mappa.IdentityUnlinked";
      fill(command.event.mutable_identity_unlinked());
      break;
  }
  safeguard::v1::CommandHeader header;
  header.set_command_id(command_id);

  // The state the link is in: the last decision in its stream (exact), else its evidence.
  auto rule = [link, decision](const StreamState& state) -> absl::Status {
    IdentityLink now = link;
    ASSIGN_OR_RETURN(const IdentityLinkStatus last, LastDecisionOf(state));
    now.set_decision(last);
    const IdentityLinkStatus status = EffectiveStatus(now);
    const std::string is = absl::StrCat("link_id: ", link.link_id(), " is ",
                                        status == safeguard::v1::IDENTITY_LINK_STATUS_UNSPECIFIED
                                            ? "not proposed"
                                            : EnumName(status));
    switch (decision) {
      case safeguard::v1::LINKED:
        if (status == safeguard::v1::LINKED) return absl::FailedPreconditionError(absl::StrCat(is, " already"));
        return absl::OkStatus();
      case safeguard::v1::REJECTED:
        if (status != safeguard::v1::CANDIDATE) {
          return absl::FailedPreconditionError(absl::StrCat(is, "; only a CANDIDATE link can be rejected"));
        }
        return absl::OkStatus();
      default:
        if (status != safeguard::v1::LINKED) {
          return absl::FailedPreconditionError(absl::StrCat(is, "; only a LINKED link can be unlinked"));
        }
        return absl::OkStatus();
    }
  };
  // Copied: `command` (holding the payload) is moved into the call.
  std::unique_ptr<google::protobuf::Message> fingerprinted(payload->New());
  fingerprinted->CopyFrom(*payload);
  submitter_.Submit(*fingerprinted, header, std::move(command), call, rule, std::move(done));
}

}  // namespace safeguard::mappa
