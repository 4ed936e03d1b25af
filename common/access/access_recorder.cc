#include "common/access/access_recorder.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "common/access/access_record.h"

namespace safeguard {

namespace v = safeguard::validation;

AccessRecorder::AccessRecorder(EventBus* bus, std::string audit_topic, Clock clock)
    : bus_(bus), audit_topic_(std::move(audit_topic)), clock_(std::move(clock)) {}

absl::Status AccessRecorder::Record(const CallContext& call, const safeguard::v1::Purpose& purpose,
                                    const std::string& view, const std::vector<std::string>& subjects) {
  return RecordDisclosure(call, purpose, view, subjects, Disclosure{});
}

absl::Status AccessRecorder::RecordDisclosure(const CallContext& call, const safeguard::v1::Purpose& purpose,
                                              const std::string& view, const std::vector<std::string>& subjects,
                                              const Disclosure& disclosure) {
  if (subjects.empty()) return absl::OkStatus();
  std::vector<BusMessage> records;
  const absl::Time at = clock_();
  for (const std::string& subject : subjects) {
    safeguard::v1::AccessRecord record = NewAccessRecord(call, at, subject, view, purpose);
    for (const std::string& r : disclosure.recipients) record.add_recipients(r);
    record.set_disclosed(disclosure.disclosed);
    record.set_event_id(disclosure.event_id);
    records.push_back(BusMessage{audit_topic_, subject, record.SerializeAsString()});
  }
  absl::Status recorded = bus_->Publish(records);
  if (!recorded.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "the access could not be recorded, so nothing is returned: ", recorded.message()));
  }
  return absl::OkStatus();
}

absl::Status CheckPurpose(const safeguard::v1::Purpose& purpose) {
  RETURN_IF_ERROR(v::RequireEnum("purpose.code", purpose.code(), safeguard::v1::PurposeCode_descriptor()));
  return v::RequireText("purpose.detail", purpose.detail(), 500);
}

}  // namespace safeguard
