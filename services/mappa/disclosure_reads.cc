#include "services/mappa/disclosure_reads.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/mappa_reads.h"

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

DisclosureReads::DisclosureReads(RiskViewStore* store, AccessRecorder* recorder, disclosure::Deadlines deadlines)
    : store_(store), recorder_(recorder), deadlines_(deadlines) {}

absl::StatusOr<DisclosureCase> DisclosureReads::GetCase(const v1::GetDisclosureCaseRequest& request,
                                                        const CallContext& call) {
  ASSIGN_OR_RETURN(const std::string ref, disclosure::NormaliseCaseRef("case_ref", request.case_ref()));
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  RETURN_IF_ERROR(recorder_->Record(call, request.purpose(), kCaseView, {disclosure::CaseKey(ref)}));
  ASSIGN_OR_RETURN(DisclosureCase c, store_->GetCase(ref));
  for (auto& d : disclosure::DeadlinesOf(c, deadlines_, recorder_->Now())) *c.add_deadlines() = std::move(d);
  return c;
}

absl::StatusOr<v1::ListDisclosureCasesResponse> DisclosureReads::ListCases(
    const v1::ListDisclosureCasesRequest& request, const CallContext& call) {
  RETURN_IF_ERROR(CheckForce(request.force()));
  if (request.state() != v1::DISCLOSURE_CASE_STATE_UNSPECIFIED) {
    RETURN_IF_ERROR(v::RequireEnum("state", request.state(), v1::DisclosureCaseState_descriptor()));
  }
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  ASSIGN_OR_RETURN(const uint32_t page_size, PageSize(request.page_size()));
  std::string after;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(after, disclosure::NormaliseCaseRef("page_token", request.page_token()));
  }
  const absl::Time now = recorder_->Now();
  v1::ListDisclosureCasesResponse response;
  RETURN_IF_ERROR(store_->VisitCases(after, [&](const DisclosureCase& c) {
    if (!request.force().empty() && c.enquiry().handled_by().force() != request.force()) return true;
    if (request.state() != v1::DISCLOSURE_CASE_STATE_UNSPECIFIED && c.state() != request.state()) return true;
    if (response.cases_size() == static_cast<int>(page_size)) {
      response.set_next_page_token(response.cases(response.cases_size() - 1).case_ref());
      return false;
    }
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
  std::vector<std::string> shown;
  for (const auto& s : response.cases()) shown.push_back(disclosure::CaseKey(s.case_ref()));
  RETURN_IF_ERROR(recorder_->Record(call, request.purpose(), kCaseListView, shown));
  return response;
}

absl::StatusOr<v1::ListDisclosureDeadlinesResponse> DisclosureReads::ListDeadlines(
    const v1::ListDisclosureDeadlinesRequest& request, const CallContext& call) {
  RETURN_IF_ERROR(CheckForce(request.force()));
  if (request.due_within_hours() > kMaxDueWithinHours) {
    return v::FieldError("due_within_hours", absl::StrCat("must be at most ", kMaxDueWithinHours));
  }
  RETURN_IF_ERROR(CheckPurpose(request.purpose()));
  const absl::Duration window =
      absl::Hours(request.due_within_hours() == 0 ? kDefaultDueWithinHours : request.due_within_hours());
  const absl::Time now = recorder_->Now();
  std::map<std::string, v1::ForceDeadlines> forces;
  std::vector<std::string> shown;
  RETURN_IF_ERROR(store_->VisitCases("", [&](const DisclosureCase& c) {
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
    if (listed) shown.push_back(disclosure::CaseKey(c.case_ref()));
    return true;
  }));
  RETURN_IF_ERROR(recorder_->Record(call, request.purpose(), kDeadlineView, shown));
  v1::ListDisclosureDeadlinesResponse response;
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
  return response;
}

absl::StatusOr<v1::GetDisclosureStatisticsResponse> DisclosureReads::Statistics(
    const v1::GetDisclosureStatisticsRequest& request) {
  ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> from, OptionalDay("from", request.from()));
  ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> until, OptionalDay("until", request.until()));
  if (from && until && *until < *from) return v::FieldError("until", "is before from");
  if (request.grouping() != v1::STATISTICS_GROUPING_UNSPECIFIED) {
    RETURN_IF_ERROR(v::RequireEnum("grouping", request.grouping(), v1::StatisticsGrouping_descriptor()));
  }
  std::vector<DisclosureCase> cases;
  RETURN_IF_ERROR(store_->VisitCases("", [&](const DisclosureCase& c) {
    cases.push_back(c);
    return true;
  }));
  return ComputeStatistics(cases, from, until, request.grouping());
}

v1::GetDisclosureStatisticsResponse ComputeStatistics(const std::vector<DisclosureCase>& cases,
                                                      std::optional<absl::CivilDay> from,
                                                      std::optional<absl::CivilDay> until,
                                                      v1::StatisticsGrouping grouping) {
  struct Row {
    v1::DisclosureStatistics counts;
    std::vector<double> days;
  };
  std::map<std::pair<std::string, std::string>, Row> rows;
  Row total;
  auto count = [](const DisclosureCase& c, Row* row) {
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
  };
  for (const DisclosureCase& c : cases) {
    if (!c.has_enquiry()) continue;
    const absl::CivilDay day = DayOf(FromProtoTimestamp(c.enquiry().at()));
    if ((from && day < *from) || (until && day > *until)) continue;
    const v1::SchemeArea& area = c.enquiry().handled_by();
    Row& row = rows[{area.force(), grouping == v1::BY_DIVISION ? area.division() : ""}];
    row.counts.set_force(area.force());
    if (grouping == v1::BY_DIVISION) row.counts.set_division(area.division());
    count(c, &row);
    count(c, &total);
  }
  v1::GetDisclosureStatisticsResponse response;
  auto finish = [](Row& row) {
    row.counts.set_decided(static_cast<uint32_t>(row.days.size()));
    if (!row.days.empty()) row.counts.set_median_days_to_decision(Median(row.days));
    return row.counts;
  };
  for (auto& [key, row] : rows) *response.add_rows() = finish(row);
  *response.mutable_total() = finish(total);
  return response;
}

}  // namespace safeguard::mappa
