// Issue 4's scenario end to end, through the public gRPC APIs of a running system: one
// man's facts spread over police, probation and children's services under different
// references become one picture with the right alerts once the references are linked,
// and separate again when a MAPPA user unlinks them; alerts are listed and watched as
// they are raised and cleared; and rebuilding mappa-service's state from the log gives
// the same picture.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "common/bus/event_bus_rocksdb.h"
#include "google/protobuf/util/message_differencer.h"
#include "safeguard/v1/childrens_service.grpc.pb.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "safeguard/v1/probation_service.grpc.pb.h"
#include "safeguard/v1/storage.pb.h"
#include "services/safeguardd/all_in_one.h"
#include "tests/testing/childrens_requests.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/probation_requests.h"
#include "tests/testing/access_records.h"
#include "tests/testing/alert_watcher.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_pki.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using safeguard::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kPnc[] = "2019/0012345X";
constexpr char kCrn[] = "X123456";
constexpr char kAdultCase[] = "CS-2001";
constexpr char kPoliceRecord[] = "pnc:2019/0012345X";
constexpr char kProbationRecord[] = "probation:X123456";
constexpr char kChildrensRecord[] = "childrens:CS-2001";

// The man as each agency wrote his name.
SubjectRef AsPolice() {
  SubjectRef s;
  s.set_pnc_id(kPnc);
  s.set_given_name("John");
  s.set_family_name("O'Neill");
  s.set_date_of_birth("1980-05-01");
  return s;
}
SubjectRef AsProbation() {
  SubjectRef s;
  s.set_probation_case_ref(kCrn);
  s.set_given_name("JOHN");
  s.set_family_name("ONEILL");
  s.set_date_of_birth("1980-05-01");
  return s;
}
SubjectRef AsChildrens() {
  SubjectRef s;
  s.set_childrens_case_id(kAdultCase);
  s.set_given_name("John");
  s.set_family_name("O\u2019Neill");
  s.set_date_of_birth("1980-05-01");
  return s;
}

Purpose Meeting() {
  Purpose p;
  p.set_code(MAPPA_MEETING);
  p.set_detail("MAPPA level 2 meeting M-77");
  return p;
}

class IdentityScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start() {
    auto system = AllInOneSystem::Start(AllInOneOptions{.data_dir = dir_.path(), .security = pki_.Server(), .vault = testing::TestVault()});
    ASSERT_THAT(system, IsOk());
    system_ = std::move(system).value();
    police_ = pki_.Stub<PoliceService>(system_->police_address(), "police-officer");
    probation_ = pki_.Stub<ProbationService>(system_->probation_address(), "probation-officer");
    childrens_ = pki_.Stub<ChildrensService>(system_->childrens_address(), "social-worker");
    mappa_ = pki_.Stub<MappaService>(system_->mappa_address(), "mappa-chair", "chair-3");
    identity_ = pki_.Stub<IdentityService>(system_->mappa_address(), "mappa-chair", "chair-3");
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  template <typename Call>
  CommandResult Command(Call call) {
    CommandResult result;
    grpc::Status st = call(Context().get(), &result);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return result;
  }

  absl::StatusOr<RiskView> View(const SubjectRef& subject) {
    GetRiskViewRequest r;
    *r.mutable_subject() = subject;
    *r.mutable_purpose() = Meeting();
    RiskView view;
    grpc::Status st = mappa_->GetRiskView(Context().get(), r, &view);
    if (!st.ok()) return absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
    return view;
  }

  // Polls until `done(view of subject)` (bounded: 10 s).
  RiskView AwaitView(const SubjectRef& subject, const std::function<bool(const RiskView&)>& done) {
    absl::StatusOr<RiskView> view;
    for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
      view = View(subject);
      if (view.ok() && done(*view)) return *view;
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "the view never reached the expected state: " << view.status();
    return view.ok() ? *view : RiskView();
  }

  ListIdentityLinksResponse Links(IdentityLinkStatus status) {
    ListIdentityLinksRequest r;
    *r.mutable_purpose() = Meeting();
    r.set_status(status);
    ListIdentityLinksResponse response;
    grpc::Status st = identity_->ListIdentityLinks(Context().get(), r, &response);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return response;
  }

  // Polls until `n` alerts are stored (bounded: 10 s), then lists them.
  std::vector<Alert> AwaitAlerts(size_t n) {
    std::vector<Alert> alerts;
    for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
      alerts = Alerts();
      if (alerts.size() == n) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return alerts;
  }

  std::vector<Alert> Alerts() {
    ListAlertsRequest r;
    *r.mutable_purpose() = Meeting();
    ListAlertsResponse response;
    grpc::Status st = mappa_->ListAlerts(Context().get(), r, &response);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {response.alerts().begin(), response.alerts().end()};
  }

  grpc::Status Decide(grpc::Status (IdentityService::Stub::*rpc)(grpc::ClientContext*, const DecideIdentityLinkRequest&,
                                                                  CommandResult*),
                      const std::string& command_id, const std::string& link_id, const std::string& reason) {
    DecideIdentityLinkRequest r;
    r.set_command_id(command_id);
    r.set_link_id(link_id);
    r.set_reason(reason);
    CommandResult result;
    return (identity_.get()->*rpc)(Context().get(), r, &result);
  }

  std::vector<AccessRecord> AccessRecords() { return testing::AccessRecordsOn(*system_->embedded_bus()); }

  testing::TestPki& pki_ = testing::TestPki::Get();
  TempDir dir_;
  std::unique_ptr<AllInOneSystem> system_;
  std::unique_ptr<PoliceService::Stub> police_;
  std::unique_ptr<ProbationService::Stub> probation_;
  std::unique_ptr<ChildrensService::Stub> childrens_;
  std::unique_ptr<MappaService::Stub> mappa_;
  std::unique_ptr<IdentityService::Stub> identity_;
};

TEST_F(IdentityScenarioTest, OneManAcrossThreeAgenciesBecomesOnePictureWithItsAlerts) {
  auto watcher = std::make_unique<testing::AlertWatcher>(mappa_.get(), Meeting());

  // Police: a child sexual offence conviction, by PNC id.
  RecordConvictionRequest conviction = testing::ValidConviction("cmd-conviction-1", kPnc);
  *conviction.mutable_header()->mutable_subject() = AsPolice();
  const CommandResult convicted =
      Command([&](auto* ctx, auto* out) { return police_->RecordConviction(ctx, conviction, out); });
  // Probation: on licence, by CRN only, forbidden unsupervised contact with children.
  StartSupervisionRequest supervision = testing::ValidSupervision("cmd-supervision-1", kCrn);
  *supervision.mutable_header()->mutable_subject() = AsProbation();
  Command([&](auto* ctx, auto* out) { return probation_->StartSupervision(ctx, supervision, out); });
  SetLicenceConditionsRequest conditions = testing::ValidConditions("cmd-conditions-1", kCrn);
  *conditions.mutable_header()->mutable_subject() = AsProbation();
  const CommandResult conditioned =
      Command([&](auto* ctx, auto* out) { return probation_->SetLicenceConditions(ctx, conditions, out); });
  // Children's services: the adult, by their own case id, regularly visits a child on a plan.
  RecordHouseholdMembershipRequest visit = testing::ValidMembership("cmd-household-1");
  *visit.mutable_header()->mutable_subject() = AsChildrens();
  const CommandResult visiting =
      Command([&](auto* ctx, auto* out) { return childrens_->RecordHouseholdMembership(ctx, visit, out); });
  Command([&](auto* ctx, auto* out) { return childrens_->StartChildProtectionPlan(ctx, testing::ValidPlan(), out); });

  // Three records, no picture joins them, and no agency alone shows the danger.
  RiskView alone = AwaitView(AsChildrens(), [](const RiskView& v) { return v.children_in_contact_size() == 1; });
  EXPECT_THAT(alone.linked_records(), ElementsAre(kChildrensRecord));
  EXPECT_THAT(alone.alerts(), IsEmpty());
  AwaitView(AsProbation(), [](const RiskView& v) { return v.supervisions_size() == 1 && v.identity_links_size() == 2; });
  EXPECT_THAT(Alerts(), IsEmpty());
  // The same name and date of birth, written three ways: three proposals, none acted on.
  ListIdentityLinksResponse candidates = Links(CANDIDATE);
  ASSERT_EQ(candidates.links_size(), 3);
  for (const auto& d : candidates.links()) {
    EXPECT_TRUE(d.link().name_match());
    EXPECT_GE(d.link().match().weight(), 18.0) << "scored, with the reasons shown";
    EXPECT_FALSE(d.link().match().reasons().empty());
  }

  // Probation records his PNC id beside the CRN: the exact match links those two at once.
  RecordRiskAssessmentRequest assessment = testing::ValidAssessment("cmd-assessment-1", kCrn);
  *assessment.mutable_header()->mutable_subject() = AsProbation();
  assessment.mutable_header()->mutable_subject()->set_pnc_id(kPnc);
  Command([&](auto* ctx, auto* out) { return probation_->RecordRiskAssessment(ctx, assessment, out); });
  RiskView two = AwaitView(AsProbation(), [](const RiskView& v) { return v.linked_records_size() == 2; });
  EXPECT_THAT(two.linked_records(), ElementsAre(kPoliceRecord, kProbationRecord));
  EXPECT_EQ(two.convictions_size(), 1);
  candidates = Links(CANDIDATE);  // the police-probation proposal is settled by the exact match
  ASSERT_EQ(candidates.links_size(), 2);

  // A MAPPA user confirms the children's services record is the same man.
  std::string link_id;
  for (const auto& d : candidates.links()) {
    if (d.link().record_b() == kProbationRecord) link_id = d.link().link_id();
  }
  ASSERT_FALSE(link_id.empty());
  EXPECT_EQ(Decide(&IdentityService::Stub::ConfirmIdentityLink, "cmd-link-1", link_id, "").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // a decision needs its reason
  ASSERT_TRUE(Decide(&IdentityService::Stub::ConfirmIdentityLink, "cmd-link-1", link_id,
                     "Confirmed at MAPPA meeting M-77: same address, photograph and NHS number")
                  .ok());
  EXPECT_EQ(Decide(&IdentityService::Stub::ConfirmIdentityLink, "cmd-link-2", link_id, "again").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // already linked

  // One picture, found by any of the three references, with the alerts it shows.
  RiskView one = AwaitView(AsChildrens(), [](const RiskView& v) { return v.linked_records_size() == 3; });
  EXPECT_EQ(one.subject_key(), kPoliceRecord);
  EXPECT_THAT(one.linked_records(), ElementsAre(kPoliceRecord, kProbationRecord, kChildrensRecord));
  EXPECT_EQ(one.convictions_size(), 1);
  EXPECT_EQ(one.supervisions_size(), 1);
  EXPECT_EQ(one.risk_assessments_size(), 1);
  ASSERT_EQ(one.children_in_contact_size(), 1);
  EXPECT_EQ(one.children_in_contact(0).open_plans_size(), 1);
  EXPECT_TRUE(one.flags().duty_to_consider_disclosure());
  EXPECT_TRUE(one.flags().child_in_contact_has_open_protection_plan());
  ASSERT_EQ(one.alerts_size(), 1);
  EXPECT_EQ(one.alerts(0).rule(), RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD);
  EXPECT_THAT(one.alerts(0).raised_by_event_ids(),
              UnorderedElementsAre(convicted.event_id(), conditioned.event_id(), visiting.event_id()));
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(one, *View(AsPolice())));  // same by PNC id

  // The reads were recorded against every record the picture combines.
  std::set<std::string> consulted;
  for (const AccessRecord& a : AccessRecords()) {
    if (a.actor().user() == "chair-3" && a.view() == "mappa.RiskView") consulted.insert(a.subject_key());
  }
  EXPECT_THAT(consulted, ::testing::IsSupersetOf({kPoliceRecord, kProbationRecord, kChildrensRecord}));

  // A licence breach while the child visits raises the second alert.
  RecordLicenceBreachRequest breach = testing::ValidLicenceBreach("cmd-breach-1", kCrn);
  *breach.mutable_header()->mutable_subject() = AsProbation();
  breach.mutable_breach()->set_breach_date("2024-07-01");
  Command([&](auto* ctx, auto* out) { return probation_->RecordLicenceBreach(ctx, breach, out); });
  AwaitView(AsPolice(), [](const RiskView& v) { return v.alerts_size() == 2; });
  std::vector<Alert> listed = AwaitAlerts(2);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].subject_key(), kPoliceRecord);
  EXPECT_EQ(listed[0].rule(), RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD);
  EXPECT_EQ(listed[1].rule(), LICENCE_BREACH_WHILE_CHILD_IN_CONTACT);
  EXPECT_THAT(watcher->Await(2), ElementsAre(std::pair(ALERT_RAISED, RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD),
                                            std::pair(ALERT_RAISED, LICENCE_BREACH_WHILE_CHILD_IN_CONTACT)));

  // The state mappa-service holds is derived: rebuilt from the log, it is the same.
  const RiskView before = *View(AsPolice());
  watcher.reset();
  system_.reset();
  std::filesystem::remove_all(std::filesystem::path(dir_.path()) / "mappa");
  Start();
  RiskView rebuilt = AwaitView(AsChildrens(), [](const RiskView& v) { return v.alerts_size() == 2; });
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(before, rebuilt))
      << before.DebugString() << "\n---\n" << rebuilt.DebugString();
  EXPECT_EQ(AwaitAlerts(2).size(), 2u);

  // Unlinked again: the children's services record stands alone and the alerts clear.
  testing::AlertWatcher after_restart(mappa_.get(), Meeting());
  EXPECT_EQ(Decide(&IdentityService::Stub::RejectIdentityLink, "cmd-reject-1", link_id, "no").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // only a candidate can be rejected
  EXPECT_EQ(Decide(&IdentityService::Stub::UnlinkIdentity, "cmd-unlink-1", "link-00000000000000000000", "x")
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Decide(&IdentityService::Stub::UnlinkIdentity, "cmd-unlink-1", link_id,
                     "Children's services record was of his brother; NHS number mistyped")
                  .ok());
  RiskView split = AwaitView(AsChildrens(), [](const RiskView& v) { return v.linked_records_size() == 1; });
  EXPECT_THAT(split.alerts(), IsEmpty());
  EXPECT_EQ(View(AsPolice())->linked_records_size(), 2);
  EXPECT_THAT(AwaitAlerts(0), IsEmpty());
  EXPECT_THAT(after_restart.Await(4),
              ElementsAre(std::pair(ALERT_CURRENT, RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD),
                          std::pair(ALERT_CURRENT, LICENCE_BREACH_WHILE_CHILD_IN_CONTACT),
                          std::pair(ALERT_CLEARED, RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD),
                          std::pair(ALERT_CLEARED, LICENCE_BREACH_WHILE_CHILD_IN_CONTACT)));
  // Both decisions travelled as mappa-service's own events.
  auto decisions = system_->embedded_bus()->Read(kMappaTopic, 0, 100);
  ASSERT_THAT(decisions, IsOk());
  EXPECT_EQ(decisions->size(), 2u);
}

// Issue 14's scenario: three agencies hold three spellings of one man, "Michael James
// O'CONNOR" (police), "Michael J. OConnor" (probation) and "michael oconnor" (children's
// services), all born 1968-11-23. A disclosure officer finds him by name and date of
// birth; each pair is proposed with its reasons; a MAPPA chair confirms two links and the
// three records are one person, whom the same look-up then finds once.
TEST_F(IdentityScenarioTest, ThreeSpellingsOfOneManEndAsOneConfirmedPerson) {
  SubjectRef police = AsPolice();
  police.set_given_name("Michael James");
  police.set_family_name("O'CONNOR");
  police.set_date_of_birth("1968-11-23");
  SubjectRef probation = AsProbation();
  probation.set_given_name("Michael J.");
  probation.set_family_name("OConnor");
  probation.set_date_of_birth("1968-11-23");
  SubjectRef childrens = AsChildrens();
  childrens.set_given_name("michael");
  childrens.set_family_name("oconnor");
  childrens.set_date_of_birth("1968-11-23");
  RecordConvictionRequest conviction = testing::ValidConviction("cmd-conviction-1", kPnc);
  *conviction.mutable_header()->mutable_subject() = police;
  Command([&](auto* ctx, auto* out) { return police_->RecordConviction(ctx, conviction, out); });
  StartSupervisionRequest supervision = testing::ValidSupervision("cmd-supervision-1", kCrn);
  *supervision.mutable_header()->mutable_subject() = probation;
  Command([&](auto* ctx, auto* out) { return probation_->StartSupervision(ctx, supervision, out); });
  RecordHouseholdMembershipRequest visit = testing::ValidMembership("cmd-household-1");
  *visit.mutable_header()->mutable_subject() = childrens;
  Command([&](auto* ctx, auto* out) { return childrens_->RecordHouseholdMembership(ctx, visit, out); });
  AwaitView(childrens, [](const RiskView& v) { return v.identity_links_size() == 2; });

  // A Right to Ask enquiry starts with a name: the disclosure officer looks him up.
  auto disclosure_officer = pki_.Stub<MappaService>(system_->mappa_address(), "police-disclosure", "dc-4411");
  auto find = [&](const std::string& given, const std::string& family, const std::string& born) {
    FindPersonRequest r;
    r.mutable_subject()->set_given_name(given);
    r.mutable_subject()->set_family_name(family);
    r.mutable_subject()->set_date_of_birth(born);
    r.mutable_purpose()->set_code(DISCLOSURE_SCHEME_ASSESSMENT);
    r.mutable_purpose()->set_detail("CSODS/HAMPSHIRE/0042 initial checks");
    FindPersonResponse response;
    grpc::Status st = disclosure_officer->FindPerson(Context().get(), r, &response);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return response;
  };
  FindPersonResponse found = find("Mick", "O'Connor", "1968-11-23");  // as the enquirer knows him
  ASSERT_EQ(found.candidates_size(), 3) << "three records, not yet one person";
  for (const PersonCandidate& c : found.candidates()) {
    EXPECT_GE(c.match().weight(), 8.0);
    EXPECT_EQ(c.match().reasons(0).level(), "first names are forms of one name") << "Mick is Michael";
  }

  // Each pair proposed, with its reasons; nothing linked yet.
  ListIdentityLinksResponse candidates = Links(CANDIDATE);
  ASSERT_EQ(candidates.links_size(), 3);
  std::string police_probation, police_childrens;
  for (const auto& d : candidates.links()) {
    EXPECT_TRUE(d.link().match().ruled_out().empty());
    EXPECT_GE(d.link().match().weight(), 18.0);
    const std::set<std::string> pair = {d.link().record_a(), d.link().record_b()};
    if (pair.contains(kPoliceRecord) && pair.contains(kProbationRecord)) police_probation = d.link().link_id();
    if (pair.contains(kPoliceRecord) && pair.contains(kChildrensRecord)) police_childrens = d.link().link_id();
  }
  ASSERT_TRUE(Decide(&IdentityService::Stub::ConfirmIdentityLink, "cmd-confirm-1", police_probation,
                     "Same man: PNC record, OASys and photograph agree").ok());
  ASSERT_TRUE(Decide(&IdentityService::Stub::ConfirmIdentityLink, "cmd-confirm-2", police_childrens,
                     "Same man: address and photograph agree").ok());
  const RiskView one = AwaitView(childrens, [](const RiskView& v) { return v.linked_records_size() == 3; });
  EXPECT_EQ(one.subject_key(), kPoliceRecord);
  EXPECT_THAT(one.linked_records(), ElementsAre(kPoliceRecord, kProbationRecord, kChildrensRecord));
  EXPECT_EQ(Links(CANDIDATE).links_size(), 0) << "the third pair is one person already";
  found = find("Michael", "OCONNOR", "1968-11-23");
  ASSERT_EQ(found.candidates_size(), 1);
  EXPECT_EQ(found.candidates(0).person_key(), kPoliceRecord);
  EXPECT_THAT(found.candidates(0).linked_records(), ElementsAre(kPoliceRecord, kProbationRecord, kChildrensRecord));

  // Each look-up is recorded: who, why, what was searched for, and whom it showed; a
  // look-up that finds no one is recorded too.
  EXPECT_EQ(find("Nobody", "Anywhere", "1970-01-01").candidates_size(), 0);
  std::vector<AccessRecord> searches;
  for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
    searches.clear();
    for (const AccessRecord& a : AccessRecords()) {
      if (a.view() == "mappa.FindPerson") searches.push_back(a);
    }
    if (searches.size() == 3 + 3 + 1) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(searches.size(), 7u) << "three records shown, twice, and one miss";
  for (const AccessRecord& a : searches) {
    EXPECT_EQ(a.actor().user(), "dc-4411");
    EXPECT_EQ(a.purpose().code(), DISCLOSURE_SCHEME_ASSESSMENT);
    EXPECT_THAT(a.query(), ::testing::StartsWith("name and date of birth: "));
  }
  EXPECT_EQ(searches.back().subject_key(), "");
  EXPECT_THAT(searches.back().query(), ::testing::HasSubstr("Nobody Anywhere, 1970-01-01"));
}

// Bad look-ups name every field at once; a probation officer may not search the combined
// picture.
TEST_F(IdentityScenarioTest, ALookUpByNameNeedsAFamilyNameADateOfBirthAndAPurpose) {
  FindPersonRequest r;
  r.mutable_subject()->set_pnc_id(kPnc);
  FindPersonResponse response;
  grpc::Status st = mappa_->FindPerson(Context().get(), r, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  for (const char* field : {"subject.family_name", "subject.date_of_birth", "subject.pnc_id", "purpose.code"}) {
    EXPECT_THAT(st.error_message(), ::testing::HasSubstr(field));
  }
  auto probation_officer = pki_.Stub<MappaService>(system_->mappa_address(), "probation-officer");
  st = probation_officer->FindPerson(Context().get(), r, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // A name with no letters would search by date of birth alone, listing everyone born
  // that day: refused, naming it.
  FindPersonRequest unnamed;
  unnamed.mutable_subject()->set_family_name("-");
  unnamed.mutable_subject()->set_given_name("123");
  unnamed.mutable_subject()->add_aliases("?");
  unnamed.mutable_subject()->set_date_of_birth("1980-05-01");
  *unnamed.mutable_purpose() = Meeting();
  st = mappa_->FindPerson(Context().get(), unnamed, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  for (const char* field : {"subject.family_name: must hold a name", "subject.given_name: must hold a name",
                            "subject.aliases[0]: must hold a name"}) {
    EXPECT_THAT(st.error_message(), ::testing::HasSubstr(field));
  }
}

TEST_F(IdentityScenarioTest, AgenciesDisagreeingOnRiskRaiseAnAlertUntilTheyAgree) {
  ListAlertsRequest disagree;
  *disagree.mutable_purpose() = Meeting();
  disagree.set_rule(RISK_LEVELS_DISAGREE);
  auto listed = [&] {
    ListAlertsResponse r;
    EXPECT_TRUE(mappa_->ListAlerts(Context().get(), disagree, &r).ok());
    return r;
  };
  auto await = [&](int n) {
    ListAlertsResponse r = listed();
    for (const absl::Time deadline = absl::Now() + absl::Seconds(10); r.alerts_size() != n && absl::Now() < deadline;) {
      absl::SleepFor(absl::Milliseconds(20));
      r = listed();
    }
    return r;
  };

  RecordRiskAssessmentRequest oasys = testing::ValidAssessment("cmd-oasys-1", kCrn);  // HIGH, 2024-03-01
  oasys.mutable_header()->mutable_subject()->set_pnc_id(kPnc);
  const CommandResult probation = Command([&](auto* ctx, auto* out) { return probation_->RecordRiskAssessment(ctx, oasys, out); });
  // The police offender manager's ARMS assessment a month later puts it higher.
  const CommandResult police = Command([&](auto* ctx, auto* out) {
    return police_->RecordRiskAssessment(ctx, testing::ValidPoliceAssessment("cmd-arms-1", kPnc), out);
  });
  ListAlertsResponse raised = await(1);
  ASSERT_EQ(raised.alerts_size(), 1);
  EXPECT_EQ(raised.alerts(0).subject_key(), kPoliceRecord);
  EXPECT_THAT(raised.alerts(0).summary(), ::testing::HasSubstr("RISK_VERY_HIGH"));
  EXPECT_THAT(raised.alerts(0).raised_by_event_ids(), UnorderedElementsAre(probation.event_id(), police.event_id()));

  // Probation reassesses and agrees: the alert clears.
  RecordRiskAssessmentRequest agree = testing::ValidAssessment("cmd-oasys-2", kCrn, "OASYS-2");
  agree.mutable_header()->mutable_subject()->set_pnc_id(kPnc);
  agree.mutable_assessment()->set_assessed_on("2024-05-01");
  agree.mutable_assessment()->set_rosh_overall(RISK_VERY_HIGH);
  Command([&](auto* ctx, auto* out) { return probation_->RecordRiskAssessment(ctx, agree, out); });
  EXPECT_EQ(await(0).alerts_size(), 0);
}

}  // namespace
}  // namespace safeguard
