#include "common/agency/data_protection.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/agency/command_submitter.h"
#include "common/crypto/sealing.h"
#include "common/logging.h"
#include "common/privacy/decisions.h"
#include "common/security/access_policy.h"
#include "common/status_macros.h"

namespace safeguard::agency {
namespace {

namespace v1 = safeguard::v1;

constexpr uint32_t kSchemaVersion = 1;
constexpr size_t kReadPage = 1000;

std::string Under(const std::vector<std::string>& keys) { return absl::StrJoin(keys, " or "); }

}  // namespace

DataProtection::DataProtection(Options options)
    : options_(std::move(options)), stream_id_(privacy::DecisionStreamId(options_.stream_prefix)) {}

absl::StatusOr<std::unique_ptr<DataProtection>> DataProtection::Open(Options options) {
  if (options.store == nullptr || options.vault == nullptr) {
    return absl::InvalidArgumentError("data protection needs the agency's store and the key vault");
  }
  std::unique_ptr<DataProtection> dp(new DataProtection(std::move(options)));
  for (uint64_t from = 1;;) {
    ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> page, dp->options_.store->ReadStream(dp->stream_id_, from, kReadPage));
    for (const v1::EventEnvelope& e : page) RETURN_IF_ERROR(dp->Apply(e));
    if (page.size() < kReadPage) break;
    from += page.size();
  }
  dp->worker_ = std::thread([d = dp.get()] { d->Work(); });
  return dp;
}

DataProtection::~DataProtection() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void DataProtection::Work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to carry out
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

void DataProtection::Decide(Kind kind, const v1::DataProtectionRequest& request, const CallContext& call,
                            Reply<v1::CommandResult> reply) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back([this, kind, request, call, reply = std::move(reply)] { reply(Carry(kind, request, call)); });
  }
  wake_.notify_one();
}

absl::StatusOr<v1::CommandResult> DataProtection::Carry(Kind kind, const v1::DataProtectionRequest& r,
                                                        const CallContext& call) {
  const absl::Time now = options_.clock();
  ASSIGN_OR_RETURN(ValidatedCommand valid,
                   data_protection::Validate(r, kind, options_.keying, DayOf(now), call.actor.user()));
  ASSIGN_OR_RETURN(const std::vector<std::string> keys, SubjectKeysOf(valid.subject, options_.keying, DayOf(now)));
  const std::string agency = security::AgencyName(options_.agency);
  if (call.actor.agency() != options_.agency) {
    return absl::PermissionDeniedError(absl::StrCat("only ", agency, "'s data protection officers decide on ", agency,
                                                    "'s records; the caller is of ",
                                                    security::AgencyName(call.actor.agency())));
  }
  const std::string fingerprint = absl::StrCat(DecisionEventName(kind), ":", CommandFingerprint(r));
  ASSIGN_OR_RETURN(std::optional<v1::CommandResult> seen, options_.store->LookupCommand(r.command_id(), fingerprint));
  if (seen.has_value()) return *std::move(seen);

  // Which of the subject's data keys the agency holds, and what holds for each.
  std::vector<std::string> held, restricted;
  std::optional<v1::KeyDestruction> erased;
  for (const std::string& key : keys) {
    const std::string id = crypto::DataKeyId(*options_.vault, options_.agency, key);
    ASSIGN_OR_RETURN(std::optional<v1::DataKeyRecord> record, options_.store->DataKey(id));
    if (!record.has_value()) continue;
    if (record->has_destroyed()) {
      erased = record->destroyed();
      continue;
    }
    held.push_back(id);
    std::lock_guard<std::mutex> lock(mu_);
    if (restricted_.contains(id)) restricted.push_back(id);
  }
  if (held.empty() && !erased.has_value()) {
    return absl::NotFoundError(absl::StrCat(agency, " holds no record under ", Under(keys)));
  }
  if (held.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        agency, "'s record under ", Under(keys), " was ",
        privacy::ErasedUnder(erased->basis(), FromProtoTimestamp(erased->at())), " (decision ", erased->decision_id(), ")"));
  }
  std::vector<std::string> covered = held;
  if (kind == Kind::kRestriction && !restricted.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    const Restriction& in_force = restricted_.at(restricted.front());
    return absl::FailedPreconditionError(absl::StrCat(agency, "'s record under ", Under(keys), " is ",
                                                      privacy::RestrictedUnder(in_force.basis, in_force.since),
                                                      " (decision ", in_force.decision_id, "); lift it first"));
  }
  if (kind == Kind::kLift) {
    if (restricted.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(agency, "'s record under ", Under(keys), " is not restricted"));
    }
    covered = restricted;
  }

  EventStore::AppendCommand command;
  command.stream_id = stream_id_;
  command.command_id = r.command_id();
  command.fingerprint = fingerprint;
  v1::EventEnvelope& e = command.event;
  e.set_event_type(absl::StrCat(agency, ".", DecisionEventName(kind)));
  e.set_schema_version(kSchemaVersion);
  e.set_agency(options_.agency);
  *e.mutable_occurred_at() = ToProtoTimestamp(now);
  *e.mutable_actor() = call.actor;
  e.set_correlation_id(call.correlation_id);
  // The decision as validated, naming the subject by the ids of their data keys alone.
  valid.event.clear_subject();
  valid.event.clear_subject_key();
  e.MergeFrom(valid.event);
  v1::DataProtectionDecision* decision = privacy::MutableDecisionOf(&e);
  for (const std::string& id : covered) decision->add_key_ids(id);
  v1::EventEnvelope applied = e;
  ASSIGN_OR_RETURN(v1::CommandResult result, options_.store->Append(std::move(command)));
  if (result.idempotent_replay()) return result;
  applied.set_event_id(result.event_id());
  *applied.mutable_recorded_at() = result.recorded_at();
  // Durable: should carrying it out fail (the disk), the next start carries it out.
  RETURN_IF_ERROR(Apply(applied));
  logging::Info(absl::StrCat(agency, ": ", applied.event_type(), " by ", call.actor.user(), " (approved by ",
                             r.approved_by(), "), decision ", result.event_id(), ", ", covered.size(), " data key(s)"));
  return result;
}

absl::Status DataProtection::Apply(const v1::EventEnvelope& e) {
  const v1::DataProtectionDecision* decision = privacy::DecisionOf(e);
  if (decision == nullptr) return absl::OkStatus();
  const absl::Time at = FromProtoTimestamp(e.recorded_at());
  const std::string basis = privacy::BasisLabel(decision->basis());
  if (e.has_erasure_decided()) {
    v1::KeyDestruction destruction;
    *destruction.mutable_at() = e.recorded_at();
    destruction.set_decision_id(e.event_id());
    destruction.set_basis(basis);
    for (const std::string& id : decision->key_ids()) {
      absl::Status destroyed = options_.store->DestroyKey(id, destruction);
      // A key the store no longer has (a store restored from before it was made, whose
      // keys topic carried its destruction) is gone already.
      if (!destroyed.ok() && !absl::IsNotFound(destroyed)) return destroyed;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& id : decision->key_ids()) {
    if (e.has_restriction_decided()) {
      restricted_[id] = Restriction{.basis = basis, .since = at, .decision_id = e.event_id()};
    } else {
      restricted_.erase(id);  // lifted, or erased
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<DataProtection::SubjectState> DataProtection::StateOf(const std::vector<std::string>& subject_keys) const {
  SubjectState state;
  for (const std::string& key : subject_keys) {
    const std::string id = crypto::DataKeyId(*options_.vault, options_.agency, key);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = restricted_.find(id); it != restricted_.end() && !state.restriction.has_value()) {
        state.restriction = it->second;
      }
    }
    ASSIGN_OR_RETURN(std::optional<v1::DataKeyRecord> record, options_.store->DataKey(id));
    if (record.has_value() && record->has_destroyed() && !state.erased.has_value()) state.erased = record->destroyed();
  }
  return state;
}

}  // namespace safeguard::agency
