// The Child Sex Offender Disclosure Scheme end to end, through the public gRPC APIs of a
// running system: police-service records each step of a case, mappa-service folds the
// cases from the bus and answers for them — one case, lists, deadlines per force, and
// the management information, which reproduces the pilot's published first six months.
// The pilot's four case studies are walked here as tests.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"
#include "common/bus/bus_config.h"
#include "common/disclosure/disclosure_case.h"
#include "common/enum_name.h"
#include "google/protobuf/util/message_differencer.h"
#include "safeguard/v1/disclosure_reads.grpc.pb.h"
#include "safeguard/v1/disclosure_service.grpc.pb.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/meeting_service.grpc.pb.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "services/safeguardd/all_in_one.h"
#include "tests/testing/access_records.h"
#include "tests/testing/disclosure_requests.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_pki.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;
using safeguard::testing::At;
using safeguard::testing::IsOk;
using safeguard::testing::TempDir;
namespace t = safeguard::testing;

// A command id from parts that may hold '/' (meeting refs).
std::string Id(absl::string_view a, absl::string_view b, absl::string_view c = "", absl::string_view d = "") {
  return absl::StrReplaceAll(absl::StrCat(a, b, c, d), {{"/", "."}});
}

absl::Status ToStatus(const grpc::Status& st) {
  return absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
}

Purpose CasePurpose(const std::string& detail = "Disclosure scheme case review") {
  Purpose p;
  p.set_code(DISCLOSURE_SCHEME_ASSESSMENT);
  p.set_detail(detail);
  return p;
}

class DisclosureScenarioTest : public ::testing::Test {
 protected:
  // Starts the system with the scheme configuration `config_text` (bus keys and scheme
  // keys, as in a config file).
  void Start(const std::string& config_text) {
    config_text_ = config_text;
    auto bus = ParseBusConfig(config_text);
    ASSERT_THAT(bus, IsOk());
    auto system =
        AllInOneSystem::Start(AllInOneOptions{.data_dir = dir_.path(), .bus = *bus, .security = pki_.Server(), .vault = testing::TestVault()});
    ASSERT_THAT(system, IsOk());
    system_ = std::move(system).value();
    // A police officer records the police's facts; the disclosure officer DC Jones runs
    // the cases and reads every agency's picture; a MAPPA chair runs the meetings.
    police_ = pki_.Stub<PoliceService>(system_->police_address(), "police-officer", "pc-evans");
    disclosure_ = pki_.Stub<DisclosureService>(system_->police_address(), "police-disclosure", "dc-jones");
    mappa_ = pki_.Stub<MappaService>(system_->mappa_address(), "police-disclosure", "dc-jones");
    cases_ = pki_.Stub<DisclosureCaseService>(system_->mappa_address(), "police-disclosure", "dc-jones");
    meetings_ = pki_.Stub<MeetingService>(system_->mappa_address(), "mappa-chair", "chair-1");
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  // Runs one disclosure (or police) command through gRPC.
  template <typename Stub, typename Request>
  absl::StatusOr<CommandResult> Call(Stub* stub,
                                     grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, CommandResult*),
                                     const Request& request) {
    CommandResult result;
    grpc::Status st = (stub->*rpc)(Context().get(), request, &result);
    if (!st.ok()) return ToStatus(st);
    return result;
  }
#define STEP(rpc, request) Call(disclosure_.get(), &DisclosureService::Stub::rpc, request)
#define POLICE(rpc, request) Call(police_.get(), &PoliceService::Stub::rpc, request)
#define MEETING(rpc, request) Call(meetings_.get(), &MeetingService::Stub::rpc, request)

  absl::StatusOr<MappaMeeting> Meeting(const std::string& ref) {
    GetMeetingRequest r;
    r.set_meeting_ref(ref);
    *r.mutable_purpose() = CasePurpose("MAPPA meeting minutes check");
    MappaMeeting m;
    grpc::Status st = meetings_->GetMeeting(Context().get(), r, &m);
    if (!st.ok()) return ToStatus(st);
    return m;
  }

  // Polls until mappa-service holds meeting `ref` at `version`.
  MappaMeeting AwaitMeeting(const std::string& ref, uint64_t version) {
    return Await<MappaMeeting>([&] { return Meeting(ref); },
                               [&](const MappaMeeting& m) { return m.version() >= version; }, "meeting " + ref);
  }

  // Polls until `done(view of subject)`.
  RiskView AwaitView(const SubjectRef& subject, const std::function<bool(const RiskView&)>& done) {
    return Await<RiskView>([&] { return View(subject); }, done, "the view");
  }

  std::vector<std::string> NotConsidered() {
    ListDisclosureNotConsideredRequest r;
    *r.mutable_purpose() = CasePurpose("s.327A review");
    ListDisclosureNotConsideredResponse response;
    grpc::Status st = meetings_->ListDisclosureNotConsidered(Context().get(), r, &response);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<std::string> keys;
    for (const auto& s : response.subjects()) keys.push_back(s.subject_key());
    return keys;
  }

  // Schedules a level `level` meeting at `at` in `force`, and records its attendance once
  // it has taken place.
  void HoldMeeting(const std::string& ref, absl::Time at, int level = 2, const std::string& force = "hampshire") {
    ScheduleMeetingRequest s;
    s.mutable_header()->set_command_id(Id("schedule:", ref));
    s.mutable_header()->set_meeting_ref(ref);
    *s.mutable_meeting()->mutable_meeting_at() = ToProtoTimestamp(at);
    s.mutable_meeting()->set_level(level);
    s.mutable_meeting()->set_force(force);
    s.mutable_meeting()->set_chair("DCI Patel, MAPPA chair");
    ASSERT_THAT(MEETING(ScheduleMeeting, s), IsOk());
    if (at > absl::Now()) return;
    RecordAttendanceRequest a;
    a.mutable_header()->set_command_id(Id("attendance:", ref));
    a.mutable_header()->set_meeting_ref(ref);
    for (auto [name, role, agency] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"DCI Patel", "chair", "police"},
             {"Sam Okafor", "offender manager", "probation"},
             {"Jo Reid", "social worker", "childrens-services"}}) {
      auto* x = a.mutable_attendance()->add_attendees();
      x->set_name(name);
      x->set_role(role);
      x->set_agency(agency);
    }
    a.mutable_attendance()->add_apologies("housing");
    ASSERT_THAT(MEETING(RecordAttendance, a), IsOk());
  }

  absl::StatusOr<CommandResult> AddSubject(const std::string& meeting, const std::string& item,
                                           const SubjectRef& subject) {
    AddAgendaItemRequest r;
    r.mutable_header()->set_command_id(Id("agenda:", meeting, absl::StrCat(":", item, ":"), subject.pnc_id()));
    r.mutable_header()->set_meeting_ref(meeting);
    r.mutable_item()->set_item_ref(item);
    *r.mutable_item()->mutable_subject() = subject;
    return MEETING(AddAgendaItem, r);
  }

  static RecordSubjectReviewRequest Review(const std::string& meeting, const std::string& item, bool considered,
                                           bool presumption_noted = true) {
    RecordSubjectReviewRequest r;
    r.mutable_header()->set_command_id(
        Id("review:", meeting, absl::StrCat(":", item, considered ? ":c" : ":n"), presumption_noted ? ":p" : ""));
    r.mutable_header()->set_meeting_ref(meeting);
    auto* x = r.mutable_review();
    x->set_item_ref(item);
    x->set_category(1);
    x->set_level(2);
    auto* action = x->add_actions();
    action->set_action("Unannounced home visits fortnightly");
    action->set_owner_agency("police");
    action->set_due_date("2030-01-31");
    if (considered) {
      x->set_disclosure_considered(true);
      x->set_presumption_to_disclose_noted(presumption_noted);
      x->set_disclosure_decision(S327A_DO_NOT_DISCLOSE);
      x->set_disclosure_rationale("No child in contact; the presumption is rebutted while that holds.");
    }
    return r;
  }

  static RecordMinutesRequest Minutes(const std::string& meeting, absl::Time at) {
    RecordMinutesRequest r;
    r.mutable_header()->set_command_id(Id("minutes:", meeting));
    r.mutable_header()->set_meeting_ref(meeting);
    *r.mutable_minutes()->mutable_at() = ToProtoTimestamp(at);
    r.mutable_minutes()->set_minutes("Minutes as agreed by the panel.");
    return r;
  }

  absl::StatusOr<DisclosureCase> Case(const std::string& ref) {
    GetDisclosureCaseRequest r;
    r.set_case_ref(ref);
    *r.mutable_purpose() = CasePurpose();
    DisclosureCase c;
    grpc::Status st = cases_->GetDisclosureCase(Context().get(), r, &c);
    if (!st.ok()) return ToStatus(st);
    return c;
  }

  // Polls `fetch` until what it returns satisfies `done` (bounded: 10 s).
  template <typename T>
  static T Await(const std::function<absl::StatusOr<T>()>& fetch, const std::function<bool(const T&)>& done,
                 const std::string& what) {
    absl::StatusOr<T> got;
    for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
      got = fetch();
      if (got.ok() && done(*got)) return *got;
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << what << " never reached the expected state: " << got.status();
    return got.ok() ? *got : T();
  }

  // Polls until mappa-service holds case `ref` at `version`.
  DisclosureCase AwaitCase(const std::string& ref, uint64_t version) {
    return Await<DisclosureCase>([&] { return Case(ref); },
                                 [&](const DisclosureCase& c) { return c.version() >= version; }, "case " + ref);
  }

  absl::StatusOr<GetDisclosureStatisticsResponse> Statistics(const GetDisclosureStatisticsRequest& r) {
    GetDisclosureStatisticsResponse response;
    grpc::Status st = cases_->GetDisclosureStatistics(Context().get(), r, &response);
    if (!st.ok()) return ToStatus(st);
    return response;
  }

  absl::StatusOr<RiskView> View(const SubjectRef& subject) {
    GetRiskViewRequest r;
    *r.mutable_subject() = subject;
    *r.mutable_purpose() = CasePurpose();
    RiskView view;
    grpc::Status st = mappa_->GetRiskView(Context().get(), r, &view);
    if (!st.ok()) return ToStatus(st);
    return view;
  }

  std::vector<AccessRecord> AccessRecords() { return testing::AccessRecordsOn(*system_->embedded_bus()); }

  // Stops the system, discards mappa-service's state and starts again: it is rebuilt
  // from the log.
  void RebuildMappa() {
    system_.reset();
    std::filesystem::remove_all(std::filesystem::path(dir_.path()) / "mappa");
    Start(config_text_);
  }

  testing::TestPki& pki_ = testing::TestPki::Get();
  TempDir dir_;
  std::string config_text_;
  std::unique_ptr<AllInOneSystem> system_;
  std::unique_ptr<PoliceService::Stub> police_;
  std::unique_ptr<DisclosureService::Stub> disclosure_;
  std::unique_ptr<MappaService::Stub> mappa_;
  std::unique_ptr<DisclosureCaseService::Stub> cases_;
  std::unique_ptr<MeetingService::Stub> meetings_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// --- The pilot's first six months (15 September 2008 to 14 March 2009) ---------------

struct PilotArea {
  std::string force;
  std::string division;
  int enquiries;
  int applications;
  int disclosures;
};

// What the load generator is given: per force, how many enquiries, applications and
// disclosures to record, spread over the six months.
const std::vector<PilotArea>& PilotLoad() {
  static const auto* const areas = new std::vector<PilotArea>{
      {"cambridgeshire", "", 23, 9, 0},
      {"cleveland", "", 35, 11, 5},
      {"hampshire", "southampton", 23, 5, 0},
      {"warwickshire", "", 72, 54, 5},
  };
  return *areas;
}

// What each pilot case holds besides the published counts, for the derived figures.
struct PilotExpectation {
  int partial = 0, non_disclosures = 0, referrals = 0;
  std::vector<double> days_to_decision;
};

TEST_F(DisclosureScenarioTest, PilotsFirstSixMonthsReproduceThePublishedTable) {
  Start(ReadFile(std::string(SAFEGUARD_SOURCE_DIR) + "/deploy/config/disclosure-pilot.conf"));
  std::map<std::string, PilotExpectation> expected;
  int cases = 0;
  for (const PilotArea& area : PilotLoad()) {
    PilotExpectation& x = expected[area.force];
    for (int i = 0; i < area.enquiries; ++i) {
      const std::string ref = absl::StrCat("PILOT/", absl::AsciiStrToUpper(area.force.substr(0, 4)), "/", i + 1);
      const absl::Time at = At(2008, 9, 15, 9) + absl::Hours(24) * (i * 179 / area.enquiries);
      auto in_area = [&](SchemeArea* a) { *a = t::Area(area.force, area.division); };
      auto enquiry = t::Enquiry(ref, at, RIGHT_TO_ASK, area.force);
      in_area(enquiry.mutable_enquiry()->mutable_handled_by());
      enquiry.mutable_enquiry()->mutable_children(0)->set_date_of_birth("2003-05-04");
      ASSERT_THAT(STEP(ReceiveEnquiry, enquiry), IsOk()) << ref;
      ++cases;
      if (i % 10 == 1) {
        ASSERT_THAT(STEP(MakeSafeguardingReferral, t::Referral(ref, at + absl::Hours(2))), IsOk());
        ++x.referrals;
      }
      if (i >= area.applications) {
        // Enquiries that went no further: some out of scope, the rest still open.
        ASSERT_THAT(STEP(CompleteInitialChecks, t::Checks(ref, at + absl::Hours(20), i % 3 != 0)), IsOk());
        continue;
      }
      ASSERT_THAT(STEP(CompleteInitialChecks, t::Checks(ref, at + absl::Hours(20))), IsOk());
      auto application = t::Application(ref, at + absl::Hours(72), area.force);
      in_area(application.mutable_application()->mutable_applicant()->mutable_lives_in());
      in_area(application.mutable_application()->mutable_children(0)->mutable_lives_in());
      in_area(application.mutable_application()->mutable_subject_lives_in());
      application.mutable_application()->mutable_children(0)->set_date_of_birth("2003-05-04");
      ASSERT_THAT(STEP(RecordApplication, application), IsOk()) << ref;
      ASSERT_THAT(STEP(RecordInterview, t::Interview(ref, at + absl::Hours(24 * 7))), IsOk());
      const bool disclosed = i < area.disclosures;
      if (!disclosed && (i - area.disclosures) % 2 == 1) continue;  // still being assessed
      ASSERT_THAT(STEP(RecordRiskAssessment, t::Assessment(ref, at + absl::Hours(24 * 20))), IsOk());
      const absl::Duration to_decision = absl::Hours(24 * (22 + i % 7));
      const DisclosureOutcome outcome = !disclosed ? NO_DISCLOSURE : i == 0 ? PARTIAL_DISCLOSURE : DISCLOSE;
      ASSERT_THAT(STEP(RecordDecision, t::Decision(ref, at + to_decision, outcome)), IsOk()) << ref;
      x.days_to_decision.push_back(absl::ToDoubleHours(to_decision) / 24);
      if (outcome == PARTIAL_DISCLOSURE) ++x.partial;
      if (outcome == NO_DISCLOSURE) ++x.non_disclosures;
    }
  }
  ASSERT_EQ(cases, 153);
  size_t decided = 0;
  uint32_t referrals = 0;
  for (const auto& [force, x] : expected) {
    decided += x.days_to_decision.size();
    referrals += x.referrals;
  }

  // mappa-service has folded every step the table counts once each total it depends on is
  // whole: a case's referral or decision may still be on its way after its enquiry is
  // counted (bounded: 20 s).
  GetDisclosureStatisticsRequest r;
  r.set_from("2008-09-15");
  r.set_until("2009-03-14");
  absl::StatusOr<GetDisclosureStatisticsResponse> mi;
  for (const absl::Time deadline = absl::Now() + absl::Seconds(20); absl::Now() < deadline;) {
    mi = Statistics(r);
    if (mi.ok() && mi->total().enquiries() == 153 && mi->total().applications() == 79 &&
        mi->total().decided() == decided && mi->total().safeguarding_referrals() == referrals) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_THAT(mi, IsOk());

  // The published table, exactly.
  struct Published {
    std::string force;
    uint32_t enquiries, applications, disclosures;
  };
  const std::vector<Published> published = {
      {"cambridgeshire", 23, 9, 0}, {"cleveland", 35, 11, 5}, {"hampshire", 23, 5, 0}, {"warwickshire", 72, 54, 5}};
  ASSERT_EQ(mi->rows_size(), 4);
  for (size_t k = 0; k < published.size(); ++k) {
    const DisclosureStatistics& row = mi->rows(static_cast<int>(k));
    SCOPED_TRACE(row.force());
    EXPECT_EQ(row.force(), published[k].force);
    EXPECT_EQ(row.enquiries(), published[k].enquiries);
    EXPECT_EQ(row.applications(), published[k].applications);
    EXPECT_EQ(row.disclosures(), published[k].disclosures);
    // The figures the table did not publish, as the load recorded them.
    const PilotExpectation& x = expected[row.force()];
    EXPECT_EQ(row.partial_disclosures(), static_cast<uint32_t>(x.partial));
    EXPECT_EQ(row.non_disclosures(), static_cast<uint32_t>(x.non_disclosures));
    EXPECT_EQ(row.safeguarding_referrals(), static_cast<uint32_t>(x.referrals));
    EXPECT_EQ(row.decided(), x.days_to_decision.size());
    std::vector<double> days = x.days_to_decision;
    std::sort(days.begin(), days.end());
    const size_t n = days.size();
    EXPECT_DOUBLE_EQ(row.median_days_to_decision(), n % 2 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2);
    EXPECT_EQ(row.right_to_know(), 0u);
  }
  EXPECT_EQ(mi->total().enquiries(), 153u);
  EXPECT_EQ(mi->total().applications(), 79u);
  EXPECT_EQ(mi->total().disclosures(), 10u);
  EXPECT_EQ(mi->total().partial_disclosures(), 2u) << "Cleveland's and Warwickshire's first disclosures";

  // By division: Hampshire's pilot ran in Southampton only.
  r.set_grouping(BY_DIVISION);
  auto by_division = Statistics(r);
  ASSERT_THAT(by_division, IsOk());
  ASSERT_EQ(by_division->rows_size(), 4);
  EXPECT_EQ(by_division->rows(2).force(), "hampshire");
  EXPECT_EQ(by_division->rows(2).division(), "southampton");
  EXPECT_EQ(by_division->rows(2).enquiries(), 23u);

  // A period: the first month only.
  r.set_grouping(BY_FORCE);
  r.set_until("2008-10-14");
  auto first_month = Statistics(r);
  ASSERT_THAT(first_month, IsOk());
  EXPECT_LT(first_month->total().enquiries(), 153u);
  EXPECT_GT(first_month->total().enquiries(), 0u);

  // Bad input names the field.
  r.set_until("2008-13-01");
  EXPECT_THAT(Statistics(r), testing::StatusIs(absl::StatusCode::kInvalidArgument, "until:"));
  r.set_until("2008-01-01");
  EXPECT_THAT(Statistics(r), testing::StatusIs(absl::StatusCode::kInvalidArgument, "until:"));
}

// --- Deadlines ---------------------------------------------------------------------------

TEST_F(DisclosureScenarioTest, DeadlinesDueSoonAndOverdueAreListedPerForce) {
  Start("disclosure.deadline.interview = 10d\n");
  const absl::Time now = absl::Now();
  // Kent: enquiry 30 hours ago, no initial checks: overdue.
  ASSERT_THAT(STEP(ReceiveEnquiry, t::Enquiry("DL/KENT/1", now - absl::Hours(30), RIGHT_TO_ASK, "kent")), IsOk());
  // Kent: enquiry 9 days ago, checked and applied, no interview: interview due within a day.
  ASSERT_THAT(STEP(ReceiveEnquiry, t::Enquiry("DL/KENT/2", now - absl::Hours(24 * 9), RIGHT_TO_ASK, "kent")), IsOk());
  ASSERT_THAT(STEP(CompleteInitialChecks, t::Checks("DL/KENT/2", now - absl::Hours(24 * 9 - 4))), IsOk());
  ASSERT_THAT(STEP(RecordApplication, t::Application("DL/KENT/2", now - absl::Hours(24 * 8), "kent")), IsOk());
  // Surrey: an hour old: nothing due within 48 hours... but checks are due in 23 hours.
  ASSERT_THAT(STEP(ReceiveEnquiry, t::Enquiry("DL/SURREY/1", now - absl::Hours(1), RIGHT_TO_ASK, "surrey")), IsOk());
  // Surrey: closed long ago: nothing outstanding.
  const std::string done = "DL/SURREY/2";
  ASSERT_THAT(STEP(ReceiveEnquiry, t::Enquiry(done, now - absl::Hours(24 * 60), RIGHT_TO_ASK, "surrey")), IsOk());
  ASSERT_THAT(STEP(CompleteInitialChecks, t::Checks(done, now - absl::Hours(24 * 59), false)), IsOk());
  ASSERT_THAT(STEP(RecordApplicantOutcome, t::Informed(done, now - absl::Hours(24 * 59 - 1), TOLD_OUT_OF_SCOPE)), IsOk());
  ASSERT_THAT(STEP(CloseCase, t::Closure(done, now - absl::Hours(24 * 58))), IsOk());
  AwaitCase(done, 4);
  AwaitCase("DL/KENT/2", 3);
  AwaitCase("DL/SURREY/1", 1);
  AwaitCase("DL/KENT/1", 1);

  ListDisclosureDeadlinesRequest r;
  *r.mutable_purpose() = CasePurpose("Morning deadline check");
  ListDisclosureDeadlinesResponse response;
  grpc::Status st = cases_->ListDisclosureDeadlines(Context().get(), r, &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(response.forces_size(), 2);
  const ForceDeadlines& kent = response.forces(0);
  EXPECT_EQ(kent.force(), "kent");
  ASSERT_EQ(kent.overdue_size(), 1);
  EXPECT_EQ(kent.overdue(0).case_ref(), "DL/KENT/1");
  EXPECT_EQ(kent.overdue(0).deadline().stage(), STAGE_INITIAL_CHECKS);
  ASSERT_EQ(kent.due_soon_size(), 1);
  EXPECT_EQ(kent.due_soon(0).case_ref(), "DL/KENT/2");
  EXPECT_EQ(kent.due_soon(0).deadline().stage(), STAGE_INTERVIEW);
  const ForceDeadlines& surrey = response.forces(1);
  EXPECT_EQ(surrey.force(), "surrey");
  EXPECT_EQ(surrey.overdue_size(), 0);
  ASSERT_EQ(surrey.due_soon_size(), 1);
  EXPECT_EQ(surrey.due_soon(0).case_ref(), "DL/SURREY/1");

  // One force only; a bad force is named.
  r.set_force("surrey");
  response.Clear();
  ASSERT_TRUE(cases_->ListDisclosureDeadlines(Context().get(), r, &response).ok());
  ASSERT_EQ(response.forces_size(), 1);
  r.set_force("gotham");
  st = cases_->ListDisclosureDeadlines(Context().get(), r, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), ::testing::StartsWith("force:"));

  // The closed case met its checks, missed nothing, and its whole-case clock stopped.
  auto closed = Case(done);
  ASSERT_THAT(closed, IsOk());
  ASSERT_EQ(closed->deadlines_size(), 2) << "out of scope: no interview or assessment is owed";
  EXPECT_EQ(closed->deadlines(0).stage(), STAGE_INITIAL_CHECKS);
  EXPECT_FALSE(closed->deadlines(0).overdue());
  EXPECT_EQ(closed->deadlines(1).stage(), STAGE_WHOLE_CASE);
  EXPECT_TRUE(closed->deadlines(1).has_met_at());

  // Each case the list showed was recorded as consulted, with the purpose.
  int recorded = 0;
  for (const AccessRecord& a : AccessRecords()) {
    if (a.view() != "mappa.DisclosureDeadlines") continue;
    EXPECT_EQ(a.purpose().detail(), "Morning deadline check");
    EXPECT_EQ(a.actor().user(), "dc-jones");
    ++recorded;
  }
  EXPECT_EQ(recorded, 3 + 1) << "three cases in the first list, one in the second";
}

// --- Reads, access records, and what the subject's picture does not show ---------------

TEST_F(DisclosureScenarioTest, CaseReadsAreRecordedAndTheEnquiryIsNoFactAboutTheSubject) {
  Start("");
  const std::string ref = "CSODS/KENT/0001";
  auto enquiry = t::Enquiry(ref, absl::Now() - absl::Hours(2), RIGHT_TO_ASK, "kent");
  enquiry.mutable_enquiry()->mutable_subject()->set_pnc_id("2019/0012345X");
  ASSERT_THAT(STEP(ReceiveEnquiry, enquiry), IsOk());
  const DisclosureCase c = AwaitCase(ref, 1);
  EXPECT_EQ(c.state(), ENQUIRY_RECEIVED);
  EXPECT_EQ(c.enquiry().subject().pnc_id(), "2019/0012345X");
  EXPECT_EQ(c.history(0).event_type(), "police.DisclosureEnquiryReceived");

  // The enquiry is not filed as a fact about the subject: no record of him exists.
  EXPECT_THAT(View(t::TestSubject()), testing::StatusIs(absl::StatusCode::kNotFound));

  // A case read without a purpose is refused, naming the field; an unknown case is
  // NOT_FOUND, and its attempt is recorded too.
  GetDisclosureCaseRequest r;
  r.set_case_ref(ref);
  DisclosureCase out;
  grpc::Status st = cases_->GetDisclosureCase(Context().get(), r, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), ::testing::StartsWith("purpose.code:"));
  EXPECT_THAT(Case("CSODS/KENT/9999"), testing::StatusIs(absl::StatusCode::kNotFound, "case_ref:"));

  std::vector<std::string> consulted;
  for (const AccessRecord& a : AccessRecords()) {
    if (a.view() == "mappa.DisclosureCase") consulted.push_back(a.subject_key());
  }
  EXPECT_THAT(consulted, ::testing::Contains("disclosure:CSODS/KENT/0001"));
  EXPECT_THAT(consulted, ::testing::Contains("disclosure:CSODS/KENT/9999"));

  // Lists by force and state.
  ListDisclosureCasesRequest list;
  *list.mutable_purpose() = CasePurpose();
  list.set_force("kent");
  list.set_state(ENQUIRY_RECEIVED);
  ListDisclosureCasesResponse cases;
  ASSERT_TRUE(cases_->ListDisclosureCases(Context().get(), list, &cases).ok());
  ASSERT_EQ(cases.cases_size(), 1);
  EXPECT_EQ(cases.cases(0).case_ref(), ref);
  list.set_state(CLOSED);
  cases.Clear();
  ASSERT_TRUE(cases_->ListDisclosureCases(Context().get(), list, &cases).ok());
  EXPECT_EQ(cases.cases_size(), 0);
}

// --- The pilot's case studies -------------------------------------------------------------

// (a) A family friend subject to an order forbidding unsupervised contact with children:
// disclosure to the parent, protective advice, and arrest for breach of the order.
TEST_F(DisclosureScenarioTest, CaseStudyA_OrderForbiddingContactLeadsToDisclosureAdviceAndArrest) {
  Start("");
  const std::string pnc = "2015/0004321K";
  ASSERT_THAT(POLICE(RecordConviction, t::ValidConviction("cmd-a-conviction", pnc)), IsOk());
  auto order = t::ValidOrder("cmd-a-order", pnc, "SHPO-A1");
  order.mutable_order()->clear_prohibitions();
  order.mutable_order()->add_prohibitions("No unsupervised contact with any child under 16");
  ASSERT_THAT(POLICE(RecordOrder, order), IsOk());

  const std::string ref = "CSODS/HAMPSHIRE/A";
  const absl::Time day0 = absl::Now() - absl::Hours(24 * 30);
  auto enquiry = t::Enquiry(ref, day0);
  enquiry.mutable_enquiry()->set_concern("A family friend has been babysitting my son; I have heard he has a court order.");
  *enquiry.mutable_enquiry()->mutable_subject() = t::TestSubject(pnc);
  ASSERT_THAT(STEP(ReceiveEnquiry, enquiry), IsOk());
  ASSERT_THAT(STEP(CompleteInitialChecks, t::Checks(ref, day0 + absl::Hours(6))), IsOk());
  auto application = t::Application(ref, day0 + absl::Hours(48));
  *application.mutable_application()->mutable_subject() = t::TestSubject(pnc);
  ASSERT_THAT(STEP(RecordApplication, application), IsOk());
  ASSERT_THAT(STEP(RecordInterview, t::Interview(ref, day0 + absl::Hours(24 * 4))), IsOk());

  // The full risk assessment reads the consolidated view, and cites it as it stood.
  auto view = View(t::TestSubject(pnc));
  ASSERT_THAT(view, IsOk());
  ASSERT_EQ(view->orders_size(), 1);
  auto assessment = t::Assessment(ref, day0 + absl::Hours(24 * 10), view->subject_key());
  assessment.mutable_assessment()->mutable_view()->set_events_applied(view->events_applied());
  ASSERT_THAT(STEP(RecordRiskAssessment, assessment), IsOk());
  auto decision = t::Decision(ref, day0 + absl::Hours(24 * 12), DISCLOSE);
  decision.mutable_decision()->set_forum(FORUM_POLICE_DECISION_MAKER);
  ASSERT_THAT(STEP(RecordDecision, decision), IsOk());
  ASSERT_THAT(STEP(RecordDelivery, t::Delivery(ref, day0 + absl::Hours(24 * 13))), IsOk());
  ASSERT_THAT(STEP(RecordProtectiveAction,
                   t::Action(ref, day0 + absl::Hours(24 * 13 + 1), PROTECTIVE_ADVICE,
                             "Advised the mother not to leave her son alone with the subject.")),
              IsOk());
  // He is found alone with the boy: a breach of the order, and an arrest.
  auto breach = t::ValidBreach("cmd-a-breach", pnc, "SHPO-A1");
  breach.mutable_breach()->set_breach_date(FormatIsoDate(DayOf(day0 + absl::Hours(24 * 20))));
  ASSERT_THAT(POLICE(RecordOrderBreach, breach), IsOk());
  ASSERT_THAT(STEP(RecordProtectiveAction,
                   t::Action(ref, day0 + absl::Hours(24 * 20 + 2), ARREST_FOR_BREACH, "Arrested for breach of SHPO-A1.")),
              IsOk());
  ASSERT_THAT(STEP(CloseCase, t::Closure(ref, day0 + absl::Hours(24 * 21))), IsOk());

  const DisclosureCase c = AwaitCase(ref, 10);
  EXPECT_EQ(c.state(), CLOSED);
  EXPECT_EQ(c.decision().outcome(), DISCLOSE);
  ASSERT_EQ(c.deliveries_size(), 1);
  EXPECT_EQ(c.deliveries(0).recipient_ref(), "A1");
  EXPECT_TRUE(c.deliveries(0).undertaking_signed());
  EXPECT_EQ(c.risk_assessment().view().person_key(), view->subject_key());
  EXPECT_EQ(c.risk_assessment().view().events_applied(), view->events_applied());
  ASSERT_EQ(c.protective_actions_size(), 2);
  EXPECT_EQ(c.protective_actions(0).action(), PROTECTIVE_ADVICE);
  EXPECT_EQ(c.protective_actions(1).action(), ARREST_FOR_BREACH);
  for (const DisclosureDeadline& d : c.deadlines()) EXPECT_FALSE(d.overdue()) << EnumName(d.stage());
}

// (b) A former family friend with no convictions whose text messages suggest grooming:
// no disclosure (nothing to disclose), but he is told to stay away, a child protection
// investigation is opened and he is given a harassment warning letter.
TEST_F(DisclosureScenarioTest, CaseStudyB_NoRecordButProtectiveActionContinues) {
  Start("");
  const std::string ref = "CSODS/WARWICKSHIRE/B";
  const absl::Time day0 = absl::Now() - absl::Hours(24 * 20);
  auto enquiry = t::Enquiry(ref, day0, RIGHT_TO_ASK, "warwickshire");
  enquiry.mutable_enquiry()->set_concern(
      "A former family friend keeps texting my 13-year-old daughter, telling her to keep it secret.");
  enquiry.mutable_enquiry()->mutable_enquirer()->set_relationship_to_child("father");
  ASSERT_THAT(STEP(ReceiveEnquiry, enquiry), IsOk());
  ASSERT_THAT(STEP(CompleteInitialChecks, t::Checks(ref, day0 + absl::Hours(3))), IsOk());
  ASSERT_THAT(STEP(MakeSafeguardingReferral, t::Referral(ref, day0 + absl::Hours(4))), IsOk());
  ASSERT_THAT(STEP(RecordApplication, t::Application(ref, day0 + absl::Hours(30), "warwickshire")), IsOk());
  ASSERT_THAT(STEP(RecordInterview, t::Interview(ref, day0 + absl::Hours(24 * 3))), IsOk());
  // Nothing is held on him by any agency.
  ASSERT_THAT(STEP(RecordRiskAssessment, t::Assessment(ref, day0 + absl::Hours(24 * 6))), IsOk());
  ASSERT_THAT(STEP(RecordDecision, t::Decision(ref, day0 + absl::Hours(24 * 7), NO_DISCLOSURE)), IsOk());
  for (auto [action, hours, detail] :
       std::vector<std::tuple<ProtectiveAction, int, std::string>>{
           {SUBJECT_TOLD_TO_STAY_AWAY, 24 * 7 + 2, "Visited and told to have no contact with the family."},
           {CHILD_PROTECTION_INVESTIGATION, 24 * 7 + 3, "Joint investigation with children's services."},
           {WARNING_LETTER, 24 * 8, "Harassment warning letter served."}}) {
    ASSERT_THAT(STEP(RecordProtectiveAction, t::Action(ref, day0 + absl::Hours(hours), action, detail)), IsOk());
  }
  // Nothing is disclosed, so nothing can be delivered; the applicant gets a letter.
  EXPECT_THAT(STEP(RecordDelivery, t::Delivery(ref, day0 + absl::Hours(24 * 8))),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition, "delivery:"));
  ASSERT_THAT(STEP(RecordNonDisclosureLetter, t::Letter(ref, day0 + absl::Hours(24 * 9))), IsOk());
  ASSERT_THAT(STEP(CloseCase, t::Closure(ref, day0 + absl::Hours(24 * 10))), IsOk());

  const DisclosureCase c = AwaitCase(ref, 12);
  EXPECT_EQ(c.state(), CLOSED);
  EXPECT_TRUE(c.risk_assessment().nothing_held());
  EXPECT_EQ(c.decision().outcome(), NO_DISCLOSURE);
  EXPECT_EQ(c.deliveries_size(), 0);
  EXPECT_EQ(c.non_disclosure_letter().addressed_to(), "A1");
  ASSERT_EQ(c.protective_actions_size(), 3);
  EXPECT_EQ(c.protective_actions(2).action(), WARNING_LETTER);
  EXPECT_EQ(c.safeguarding_referrals_size(), 1);
}

// (c) A mother's new partner with convictions against adults and unproven allegations
// about children: a MAPPA meeting, which recommends partial disclosure; police disclose
// the approved words to the applicant and to her mother.
TEST_F(DisclosureScenarioTest, CaseStudyC_MappaMeetingLeadsToPartialDisclosureToTwoPeople) {
  Start("");
  const std::string pnc = "2011/0077777M";
  auto conviction = t::ValidConviction("cmd-c-conviction", pnc);
  conviction.mutable_conviction()->set_offence("Sexual assault of an adult woman");
  conviction.mutable_conviction()->set_classification(ADULT_SEXUAL);
  ASSERT_THAT(POLICE(RecordConviction, conviction), IsOk());
  auto allegation = t::ValidIntelligence("cmd-c-intel", pnc);
  allegation.mutable_intelligence()->set_summary("Allegation of inappropriate touching of a child; not proceeded with");
  ASSERT_THAT(POLICE(RecordIntelligence, allegation), IsOk());

  const std::string ref = "CSODS/HAMPSHIRE/C";
  const absl::Time day0 = absl::Now() - absl::Hours(24 * 30);
  auto enquiry = t::Enquiry(ref, day0);
  *enquiry.mutable_enquiry()->mutable_subject() = t::TestSubject(pnc);
  ASSERT_THAT(STEP(ReceiveEnquiry, enquiry), IsOk());
  ASSERT_THAT(STEP(CompleteInitialChecks, t::Checks(ref, day0 + absl::Hours(8))), IsOk());
  auto application = t::Application(ref, day0 + absl::Hours(48));
  *application.mutable_application()->mutable_subject() = t::TestSubject(pnc);
  ASSERT_THAT(STEP(RecordApplication, application), IsOk());
  ASSERT_THAT(STEP(RecordInterview, t::Interview(ref, day0 + absl::Hours(24 * 5))), IsOk());
  const RiskView view = AwaitView(t::TestSubject(pnc), [](const RiskView& v) { return v.intelligence_size() == 1; });
  auto assessment = t::Assessment(ref, day0 + absl::Hours(24 * 9), view.subject_key());
  assessment.mutable_assessment()->mutable_view()->set_events_applied(view.events_applied());
  ASSERT_THAT(STEP(RecordRiskAssessment, assessment), IsOk());
  AwaitCase(ref, 5);

  // The MAPPA meeting: the subject and the case on the agenda.
  const std::string meeting = "MAPPA/HANTS/2026/031";
  HoldMeeting(meeting, day0 + absl::Hours(24 * 14));
  ASSERT_THAT(AddSubject(meeting, "1", t::TestSubject(pnc)), IsOk());
  AddAgendaItemRequest item;
  item.mutable_header()->set_command_id("agenda:case-c");
  item.mutable_header()->set_meeting_ref(meeting);
  item.mutable_item()->set_item_ref("2");
  item.mutable_item()->set_case_ref(ref);
  ASSERT_THAT(MEETING(AddAgendaItem, item), IsOk());
  auto review = Review(meeting, "1", /*considered=*/true, /*presumption_noted=*/false);
  review.mutable_review()->set_category(3);
  review.mutable_review()->set_disclosure_decision(S327A_DISCLOSE);
  review.mutable_review()->set_disclosure_rationale("Partial disclosure through the scheme case on the agenda.");
  ASSERT_THAT(MEETING(RecordSubjectReview, review), IsOk()) << "no child sexual offence: no presumption to note";
  RecordCaseDiscussionRequest discussion;
  discussion.mutable_header()->set_command_id("discussion:case-c");
  discussion.mutable_header()->set_meeting_ref(meeting);
  auto* d = discussion.mutable_discussion();
  d->set_item_ref("2");
  d->set_recommendation(PARTIAL_DISCLOSURE);
  d->set_rationale("Convictions against adults and unproven allegations about a child: a risk to the child.");
  d->set_recommended_wording(t::kApprovedWording);
  d->add_recommended_recipients("the applicant");
  d->add_recommended_recipients("the applicant's mother, who cares for the child after school");
  ASSERT_THAT(MEETING(RecordCaseDiscussion, discussion), IsOk());
  ASSERT_THAT(MEETING(RecordMinutes, Minutes(meeting, day0 + absl::Hours(24 * 14 + 3))), IsOk());

  // Police record the decision the meeting made, and disclose to both.
  auto decision = t::Decision(ref, day0 + absl::Hours(24 * 15), PARTIAL_DISCLOSURE);
  decision.mutable_decision()->set_forum(FORUM_MAPPA_MEETING);
  decision.mutable_decision()->set_meeting_ref(meeting);
  auto* grandmother = decision.mutable_decision()->add_recipients();
  *grandmother->mutable_party() = t::Party("G1", "Gwen", "Applicant", "grandmother");
  grandmother->set_why_best_placed("Cares for the child after school.");
  ASSERT_THAT(STEP(RecordDecision, decision), IsOk());
  const auto to_applicant = STEP(RecordDelivery, t::Delivery(ref, day0 + absl::Hours(24 * 16), "A1"));
  ASSERT_THAT(to_applicant, IsOk());
  const auto to_grandmother = STEP(RecordDelivery, t::Delivery(ref, day0 + absl::Hours(24 * 16 + 2), "G1"));
  ASSERT_THAT(to_grandmother, IsOk());
  ASSERT_THAT(STEP(CloseCase, t::Closure(ref, day0 + absl::Hours(24 * 17))), IsOk());

  // Each delivery is a disclosure (Data Protection Act 2018 s.62), recorded before the
  // officer was answered: by whom, the words, to whom, about the subject and the case.
  std::map<std::string, std::vector<AccessRecord>> disclosed;  // recipient -> records
  for (const AccessRecord& a : AccessRecords()) {
    if (a.view() != "disclosure.Delivery") continue;
    ASSERT_EQ(a.recipients_size(), 1);
    disclosed[a.recipients(0)].push_back(a);
  }
  ASSERT_EQ(disclosed.size(), 2u);
  for (const auto& [recipient, event_id] :
       {std::pair<std::string, std::string>{"Amy Applicant (mother) [A1]", to_applicant->event_id()},
        {"Gwen Applicant (grandmother) [G1]", to_grandmother->event_id()}}) {
    const std::vector<AccessRecord>& records = disclosed[recipient];
    ASSERT_EQ(records.size(), 2u) << recipient << ": one under the case, one under the subject";
    EXPECT_EQ(records[0].subject_key(), "disclosure:" + ref);
    EXPECT_EQ(records[1].subject_key(), "pnc:2011/0077777M");
    for (const AccessRecord& a : records) {
      EXPECT_EQ(a.disclosed(), t::kApprovedWording);
      EXPECT_EQ(a.event_id(), event_id);
      EXPECT_EQ(a.actor().user(), "dc-jones");
      EXPECT_EQ(a.actor().agency(), AGENCY_POLICE);
      EXPECT_EQ(a.purpose().code(), DISCLOSURE_SCHEME_ASSESSMENT);
    }
  }

  const DisclosureCase c = AwaitCase(ref, 9);
  EXPECT_EQ(c.state(), CLOSED);
  EXPECT_EQ(c.decision().outcome(), PARTIAL_DISCLOSURE);
  EXPECT_EQ(c.decision().meeting_ref(), meeting);
  ASSERT_EQ(c.deliveries_size(), 2);
  EXPECT_EQ(c.deliveries(1).recipient_ref(), "G1");

  const MappaMeeting m = AwaitMeeting(meeting, 7);
  EXPECT_EQ(m.state(), MEETING_MINUTED);
  EXPECT_EQ(m.scheduled().level(), 2);
  EXPECT_EQ(m.attendance().attendees_size(), 3);
  ASSERT_EQ(m.agenda_size(), 2);
  EXPECT_EQ(m.agenda(0).item().subject_key(), "pnc:2011/0077777M");
  EXPECT_EQ(m.agenda(0).review().category(), 3);
  EXPECT_EQ(m.agenda(1).discussion().case_ref(), ref);
  EXPECT_EQ(m.agenda(1).discussion().recommendation(), PARTIAL_DISCLOSURE);

  // The subject's picture shows the review.
  const RiskView after = AwaitView(t::TestSubject(pnc), [](const RiskView& v) { return v.has_latest_mappa_review(); });
  EXPECT_EQ(after.latest_mappa_review().review().meeting_ref(), meeting);
  EXPECT_EQ(after.latest_mappa_review().review().reviewed_on(), FormatIsoDate(DayOf(day0 + absl::Hours(24 * 14))));
  EXPECT_FALSE(after.disclosure_consideration().duty_applies()) << "no child sexual offence";

  // Reading the meeting was recorded against the meeting, the subject and the case.
  std::set<std::string> consulted;
  for (const AccessRecord& a : AccessRecords()) {
    if (a.view() == "mappa.Meeting") consulted.insert(a.subject_key());
  }
  EXPECT_THAT(consulted, ::testing::IsSupersetOf({"meeting:" + meeting, std::string("pnc:2011/0077777M"),
                                                 "disclosure:" + ref}));

  // The case, the meeting and the review in the subject's picture are derived: rebuilt
  // from the log, they are the same.
  RebuildMappa();
  const DisclosureCase rebuilt_case = AwaitCase(ref, 9);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(c, rebuilt_case)) << rebuilt_case.DebugString();
  const MappaMeeting rebuilt_meeting = AwaitMeeting(meeting, 7);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(m, rebuilt_meeting));
  const RiskView rebuilt_view =
      AwaitView(t::TestSubject(pnc), [](const RiskView& v) { return v.has_latest_mappa_review(); });
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(after.latest_mappa_review(),
                                                                 rebuilt_view.latest_mappa_review()));
}

// s.327A: every child sex offender managed under MAPPA must have disclosure considered; a
// registered (or convicted) sex offender is managed under MAPPA by statute, category 1;
// the view says whether it was considered at the latest review, and a list names those
// where not.
TEST_F(DisclosureScenarioTest, MeetingsRecordS327aConsiderationAndListThoseNotConsidered) {
  Start("");
  const std::string x_pnc = "2010/0000101A", y_pnc = "2010/0000202B";
  ASSERT_THAT(POLICE(RecordConviction, t::ValidConviction("cmd-x-conviction", x_pnc)), IsOk());
  ASSERT_THAT(POLICE(RecordConviction, t::ValidConviction("cmd-y-conviction", y_pnc)), IsOk());
  AwaitView(t::TestSubject(y_pnc), [](const RiskView& v) { return v.convictions_size() == 1; });
  // Convicted of a child sexual offence, each is MAPPA category 1 by statute, so the duty
  // applies at once: both are listed before anyone proposes a category (the list used to
  // stay empty until probation proposed one, while the flag already said the duty applied).
  EXPECT_THAT(NotConsidered(), ::testing::UnorderedElementsAre("pnc:" + x_pnc, "pnc:" + y_pnc));
  const RiskView before = AwaitView(t::TestSubject(x_pnc), [](const RiskView& v) { return v.convictions_size() == 1; });
  EXPECT_TRUE(before.disclosure_consideration().duty_applies());
  EXPECT_TRUE(before.flags().duty_to_consider_disclosure()) << "one answer: the flag and the view agree";
  EXPECT_TRUE(before.disclosure_consideration().statutory_category_1());
  EXPECT_THAT(before.disclosure_consideration().statutory_reason(),
              ::testing::HasSubstr("convicted for a child sexual offence (2019-01-15)"));

  const absl::Time held = absl::Now() - absl::Hours(24 * 7);
  const std::string m1 = "MAPPA/HANTS/2026/040";
  // Level 1 is not a meeting; decisions wait for the meeting to happen.
  ScheduleMeetingRequest level1;
  level1.mutable_header()->set_command_id("schedule:level-1");
  level1.mutable_header()->set_meeting_ref("MAPPA/HANTS/L1");
  *level1.mutable_meeting()->mutable_meeting_at() = ToProtoTimestamp(held);
  level1.mutable_meeting()->set_level(1);
  level1.mutable_meeting()->set_force("hampshire");
  level1.mutable_meeting()->set_chair("DCI Patel");
  EXPECT_THAT(MEETING(ScheduleMeeting, level1), testing::StatusIs(absl::StatusCode::kInvalidArgument, "meeting.level:"));
  HoldMeeting("MAPPA/HANTS/FUTURE", absl::Now() + absl::Hours(48));
  EXPECT_THAT(AddSubject("MAPPA/HANTS/FUTURE", "1", t::TestSubject(x_pnc)), IsOk()) << "an agenda is set beforehand";
  EXPECT_THAT(MEETING(RecordSubjectReview, Review("MAPPA/HANTS/FUTURE", "1", true)),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition, "review:"));

  HoldMeeting(m1, held);
  ASSERT_THAT(AddSubject(m1, "1", t::TestSubject(x_pnc)), IsOk());
  ASSERT_THAT(AddSubject(m1, "2", t::TestSubject(y_pnc)), IsOk());
  EXPECT_THAT(AddSubject(m1, "2", t::TestSubject(x_pnc)), testing::StatusIs(absl::StatusCode::kAlreadyExists, "item.item_ref:"));
  EXPECT_THAT(AddSubject(m1, "3", t::TestSubject("2010/0000303C")), testing::StatusIs(absl::StatusCode::kNotFound, "item.subject:"));
  EXPECT_THAT(MEETING(RecordMinutes, Minutes(m1, held + absl::Hours(2))),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition, "minutes:"))
      << "every agenda item needs its decision first";
  // X reviewed without considering disclosure.
  ASSERT_THAT(MEETING(RecordSubjectReview, Review(m1, "1", false)), IsOk());
  EXPECT_THAT(MEETING(RecordSubjectReview, Review(m1, "9", false)),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition, "review.item_ref:"));
  // Y: considering disclosure for a child sex offender means noting the presumption.
  EXPECT_THAT(MEETING(RecordSubjectReview, Review(m1, "2", true, false)),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition, "review.presumption_to_disclose_noted:"));
  auto no_rationale = Review(m1, "2", true);
  no_rationale.mutable_review()->clear_disclosure_rationale();
  EXPECT_THAT(MEETING(RecordSubjectReview, no_rationale),
              testing::StatusIs(absl::StatusCode::kInvalidArgument, "review.disclosure_rationale:"));
  ASSERT_THAT(MEETING(RecordSubjectReview, Review(m1, "2", true)), IsOk());
  ASSERT_THAT(MEETING(RecordMinutes, Minutes(m1, held + absl::Hours(2))), IsOk());
  EXPECT_THAT(MEETING(RecordSubjectReview, Review(m1, "1", true)),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition, "header.meeting_ref:"))
      << "a minuted meeting takes nothing more";

  const RiskView x = AwaitView(t::TestSubject(x_pnc), [](const RiskView& v) { return v.has_latest_mappa_review(); });
  EXPECT_TRUE(x.disclosure_consideration().duty_applies());
  EXPECT_FALSE(x.disclosure_consideration().considered_at_latest_review());
  EXPECT_EQ(x.disclosure_consideration().latest_review_meeting(), m1);
  const RiskView y = AwaitView(t::TestSubject(y_pnc), [](const RiskView& v) { return v.has_latest_mappa_review(); });
  EXPECT_TRUE(y.disclosure_consideration().considered_at_latest_review());
  EXPECT_TRUE(y.latest_mappa_review().review().presumption_to_disclose_noted());
  EXPECT_THAT(NotConsidered(), ::testing::ElementsAre("pnc:" + x_pnc));

  // A later review of X that considers disclosure takes him off the list.
  const std::string m2 = "MAPPA/HANTS/2026/041";
  HoldMeeting(m2, held + absl::Hours(24 * 3));
  ASSERT_THAT(AddSubject(m2, "1", t::TestSubject(x_pnc)), IsOk());
  ASSERT_THAT(MEETING(RecordSubjectReview, Review(m2, "1", true)), IsOk());
  AwaitView(t::TestSubject(x_pnc), [&](const RiskView& v) {
    return v.latest_mappa_review().review().meeting_ref() == m2;
  });
  EXPECT_TRUE(NotConsidered().empty());

  std::map<std::string, int> listed;
  for (const AccessRecord& a : AccessRecords()) {
    if (a.view() == "mappa.DisclosureNotConsidered") ++listed[a.subject_key()];
  }
  EXPECT_EQ(listed["pnc:" + x_pnc], 2) << "the two lists that named him";
  EXPECT_EQ(listed["pnc:" + y_pnc], 1) << "the one list that named him";
  EXPECT_EQ(listed.size(), 2u);
}

// (d) The new partner of a separated father's child's mother, with nothing held: no
// disclosure, and the father is told so by letter.
TEST_F(DisclosureScenarioTest, CaseStudyD_NothingHeldMeansNoDisclosure) {
  Start("");
  const std::string ref = "CSODS/CLEVELAND/D";
  const absl::Time day0 = absl::Now() - absl::Hours(24 * 15);
  auto enquiry = t::Enquiry(ref, day0, RIGHT_TO_ASK, "cleveland");
  *enquiry.mutable_enquiry()->mutable_enquirer() = t::Party("F1", "Frank", "Father", "father (separated)", "cleveland");
  enquiry.mutable_enquiry()->set_concern("My son's mother has a new partner who will be living with my son.");
  ASSERT_THAT(STEP(ReceiveEnquiry, enquiry), IsOk());
  ASSERT_THAT(STEP(CompleteInitialChecks, t::Checks(ref, day0 + absl::Hours(5))), IsOk());
  auto application = t::Application(ref, day0 + absl::Hours(50), "cleveland");
  *application.mutable_application()->mutable_applicant() =
      t::Party("F1", "Frank", "Father", "father (separated)", "cleveland");
  ASSERT_THAT(STEP(RecordApplication, application), IsOk());
  ASSERT_THAT(STEP(RecordInterview, t::Interview(ref, day0 + absl::Hours(24 * 5))), IsOk());
  ASSERT_THAT(STEP(RecordRiskAssessment, t::Assessment(ref, day0 + absl::Hours(24 * 9))), IsOk());
  ASSERT_THAT(STEP(RecordDecision, t::Decision(ref, day0 + absl::Hours(24 * 10), NO_DISCLOSURE)), IsOk());
  EXPECT_THAT(STEP(CloseCase, t::Closure(ref, day0 + absl::Hours(24 * 10 + 1))),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition, "closure.closure:"))
      << "the father is owed his letter first";
  EXPECT_THAT(STEP(RecordNonDisclosureLetter, t::Letter(ref, day0 + absl::Hours(24 * 11), "A1")),
              testing::StatusIs(absl::StatusCode::kInvalidArgument, "letter.addressed_to:"));
  ASSERT_THAT(STEP(RecordNonDisclosureLetter, t::Letter(ref, day0 + absl::Hours(24 * 11), "F1")), IsOk());
  ASSERT_THAT(STEP(CloseCase, t::Closure(ref, day0 + absl::Hours(24 * 12))), IsOk());
  const DisclosureCase c = AwaitCase(ref, 8);
  EXPECT_EQ(c.state(), CLOSED);
  EXPECT_EQ(c.decision().outcome(), NO_DISCLOSURE);
  EXPECT_EQ(c.application().applicant().relationship_to_child(), "father (separated)");
  EXPECT_EQ(c.non_disclosure_letter().addressed_to(), "F1");
}

}  // namespace
}  // namespace safeguard
