#include "services/police/police_commands.h"

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/police/police_validation.h"

namespace safeguard::police {
namespace {

using safeguard::v1::CommandResult;
using safeguard::v1::EventEnvelope;

constexpr int kMaxRuleAttempts = 5;
constexpr uint32_t kSchemaVersion = 1;

// SHA-256 of the request's deterministic serialization: the same command always has the
// same fingerprint, a different one (almost surely) does not.
std::string Fingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return Sha256(absl::StrCat(request.GetDescriptor()->full_name(), "\n", bytes));
}

bool HasOrder(const std::vector<EventEnvelope>& events, const std::string& order_ref) {
  for (const auto& e : events) {
    if (e.has_order_recorded() && e.order_recorded().order_ref() == order_ref) return true;
  }
  return false;
}

bool HasIntelligence(const std::vector<EventEnvelope>& events, const std::string& ref) {
  for (const auto& e : events) {
    if (e.has_intelligence_recorded() && e.intelligence_recorded().intelligence_ref() == ref) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string PoliceStreamId(const std::string& subject_key) {
  return absl::StrCat("police/", subject_key);
}

PoliceCommands::PoliceCommands(EventStore* store, Clock clock)
    : store_(store), clock_(std::move(clock)) {}

template <typename Request>
void PoliceCommands::Submit(const Request& request, const CallContext& call, StateRule rule,
                            Done done) {
  absl::StatusOr<ValidatedCommand> valid = Validate(request, DayOf(clock_()));
  if (!valid.ok()) return done(valid.status());

  auto command = std::make_shared<EventStore::AppendCommand>();
  command->stream_id = PoliceStreamId(valid->subject_key);
  command->command_id = request.header().command_id();
  command->fingerprint = Fingerprint(request);
  if (request.header().has_expected_version()) {
    command->expected_version = request.header().expected_version();
  }
  EventEnvelope& e = command->event;
  e = std::move(valid->event);
  e.set_event_type(valid->event_type);
  e.set_schema_version(kSchemaVersion);
  e.set_agency(safeguard::v1::AGENCY_POLICE);
  *e.mutable_occurred_at() = ToProtoTimestamp(StartOfDay(valid->occurred_on));
  *e.mutable_actor() = call.actor;
  e.set_correlation_id(call.correlation_id);
  e.set_causation_id(request.header().causation_id());

  if (!rule) {
    store_->AppendAsync(std::move(*command), std::move(done));
    return;
  }
  AppendWithRule(std::move(command), std::move(rule), request.header().has_expected_version(),
                 kMaxRuleAttempts, std::move(done));
}

void PoliceCommands::AppendWithRule(std::shared_ptr<EventStore::AppendCommand> command,
                                    StateRule rule, bool caller_expected_version,
                                    int attempts_left, Done done) {
  // A repeated command returns its original result even though the rule (e.g. "order
  // reference not yet recorded") would now refuse it; the store decides replays, so the
  // rule is only consulted for a command id the store has not seen.
  absl::StatusOr<std::optional<CommandResult>> replay =
      store_->LookupCommand(command->command_id, command->fingerprint);
  if (!replay.ok()) return done(replay.status());
  if (replay->has_value()) return done(**replay);

  absl::StatusOr<uint64_t> version = store_->StreamVersion(command->stream_id);
  if (!version.ok()) return done(version.status());
  absl::StatusOr<std::vector<EventEnvelope>> events =
      store_->ReadStream(command->stream_id, 1, *version);
  if (!events.ok()) return done(events.status());
  if (absl::Status st = rule(*events); !st.ok()) return done(st);
  if (!caller_expected_version) command->expected_version = *version;

  // The store's writer thread runs this callback; a retry re-reads and re-queues, which
  // only enqueues work and so never blocks the writer on itself.
  EventStore::AppendCommand copy = *command;
  store_->AppendAsync(std::move(copy), [this, command, rule, caller_expected_version,
                                        attempts_left, done](absl::StatusOr<CommandResult> r) {
    if (!r.ok() && absl::IsAborted(r.status()) && !caller_expected_version && attempts_left > 1) {
      return AppendWithRule(command, rule, false, attempts_left - 1, done);
    }
    done(std::move(r));
  });
}

void PoliceCommands::Handle(const safeguard::v1::RecordConvictionRequest& request,
                            const CallContext& call, Done done) {
  Submit(request, call, nullptr, std::move(done));
}

void PoliceCommands::Handle(const safeguard::v1::RecordRegisterNotificationRequest& request,
                            const CallContext& call, Done done) {
  Submit(request, call, nullptr, std::move(done));
}

void PoliceCommands::Handle(const safeguard::v1::RecordOrderRequest& request,
                            const CallContext& call, Done done) {
  const std::string ref = request.order().order_ref();
  Submit(request, call,
         [ref](const std::vector<EventEnvelope>& events) {
           if (HasOrder(events, ref)) {
             return absl::AlreadyExistsError(
                 absl::StrCat("order.order_ref: order '", ref, "' is already recorded for this subject"));
           }
           return absl::OkStatus();
         },
         std::move(done));
}

void PoliceCommands::Handle(const safeguard::v1::RecordOrderBreachRequest& request,
                            const CallContext& call, Done done) {
  const std::string ref = request.breach().order_ref();
  Submit(request, call,
         [ref](const std::vector<EventEnvelope>& events) {
           if (!HasOrder(events, ref)) {
             return absl::FailedPreconditionError(absl::StrCat(
                 "breach.order_ref: no order '", ref,
                 "' is recorded for this subject; record the order first"));
           }
           return absl::OkStatus();
         },
         std::move(done));
}

void PoliceCommands::Handle(const safeguard::v1::RecordIntelligenceRequest& request,
                            const CallContext& call, Done done) {
  const std::string ref = request.intelligence().intelligence_ref();
  Submit(request, call,
         [ref](const std::vector<EventEnvelope>& events) {
           if (HasIntelligence(events, ref)) {
             return absl::AlreadyExistsError(absl::StrCat(
                 "intelligence.intelligence_ref: '", ref, "' is already recorded for this subject"));
           }
           return absl::OkStatus();
         },
         std::move(done));
}

}  // namespace safeguard::police
