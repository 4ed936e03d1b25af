#include "common/agency/command_submitter.h"

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace safeguard::agency {
namespace {

using safeguard::v1::EventEnvelope;

constexpr uint32_t kSchemaVersion = 1;

}  // namespace

std::string CommandFingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return Sha256(absl::StrCat(request.GetDescriptor()->full_name(), "\n", bytes));
}

CommandSubmitter::CommandSubmitter(EventStore* store, safeguard::v1::Agency agency,
                                   std::string stream_prefix, Clock clock)
    : store_(store), agency_(agency), stream_prefix_(std::move(stream_prefix)), clock_(std::move(clock)) {}

std::string CommandSubmitter::StreamId(const std::string& subject_key) const {
  return absl::StrCat(stream_prefix_, "/", subject_key);
}

void CommandSubmitter::Submit(const google::protobuf::Message& request,
                              const safeguard::v1::CommandHeader& header,
                              absl::StatusOr<ValidatedCommand> valid, const CallContext& call,
                              StreamRule rule, Done done) {
  if (!valid.ok()) return done(valid.status());
  EventStore::AppendCommand command;
  command.stream_id = StreamId(valid->subject_key);
  command.command_id = header.command_id();
  command.fingerprint = CommandFingerprint(request);
  if (header.has_expected_version()) command.expected_version = header.expected_version();
  command.rule = std::move(rule);
  EventEnvelope& e = command.event;
  e = std::move(valid->event);
  e.set_event_type(valid->event_type);
  e.set_schema_version(kSchemaVersion);
  e.set_agency(agency_);
  *e.mutable_occurred_at() = ToProtoTimestamp(valid->occurred_at.value_or(StartOfDay(valid->occurred_on)));
  *e.mutable_actor() = call.actor;
  e.set_correlation_id(call.correlation_id);
  e.set_causation_id(header.causation_id());
  store_->AppendAsync(std::move(command), std::move(done));
}

}  // namespace safeguard::agency
