#include "services/mappa/cases/disclosure_reads.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/cases/case_folder.h"
#include "services/mappa/reads/paging.h"

namespace safeguard::mappa {
namespace {

namespace v = safeguard::validation;
namespace v1 = safeguard::v1;
using safeguard::v1::DisclosureCase;

constexpr char kCaseView[] = "mappa.DisclosureCase";
constexpr char kCaseListView[] = "mappa.DisclosureCases";
constexpr char kDeadlineView[] = "mappa.DisclosureDeadlines";
constexpr uint32_t kDefaultDueWithinHours = 48;
constexpr uint32_t kMaxDueWithinHours = 24 * 90;
// Most cases one page of a filtered list looks at: a page with few matches ends early,
// with a token to go on from, rather than read every case in the country.
constexpr int kMaxCasesLookedAt = 5000;

absl::Status CheckForce(const std::string& force) {
  if (!force.empty() && !disclosure::IsForce(force)) {
    return v::FieldError("force", "is not a police force of England and Wales (see docs/disclosure-scheme.md)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(absl::string_view field, const std::string& text) {
  if (text.empty()) return std::optional<absl::CivilDay>();
  absl::StatusOr<absl::CivilDay> day = ParseIsoDate(text);
  if (!day.ok()) return v::FieldError(field, "must be a date, YYYY-MM-DD");
  return std::optional<absl::CivilDay>(*day);
}

absl::StatusOr<std::string> PageStart(const std::string& token) {
  if (token.empty()) return std::string();
  return disclosure::NormaliseCaseRef("page_token", token);
}

std::vector<v1::DisclosureDeadline> Outstanding(const std::vector<v1::DisclosureDeadline>& all) {
  std::vector<v1::DisclosureDeadline> out;
  for (const auto& d : all) {
    if (!d.has_met_at()) out.push_back(d);
  }
  return out;
}

double Median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  const size_t n = xs.size();
  return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

}  // namespace

DisclosureReads::DisclosureReads(const MappaState* state, AccessLog* access, disclosure::Deadlines deadlines,
                                 Clock clock)
    : state_(state), access_(access), deadlines_(deadlines), clock_(std::move(clock)) {}

absl::StatusOr<RecordedAnswer<DisclosureCase>> DisclosureReads::Answer(const v1::GetDisclosureCaseRequest& request) {
  ASSIGN_OR_RETURN(const std::string ref, disclosure::NormaliseCaseRef("case_ref", request.case_ref()));
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  RecordedAnswer<DisclosureCase> recorded;
  recorded.purpose = request.purpose();
  recorded.consulted = {Consultation{.view = kCaseView, .subjects = {disclosure::CaseKey(ref)}}};
  ASSIGN_OR_RETURN(std::optional<DisclosureCase> c, GetCase(state_->Read(), ref));
  if (!c.has_value()) {
    recorded.answer = absl::NotFoundError(absl::StrCat("case_ref: no disclosure case ", ref));
    return recorded;
  }
  for (auto& d : disclosure::DeadlinesOf(*c, deadlines_, clock_())) *c->add_deadlines() = std::move(d);
  recorded.answer = std::move(*c);
  return recorded;
}

absl::StatusOr<RecordedAnswer<v1::ListDisclosureCasesResponse>> DisclosureReads::Answer(
    const v1::ListDisclosureCasesRequest& request) {
  RETURN_IF_ERROR(CheckForce(request.force()));
  if (request.state() != v1::DISCLOSURE_CASE_STATE_UNSPECIFIED) {
    RETURN_IF_ERROR(v::RequireEnum("state", request.state(), v1::DisclosureCaseState_descriptor()));
  }
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(const std::string after, PageStart(request.page_token()));
  const absl::Time now = clock_();
  v1::ListDisclosureCasesResponse response;
  int looked_at = 0;
  std::string last_looked_at;  // the token: every case up to it has been looked at
  RETURN_IF_ERROR(VisitCases(state_->Read(), after, [&](const DisclosureCase& c) {
    if (looked_at++ == kMaxCasesLookedAt || response.cases_size() == static_cast<int>(page_size)) {
      response.set_next_page_token(last_looked_at);
      return false;
    }
    last_looked_at = c.case_ref();
    if (!request.force().empty() && c.enquiry().handled_by().force() != request.force()) return true;
    if (request.state() != v1::DISCLOSURE_CASE_STATE_UNSPECIFIED && c.state() != request.state()) return true;
    v1::DisclosureCaseSummary* s = response.add_cases();
    s->set_case_ref(c.case_ref());
    s->set_route(c.enquiry().route());
    *s->mutable_handled_by() = c.enquiry().handled_by();
    s->set_state(c.state());
    *s->mutable_enquiry_at() = c.enquiry().at();
    s->set_outcome(c.decision().outcome());
    for (auto& d : disclosure::DeadlinesOf(c, deadlines_, now)) *s->add_deadlines() = std::move(d);
    return true;
  }));
  RecordedAnswer<v1::ListDisclosureCasesResponse> recorded;
  recorded.purpose = request.purpose();
  Consultation shown{.view = kCaseListView};
  for (const auto& s : response.cases()) shown.subjects.push_back(disclosure::CaseKey(s.case_ref()));
  recorded.consulted = {std::move(shown)};
  recorded.answer = std::move(response);
  return recorded;
}

absl::StatusOr<RecordedAnswer<v1::ListDisclosureDeadlinesResponse>> DisclosureReads::Answer(
    const v1::ListDisclosureDeadlinesRequest& request) {
  RETURN_IF_ERROR(CheckForce(request.force()));
  if (request.due_within_hours() > kMaxDueWithinHours) {
    return v::FieldError("due_within_hours", absl::StrCat("must be at most ", kMaxDueWithinHours));
  }
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(const std::string after, PageStart(request.page_token()));
  const absl::Duration window =
      absl::Hours(request.due_within_hours() == 0 ? kDefaultDueWithinHours : request.due_within_hours());
  const absl::Time now = clock_();
  std::map<std::string, v1::ForceDeadlines> forces;
  Consultation shown{.view = kDeadlineView};
  v1::ListDisclosureDeadlinesResponse response;
  int looked_at = 0;
  std::string last_looked_at;  // the token: every case up to it has been looked at
  RETURN_IF_ERROR(VisitCases(state_->Read(), after, [&](const DisclosureCase& c) {
    if (looked_at++ == kMaxCasesLookedAt || shown.subjects.size() == page_size) {
      response.set_next_page_token(last_looked_at);
      return false;
    }
    last_looked_at = c.case_ref();
    const std::string& force = c.enquiry().handled_by().force();
    if (!request.force().empty() && force != request.force()) return true;
    bool listed = false;
    for (const v1::DisclosureDeadline& d : Outstanding(disclosure::DeadlinesOf(c, deadlines_, now))) {
      const absl::Time due = FromProtoTimestamp(d.due_at());
      if (!d.overdue() && due - now > window) continue;
      v1::ForceDeadlines& f = forces[force];
      f.set_force(force);
      v1::DeadlineEntry* entry = d.overdue() ? f.add_overdue() : f.add_due_soon();
      entry->set_case_ref(c.case_ref());
      *entry->mutable_handled_by() = c.enquiry().handled_by();
      entry->set_state(c.state());
      *entry->mutable_deadline() = d;
      listed = true;
    }
    if (listed) shown.subjects.push_back(disclosure::CaseKey(c.case_ref()));
    return true;
  }));
  *response.mutable_as_of() = ToProtoTimestamp(now);
  auto by_due = [](const v1::DeadlineEntry& a, const v1::DeadlineEntry& b) {
    return std::make_pair(FromProtoTimestamp(a.deadline().due_at()), a.case_ref()) <
           std::make_pair(FromProtoTimestamp(b.deadline().due_at()), b.case_ref());
  };
  for (auto& [force, f] : forces) {
    std::sort(f.mutable_overdue()->begin(), f.mutable_overdue()->end(), by_due);
    std::sort(f.mutable_due_soon()->begin(), f.mutable_due_soon()->end(), by_due);
    *response.add_forces() = std::move(f);
  }
  RecordedAnswer<v1::ListDisclosureDeadlinesResponse> recorded;
  recorded.purpose = request.purpose();
  recorded.consulted = {std::move(shown)};
  recorded.answer = std::move(response);
  return recorded;
}

absl::StatusOr<v1::GetDisclosureStatisticsResponse> DisclosureReads::Answer(
    const v1::GetDisclosureStatisticsRequest& request) {
  ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> from, OptionalDay("from", request.from()));
  ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> until, OptionalDay("until", request.until()));
  if (from && until && *until < *from) return v::FieldError("until", "is before from");
  if (request.grouping() != v1::STATISTICS_GROUPING_UNSPECIFIED) {
    RETURN_IF_ERROR(v::RequireEnum("grouping", request.grouping(), v1::StatisticsGrouping_descriptor()));
  }
  DisclosureStatistics statistics(from, until, request.grouping());
  RETURN_IF_ERROR(VisitCases(state_->Read(), "", [&](const DisclosureCase& c) {
    statistics.Add(c);
    return true;
  }));
  return std::move(statistics).Finish();
}

void DisclosureReads::Handle(const v1::GetDisclosureCaseRequest& request, const CallContext& call,
                             Reply<DisclosureCase> reply) {
  GiveWhenRecorded(*access_, call, Answer(request), std::move(reply));
}
void DisclosureReads::Handle(const v1::ListDisclosureCasesRequest& request, const CallContext& call,
                             Reply<v1::ListDisclosureCasesResponse> reply) {
  GiveWhenRecorded(*access_, call, Answer(request), std::move(reply));
}
void DisclosureReads::Handle(const v1::ListDisclosureDeadlinesRequest& request, const CallContext& call,
                             Reply<v1::ListDisclosureDeadlinesResponse> reply) {
  GiveWhenRecorded(*access_, call, Answer(request), std::move(reply));
}
void DisclosureReads::Handle(const v1::GetDisclosureStatisticsRequest& request, const CallContext&,
                             Reply<v1::GetDisclosureStatisticsResponse> reply) {
  reply(Answer(request));
}

void DisclosureStatistics::Count(const DisclosureCase& c, Row* row) {
  v1::DisclosureStatistics& s = row->counts;
  if (c.enquiry().route() == v1::RIGHT_TO_ASK) {
    s.set_enquiries(s.enquiries() + 1);
  } else {
    s.set_right_to_know(s.right_to_know() + 1);
  }
  if (c.has_application()) s.set_applications(s.applications() + 1);
  if (c.decision().has_at()) {
    const v1::DisclosureOutcome o = c.decision().outcome();
    if (o == v1::DISCLOSE || o == v1::PARTIAL_DISCLOSURE) s.set_disclosures(s.disclosures() + 1);
    if (o == v1::PARTIAL_DISCLOSURE) s.set_partial_disclosures(s.partial_disclosures() + 1);
    if (o == v1::NO_DISCLOSURE) s.set_non_disclosures(s.non_disclosures() + 1);
    row->days.push_back(
        absl::ToDoubleHours(FromProtoTimestamp(c.decision().at()) - FromProtoTimestamp(c.enquiry().at())) / 24);
  }
  if (c.safeguarding_referrals_size() > 0) s.set_safeguarding_referrals(s.safeguarding_referrals() + 1);
}

void DisclosureStatistics::Add(const DisclosureCase& c) {
  if (!c.has_enquiry()) return;
  const absl::CivilDay day = DayOf(FromProtoTimestamp(c.enquiry().at()));
  if ((from_ && day < *from_) || (until_ && day > *until_)) return;
  const v1::SchemeArea& area = c.enquiry().handled_by();
  Row& row = rows_[{area.force(), grouping_ == v1::BY_DIVISION ? area.division() : ""}];
  row.counts.set_force(area.force());
  if (grouping_ == v1::BY_DIVISION) row.counts.set_division(area.division());
  Count(c, &row);
  Count(c, &total_);
}

v1::DisclosureStatistics DisclosureStatistics::Finished(Row& row) {
  row.counts.set_decided(static_cast<uint32_t>(row.days.size()));
  if (!row.days.empty()) row.counts.set_median_days_to_decision(Median(std::move(row.days)));
  return row.counts;
}

v1::GetDisclosureStatisticsResponse DisclosureStatistics::Finish() && {
  v1::GetDisclosureStatisticsResponse response;
  for (auto& [key, row] : rows_) *response.add_rows() = Finished(row);
  *response.mutable_total() = Finished(total_);
  return response;
}

}  // namespace safeguard::mappa
