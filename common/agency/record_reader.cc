#include "common/agency/record_reader.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::agency {
namespace {

namespace v = safeguard::validation;
using safeguard::v1::EventEnvelope;

constexpr uint32_t kDefaultPage = 100;
constexpr uint32_t kMaxPage = 1000;
constexpr char kTokenPrefix[] = "v:";

// The keys `keying` files a person under that `s` names: the PNC id, and the agency's own
// reference.
absl::StatusOr<std::vector<std::string>> KeysOf(const safeguard::v1::SubjectRef& s, SubjectKeying keying,
                                                absl::CivilDay today) {
  ASSIGN_OR_RETURN(safeguard::v1::SubjectRef n,
                   NormaliseSubject("subject", s, today));
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

// A page token: for each stream, in the order of the subject's keys, the version to read
// from ("v:12,3").
absl::StatusOr<std::vector<uint64_t>> ParseToken(const std::string& token, size_t streams) {
  std::vector<uint64_t> next(streams, 1);
  if (token.empty()) return next;
  std::vector<absl::string_view> parts;
  if (absl::StartsWith(token, kTokenPrefix)) parts = absl::StrSplit(token.substr(2), ',');
  if (parts.size() != streams) return v::FieldError("page_token", "is not a token this service gave for this subject");
  for (size_t i = 0; i < streams; ++i) {
    if (!absl::SimpleAtoi(parts[i], &next[i]) || next[i] == 0) {
      return v::FieldError("page_token", "is not a token this service gave for this subject");
    }
  }
  return next;
}

}  // namespace

RecordReader::RecordReader(EventStore* store, std::string stream_prefix, SubjectKeying keying, std::string view,
                           AccessLog* access, Clock clock)
    : store_(store),
      stream_prefix_(std::move(stream_prefix)),
      keying_(keying),
      view_(std::move(view)),
      access_(access),
      clock_(std::move(clock)) {}

absl::StatusOr<RecordedAnswer<safeguard::v1::AgencyRecord>> RecordReader::Read(
    const safeguard::v1::GetAgencyRecordRequest& request) {
  v::Violations problems;
  std::optional<std::vector<std::string>> found = problems.Take(KeysOf(request.subject(), keying_, DayOf(clock_())));
  CheckPurpose(request.purpose(), &problems);
  if (request.page_size() > kMaxPage) problems.Add("page_size", absl::StrCat("must be at most ", kMaxPage));
  RETURN_IF_ERROR(problems.status());
  const std::vector<std::string>& keys = *found;
  const uint32_t page_size = request.page_size() == 0 ? kDefaultPage : request.page_size();
  ASSIGN_OR_RETURN(std::vector<uint64_t> next, ParseToken(request.page_token(), keys.size()));

  // Each stream's next page_size + 1 events, merged by log sequence: no more is read than
  // the page needs, however long the record.
  std::vector<std::vector<EventEnvelope>> streams(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSIGN_OR_RETURN(streams[i], store_->ReadStream(absl::StrCat(stream_prefix_, "/", keys[i]), next[i], page_size + 1));
  }
  safeguard::v1::AgencyRecord record;
  for (const std::string& key : keys) record.add_subject_keys(key);
  std::vector<size_t> taken(keys.size(), 0);
  while (static_cast<uint32_t>(record.events_size()) < page_size) {
    std::optional<size_t> first;
    for (size_t i = 0; i < streams.size(); ++i) {
      if (taken[i] == streams[i].size()) continue;
      if (!first || streams[i][taken[i]].log_sequence() < streams[*first][taken[*first]].log_sequence()) first = i;
    }
    if (!first) break;
    *record.add_events() = std::move(streams[*first][taken[*first]++]);
  }
  bool more = false;
  std::vector<std::string> versions;
  for (size_t i = 0; i < streams.size(); ++i) {
    more = more || taken[i] < streams[i].size();
    versions.push_back(absl::StrCat(next[i] + taken[i]));
  }
  if (more) record.set_next_page_token(absl::StrCat(kTokenPrefix, absl::StrJoin(versions, ",")));

  RecordedAnswer<safeguard::v1::AgencyRecord> answer;
  answer.purpose = request.purpose();
  // The consultation is recorded whatever was found.
  answer.consulted = {Consultation{.view = view_, .subjects = keys}};
  if (record.events_size() == 0 && request.page_token().empty()) {
    answer.answer = absl::NotFoundError(absl::StrCat("this agency holds no record under ", absl::StrJoin(keys, " or ")));
  } else {
    answer.answer = std::move(record);
  }
  return answer;
}

void RecordReader::Handle(const safeguard::v1::GetAgencyRecordRequest& request, const CallContext& call,
                          Reply<safeguard::v1::AgencyRecord> reply) {
  absl::StatusOr<RecordedAnswer<safeguard::v1::AgencyRecord>> answer = Read(request);
  if (!answer.ok()) return reply(answer.status());
  GiveWhenRecorded(*access_, call, std::move(*answer), std::move(reply));
}

}  // namespace safeguard::agency
