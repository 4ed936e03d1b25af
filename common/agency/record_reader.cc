#include "common/agency/record_reader.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::agency {
namespace {

namespace v = safeguard::validation;

constexpr uint32_t kDefaultPage = 100;
constexpr uint32_t kMaxPage = 1000;
// More events than one person's record in one agency could hold in practice; a record
// beyond it is read up to it.
constexpr size_t kMaxEventsPerStream = 100000;

// The keys `keying` files a person under that `s` names: the PNC id, and the agency's own
// reference.
absl::StatusOr<std::vector<std::string>> KeysOf(const safeguard::v1::SubjectRef& s, SubjectKeying keying,
                                                absl::CivilDay today) {
  ASSIGN_OR_RETURN(safeguard::v1::SubjectRef n,
                   NormaliseSubject("subject", s, today, keying == SubjectKeying::kProbation));
  std::vector<std::string> keys;
  if (!n.pnc_id().empty()) keys.push_back(absl::StrCat("pnc:", n.pnc_id()));
  switch (keying) {
    case SubjectKeying::kPolice:
      if (!n.visor_ref().empty()) keys.push_back(absl::StrCat("visor:", n.visor_ref()));
      if (keys.empty()) return v::FieldError("subject.pnc_id", "is required (or subject.visor_ref)");
      break;
    case SubjectKeying::kProbation:
      if (!n.probation_case_ref().empty()) keys.push_back(absl::StrCat("probation:", n.probation_case_ref()));
      if (keys.empty()) return v::FieldError("subject.probation_case_ref", "is required (or subject.pnc_id)");
      break;
    case SubjectKeying::kChildrens:
      if (!n.childrens_case_id().empty()) keys.push_back(absl::StrCat("childrens:", n.childrens_case_id()));
      if (keys.empty()) return v::FieldError("subject.childrens_case_id", "is required (or subject.pnc_id)");
      break;
  }
  return keys;
}

}  // namespace

RecordReader::RecordReader(EventStore* store, std::string stream_prefix, SubjectKeying keying, std::string view,
                           AccessRecorder* recorder, Clock clock)
    : store_(store),
      stream_prefix_(std::move(stream_prefix)),
      keying_(keying),
      view_(std::move(view)),
      recorder_(recorder),
      clock_(std::move(clock)) {}

absl::StatusOr<safeguard::v1::AgencyRecord> RecordReader::Read(const safeguard::v1::GetAgencyRecordRequest& request,
                                                               const CallContext& call) {
  ASSIGN_OR_RETURN(std::vector<std::string> keys, KeysOf(request.subject(), keying_, DayOf(clock_())));
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  if (request.page_size() > kMaxPage) {
    return v::FieldError("page_size", absl::StrCat("must be at most ", kMaxPage));
  }
  const uint32_t page_size = request.page_size() == 0 ? kDefaultPage : request.page_size();
  uint64_t after = 0;  // the log sequence the previous page ended at
  if (!request.page_token().empty() && !absl::SimpleAtoi(request.page_token(), &after)) {
    return v::FieldError("page_token", "is not a token this service gave");
  }

  std::vector<safeguard::v1::EventEnvelope> events;
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(std::vector<safeguard::v1::EventEnvelope> stream,
                     store_->ReadStream(absl::StrCat(stream_prefix_, "/", key), 1, kMaxEventsPerStream));
    for (auto& e : stream) events.push_back(std::move(e));
  }
  // The consultation is recorded whatever was found, before anything is returned.
  RETURN_IF_ERROR(recorder_->Record(call, request.purpose(), view_, keys));
  if (events.empty()) {
    return absl::NotFoundError(absl::StrCat("this agency holds no record under ", absl::StrJoin(keys, " or ")));
  }
  std::sort(events.begin(), events.end(),
            [](const auto& a, const auto& b) { return a.log_sequence() < b.log_sequence(); });
  safeguard::v1::AgencyRecord record;
  for (const std::string& key : keys) record.add_subject_keys(key);
  auto it = std::upper_bound(events.begin(), events.end(), after,
                             [](uint64_t seq, const auto& e) { return seq < e.log_sequence(); });
  for (; it != events.end() && static_cast<uint32_t>(record.events_size()) < page_size; ++it) {
    *record.add_events() = *it;
  }
  if (it != events.end()) {
    record.set_next_page_token(absl::StrCat(record.events(record.events_size() - 1).log_sequence()));
  }
  return record;
}

}  // namespace safeguard::agency
