#include "common/agency/record_reader.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sealing.h"
#include "common/privacy/decisions.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::agency {
namespace {

namespace v = safeguard::validation;
using safeguard::v1::EventEnvelope;

constexpr uint32_t kDefaultPage = 100;
constexpr uint32_t kMaxPage = 1000;
constexpr char kTokenPrefix[] = "v:";

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
                           AccessLog* access, const DataProtection* protection, Clock clock, bool for_officer)
    : store_(store),
      stream_prefix_(std::move(stream_prefix)),
      keying_(keying),
      view_(std::move(view)),
      access_(access),
      protection_(protection),
      clock_(std::move(clock)),
      for_officer_(for_officer) {}

absl::StatusOr<RecordedAnswer<safeguard::v1::AgencyRecord>> RecordReader::Read(
    const safeguard::v1::GetAgencyRecordRequest& request) {
  v::Violations problems;
  std::optional<std::vector<std::string>> found = problems.Take(SubjectKeysOf(request.subject(), keying_, DayOf(clock_())));
  CheckPurpose(request.purpose(), &problems);
  if (request.page_size() > kMaxPage) problems.Add("page_size", absl::StrCat("must be at most ", kMaxPage));
  RETURN_IF_ERROR(problems.status());
  const std::vector<std::string>& keys = *found;
  ASSIGN_OR_RETURN(const DataProtection::SubjectState protection, protection_->StateOf(keys));
  RecordedAnswer<safeguard::v1::AgencyRecord> answer;
  answer.purpose = request.purpose();
  // The consultation is recorded whatever was found, or refused.
  answer.consulted = {Consultation{.view = view_, .subjects = keys}};
  if (protection.restriction.has_value() && !for_officer_) {
    const DataProtection::Restriction& r = *protection.restriction;
    answer.answer = absl::PermissionDeniedError(absl::StrCat(
        "the record under ", absl::StrJoin(keys, " or "), " is ", privacy::RestrictedUnder(r.basis, r.since),
        " (decision ", r.decision_id, "): only the data protection officer may read it"));
    return answer;
  }
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
    EventEnvelope& e = streams[*first][taken[*first]++];
    // Erased: sealed for good, nothing of it to give.
    if (!crypto::IsSealed(e)) *record.add_events() = std::move(e);
  }
  bool more = false;
  std::vector<std::string> versions;
  for (size_t i = 0; i < streams.size(); ++i) {
    more = more || taken[i] < streams[i].size();
    versions.push_back(absl::StrCat(next[i] + taken[i]));
  }
  if (more) record.set_next_page_token(absl::StrCat(kTokenPrefix, absl::StrJoin(versions, ",")));

  if (record.events_size() == 0 && request.page_token().empty() && protection.erased.has_value()) {
    const safeguard::v1::KeyDestruction& d = *protection.erased;
    answer.answer = absl::NotFoundError(absl::StrCat("the record under ", absl::StrJoin(keys, " or "), " was ",
                                                     privacy::ErasedUnder(d.basis(), FromProtoTimestamp(d.at())),
                                                     " (decision ", d.decision_id(), ")"));
  } else if (record.events_size() == 0 && request.page_token().empty()) {
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
