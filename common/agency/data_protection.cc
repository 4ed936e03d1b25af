#include "common/agency/data_protection.h"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "common/agency/command_submitter.h"
#include "common/crypto/sealing.h"
#include "common/logging.h"
#include "common/privacy/decisions.h"
#include "common/security/access_policy.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::agency {
namespace {

namespace v1 = safeguard::v1;

constexpr uint32_t kSchemaVersion = 1;
constexpr size_t kReadPage = 1000;
constexpr int kRefreshSeconds = 60;
constexpr uint32_t kDefaultReviewPage = 100;
constexpr uint32_t kMaxReviewPage = 1000;
constexpr int kDueSoonDays = 30;

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
  // The schedule is folded in the background: a long log does not hold up the start.
  dp->queue_.push_back([d = dp.get()] {
    if (absl::Status folded = d->Refresh(); !folded.ok()) {
      logging::Error(absl::StrCat("data protection: the review schedule could not be folded: ", folded.ToString()));
    }
  });
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
      const bool woken = wake_.wait_for(lock, std::chrono::seconds(kRefreshSeconds),
                                        [&] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) return;  // nothing left to carry out
      if (woken) {
        job = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    if (job) {
      job();
    } else if (absl::Status folded = Refresh(); !folded.ok()) {  // a minute with nothing to do
      logging::Error(absl::StrCat("data protection: the review schedule could not be folded: ", folded.ToString()));
    }
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
  if (seen.has_value()) {
    // Sent again, perhaps because carrying it out failed the first time: carried out again
    // (it is idempotent) before it is answered as done.
    ASSIGN_OR_RETURN(const std::vector<v1::EventEnvelope> recorded,
                     options_.store->ReadStream(stream_id_, seen->stream_version(), 1));
    if (!recorded.empty()) RETURN_IF_ERROR(Apply(recorded.front()));
    return *std::move(seen);
  }

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
  // A key made only to seal the record of a read that found no one is no record.
  bool recorded = false;
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(const uint64_t version,
                     options_.store->StreamVersion(absl::StrCat(options_.stream_prefix, "/", key)));
    recorded = recorded || version > 0;
  }
  if ((held.empty() && !erased.has_value()) || (!recorded && !erased.has_value())) {
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
  std::optional<privacy::ReviewDate> next_review;
  if (kind == Kind::kRetain) {
    RETURN_IF_ERROR(Refresh());
    next_review = ReviewedOn(held.front(), DayOf(now));
    if (!next_review.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(agency, "'s record under ", Under(keys),
                                                        " is under no retention rule: nothing to review"));
    }
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
  if (next_review.has_value()) {
    e.mutable_retention_reviewed()->set_record_group(next_review->group);
    e.mutable_retention_reviewed()->set_next_review_date(FormatIsoDate(next_review->due));
  }
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

absl::Status DataProtection::Refresh() {
  const std::string agency = security::AgencyName(options_.agency);
  for (;;) {
    ASSIGN_OR_RETURN(const std::vector<v1::EventEnvelope> page, options_.store->ReadLog(folded_to_ + 1, kReadPage));
    for (const v1::EventEnvelope& e : page) {
      folded_to_ = e.log_sequence();
      if (crypto::IsSealed(e)) continue;  // erased: nothing of it to review
      if (const v1::DataProtectionDecision* d = privacy::DecisionOf(e)) {
        for (const std::string& id : d->key_ids()) {
          if (e.has_erasure_decided()) {
            schedule_.erase(id);
          } else if (e.has_retention_reviewed() ||
                     (e.has_restriction_decided() && d->basis() == v1::RESTRICTION_REVIEW)) {
            if (auto it = schedule_.find(id); it != schedule_.end()) {
              it->second.facts.last_review = DayOf(FromProtoTimestamp(e.recorded_at()));
            }
          }
        }
        continue;
      }
      if (e.subject_key().empty()) continue;  // about no one subject (a disclosure case)
      Scheduled& record = schedule_[crypto::DataKeyId(*options_.vault, options_.agency, e.subject_key())];
      record.facts.Add(e);
      record.subject_keys.insert(e.subject_key());
    }
    if (page.size() < kReadPage) break;
  }
  v1::ReviewStatus counted;
  const absl::CivilDay today = DayOf(options_.clock());
  for (const auto& [id, record] : schedule_) {
    const std::optional<privacy::ReviewDate> review = options_.retention.Review(agency, record.facts);
    if (!review.has_value()) continue;
    counted.set_records(counted.records() + 1);
    if (review->due < today) {
      counted.set_overdue(counted.overdue() + 1);
    } else if (review->due <= today + kDueSoonDays) {
      counted.set_due_within_30_days(counted.due_within_30_days() + 1);
    }
  }
  *counted.mutable_computed_at() = ToProtoTimestamp(options_.clock());
  std::lock_guard<std::mutex> lock(mu_);
  reviews_ = std::move(counted);
  return absl::OkStatus();
}

std::optional<privacy::ReviewDate> DataProtection::ReviewedOn(const std::string& key_id, absl::CivilDay day) {
  auto it = schedule_.find(key_id);
  if (it == schedule_.end()) return std::nullopt;
  privacy::RecordFacts facts = it->second.facts;
  facts.last_review = day;
  return options_.retention.Review(security::AgencyName(options_.agency), facts);
}

v1::ReviewStatus DataProtection::Reviews() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reviews_;
}

void DataProtection::ListReviews(const v1::ListReviewsRequest& request, const CallContext& call,
                                 Reply<v1::ListReviewsResponse> reply) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back([this, request, call, reply = std::move(reply)]() mutable {
      absl::StatusOr<RecordedAnswer<v1::ListReviewsResponse>> answer = Queue(request);
      if (!answer.ok()) return reply(answer.status());
      GiveWhenRecorded(*options_.access, call, *std::move(answer), std::move(reply));
    });
  }
  wake_.notify_one();
}

absl::StatusOr<RecordedAnswer<v1::ListReviewsResponse>> DataProtection::Queue(const v1::ListReviewsRequest& request) {
  namespace v = safeguard::validation;
  const absl::CivilDay today = DayOf(options_.clock());
  v::Violations problems;
  CheckPurpose(request.purpose(), &problems);
  absl::CivilDay due_by = today + kDueSoonDays;
  if (!request.due_by().empty() && !absl::ParseCivilTime(request.due_by(), &due_by)) {
    problems.Add("due_by", "must be a date YYYY-MM-DD");
  }
  if (request.page_size() > kMaxReviewPage) problems.Add("page_size", absl::StrCat("must be at most ", kMaxReviewPage));
  size_t start = 0;
  if (!request.page_token().empty() && !absl::SimpleAtoi(request.page_token(), &start)) {
    problems.Add("page_token", "is not a token this service gave");
  }
  RETURN_IF_ERROR(problems.status());
  RETURN_IF_ERROR(Refresh());
  const std::string agency = security::AgencyName(options_.agency);
  struct Due {
    absl::CivilDay date;
    const Scheduled* record;
    std::string key_id;
    privacy::ReviewDate review;
  };
  std::vector<Due> due;
  v1::ListReviewsResponse response;
  for (const auto& [id, record] : schedule_) {
    std::optional<privacy::ReviewDate> review = options_.retention.Review(agency, record.facts);
    if (!review.has_value()) continue;
    if (review->due < today) response.set_overdue(response.overdue() + 1);
    if (review->due > due_by || (request.overdue_only() && review->due >= today)) continue;
    due.push_back(Due{review->due, &record, id, *std::move(review)});
  }
  response.set_due(due.size());
  std::sort(due.begin(), due.end(), [](const Due& a, const Due& b) {
    return std::tie(a.date, a.key_id) < std::tie(b.date, b.key_id);
  });
  const size_t page = request.page_size() == 0 ? kDefaultReviewPage : request.page_size();
  RecordedAnswer<v1::ListReviewsResponse> answer;
  answer.purpose = request.purpose();
  Consultation consulted{.view = absl::StrCat(agency, ".ReviewQueue"),
                         .query = absl::StrCat("reviews due by ", FormatIsoDate(due_by),
                                               request.overdue_only() ? " (overdue only)" : "")};
  for (size_t i = start; i < due.size() && i < start + page; ++i) {
    const Due& d = due[i];
    v1::ReviewDue* entry = response.add_reviews();
    for (const std::string& key : d.record->subject_keys) {
      entry->add_subject_keys(key);
      consulted.subjects.push_back(key);
    }
    entry->set_record_group(d.review.group);
    entry->set_review_date(FormatIsoDate(d.date));
    entry->set_overdue(d.date < today);
    entry->set_last_event_date(FormatIsoDate(d.record->facts.last_event));
    if (d.record->facts.last_review.has_value()) entry->set_last_review_date(FormatIsoDate(*d.record->facts.last_review));
    entry->set_rule(d.review.rule);
    std::lock_guard<std::mutex> lock(mu_);
    entry->set_restricted(restricted_.contains(d.key_id));
  }
  if (start + page < due.size()) response.set_next_page_token(absl::StrCat(start + page));
  answer.consulted = {std::move(consulted)};
  answer.answer = std::move(response);
  return answer;
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
