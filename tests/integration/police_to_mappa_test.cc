// The foundation's path end to end: police-service over real gRPC on loopback, the
// outbox relay, the embedded bus, mappa-service's consumer and its gRPC reads.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>

#include "common/bus/event_bus_rocksdb.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/disclosure_service.grpc.pb.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "safeguard/v1/probation_service.grpc.pb.h"
#include "safeguard/v1/childrens_service.grpc.pb.h"
#include "safeguard/v1/storage.pb.h"
#include "services/safeguardd/all_in_one.h"
#include "tests/testing/disclosure_requests.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/probation_requests.h"
#include "tests/testing/childrens_requests.h"
#include "tests/testing/access_records.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_pki.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using safeguard::testing::TempDir;

class PoliceToMappaTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start() {
    auto system = AllInOneSystem::Start(AllInOneOptions{.data_dir = dir_.path(), .security = pki_.Server(), .vault = testing::TestVault()});
    ASSERT_THAT(system, IsOk());
    system_ = std::move(system).value();
    // Each agency's user, as their client certificates name them.
    police_ = pki_.Stub<PoliceService>(system_->police_address(), "police-officer", "officer-7");
    mappa_ = pki_.Stub<MappaService>(system_->mappa_address(), "mappa-coordinator", "chair-3");
    probation_ = pki_.Stub<ProbationService>(system_->probation_address(), "probation-officer", "om-4");
    childrens_ = pki_.Stub<ChildrensService>(system_->childrens_address(), "social-worker", "sw-2");
  }

  void Restart() {
    police_.reset();
    mappa_.reset();
    probation_.reset();
    childrens_.reset();
    system_.reset();
    Start();
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  static GetRiskViewRequest ViewRequest(const std::string& pnc) {
    GetRiskViewRequest r;
    r.mutable_subject()->set_pnc_id(pnc);
    r.mutable_purpose()->set_code(RISK_MANAGEMENT);
    r.mutable_purpose()->set_detail("MAPPA level 2 review, meeting M-42");
    return r;
  }

  // Polls the view until it has applied `events` events (bounded: 10 s).
  RiskView AwaitView(const std::string& pnc, uint64_t events) {
    RiskView view;
    const auto deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      view.Clear();
      grpc::Status st = mappa_->GetRiskView(Context().get(), ViewRequest(pnc), &view);
      if (st.ok() && view.events_applied() >= events) return view;
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "view of " << pnc << " did not reach " << events << " events";
    return view;
  }

  std::vector<AccessRecord> AccessRecords() { return testing::AccessRecordsOn(*system_->embedded_bus()); }

  testing::TestPki& pki_ = testing::TestPki::Get();
  TempDir dir_;
  std::unique_ptr<AllInOneSystem> system_;
  std::unique_ptr<PoliceService::Stub> police_;
  std::unique_ptr<MappaService::Stub> mappa_;
  std::unique_ptr<ProbationService::Stub> probation_;
  std::unique_ptr<ChildrensService::Stub> childrens_;
};

TEST_F(PoliceToMappaTest, ConvictionAndNotificationAppearInViewAndTimelineWithProvenance) {
  CommandResult conviction, notification;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction(), &conviction).ok());
  ASSERT_TRUE(police_->RecordRegisterNotification(Context().get(), testing::ValidNotification(),
                                                  &notification).ok());
  EXPECT_EQ(conviction.stream_version(), 1u);
  EXPECT_EQ(notification.stream_version(), 2u);

  RiskView view = AwaitView("2019/0012345X", 2);
  ASSERT_EQ(view.convictions_size(), 1);
  const Provenance& cp = view.convictions(0).provenance();
  EXPECT_EQ(cp.event_id(), conviction.event_id());
  EXPECT_EQ(cp.agency(), AGENCY_POLICE);
  EXPECT_EQ(cp.recorded_by().user(), "officer-7");
  EXPECT_EQ(cp.recorded_at().seconds(), conviction.recorded_at().seconds());
  EXPECT_TRUE(view.flags().duty_to_consider_disclosure());
  EXPECT_TRUE(view.register_().registered());
  EXPECT_EQ(view.register_().provenance().event_id(), notification.event_id());
  EXPECT_EQ(view.register_().latest().addresses(0).postcode(), "LS1 4AP");
  EXPECT_FALSE(view.as_of_date().empty());

  GetTimelineRequest tr;
  tr.mutable_subject()->set_pnc_id("2019/0012345X");
  *tr.mutable_purpose() = ViewRequest("x").purpose();
  GetTimelineResponse timeline;
  ASSERT_TRUE(mappa_->GetTimeline(Context().get(), tr, &timeline).ok());
  ASSERT_EQ(timeline.entries_size(), 2);
  // Ordered by when things happened: the 2019 conviction, then the 2024 notification.
  EXPECT_EQ(timeline.entries(0).provenance().event_id(), conviction.event_id());
  EXPECT_EQ(timeline.entries(1).provenance().event_id(), notification.event_id());
  EXPECT_THAT(timeline.entries(1).summary(), ::testing::HasSubstr("Register notification"));
}

// What a copy of the bus, of an agency's store or of the key records shows of a person:
// nothing. Their name, date of birth, PNC id, address, offence and court are sealed in
// every event and every access record; mappa-service and the officer still see it all.
TEST_F(PoliceToMappaTest, ATopicOrAnAgencysStoreNamesNoOneAndThePanelStillSeesEverything) {
  CommandResult conviction;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction(), &conviction).ok());
  ASSERT_TRUE(police_->RecordRegisterNotification(Context().get(), testing::ValidNotification(), &conviction).ok());
  // An order (its reference kept in the stream's state, for the rule that names it once)
  // and a disclosure enquiry (the enquirer, the child and the concern, kept as the case).
  ASSERT_TRUE(police_->RecordOrder(Context().get(), testing::ValidOrder("cmd-order-sealed", "2019/0012345X", "SHPO-77301"),
                                   &conviction)
                  .ok());
  auto disclosure = pki_.Stub<DisclosureService>(system_->police_address(), "police-disclosure", "dc-1");
  grpc::Status enquiry = disclosure->ReceiveEnquiry(
      Context().get(), testing::Enquiry("CSODS/KENT/77", absl::Now() - absl::Hours(1), RIGHT_TO_ASK, "kent"), &conviction);
  ASSERT_TRUE(enquiry.ok()) << enquiry.error_message();
  RiskView view = AwaitView("2019/0012345X", 3);
  ASSERT_EQ(view.convictions_size(), 1);
  EXPECT_EQ(view.convictions(0).conviction().court(), "Leeds Crown Court");
  EXPECT_EQ(view.register_().latest().addresses(0).line1(), "1 High Street");
  // The reads are recorded, and the auditor (with the keys) reads who and what.
  std::vector<AccessRecord> reads;
  for (const absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end && reads.empty();) {
    reads = AccessRecords();
  }
  ASSERT_FALSE(reads.empty());
  EXPECT_EQ(reads.back().subject_key(), "pnc:2019/0012345X");
  const safeguard::v1::SubjectRef subject = testing::TestSubject();
  system_.reset();  // everything written and closed
  const std::vector<std::string> personal = {"2019/0012345X", subject.family_name(), subject.given_name(),
                                             subject.date_of_birth(), "Leeds Crown Court", "1 High Street",
                                             "LS1 4AP", "ls1 4ap", "Sexual assault of a child", "SHPO-77301",
                                             "Applicant", "Chloe", "Dennis", "01234 567890", "spends time alone"};
  size_t files = 0;
  for (const std::string& where : {dir_.Sub("bus"), dir_.Sub("police")}) {
    for (const auto& file : std::filesystem::recursive_directory_iterator(where)) {
      if (!file.is_regular_file()) continue;
      ++files;
      std::ifstream in(file.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (const std::string& p : personal) {
        ASSERT_FALSE(p.empty());
        EXPECT_EQ(bytes.find(p), std::string::npos) << p << " is in " << file.path();
      }
    }
  }
  EXPECT_GT(files, 4u);
}

TEST_F(PoliceToMappaTest, EveryReadIsRecordedBeforeItIsAnswered) {
  CommandResult r;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction(), &r).ok());
  AwaitView("2019/0012345X", 1);
  const size_t before = AccessRecords().size();
  RiskView view;
  ASSERT_TRUE(mappa_->GetRiskView(Context().get(), ViewRequest("2019/12345x"), &view).ok());
  GetRiskViewRequest unknown = ViewRequest("2001/0000001A");
  EXPECT_EQ(mappa_->GetRiskView(Context().get(), unknown, &view).error_code(),
            grpc::StatusCode::NOT_FOUND);
  auto records = AccessRecords();
  ASSERT_EQ(records.size(), before + 2);
  const AccessRecord& seen = records[before];
  EXPECT_EQ(seen.actor().user(), "chair-3");
  EXPECT_EQ(seen.actor().role(), "mappa-coordinator");
  EXPECT_EQ(seen.subject_key(), "pnc:2019/0012345X");
  EXPECT_EQ(seen.view(), "mappa.RiskView");
  EXPECT_EQ(seen.purpose().code(), RISK_MANAGEMENT);
  EXPECT_EQ(seen.purpose().detail(), "MAPPA level 2 review, meeting M-42");
  EXPECT_FALSE(seen.access_id().empty());
  // A look-up of someone not held is a consultation too.
  EXPECT_EQ(records[before + 1].subject_key(), "pnc:2001/0000001A");
}

TEST_F(PoliceToMappaTest, ErrorsOverGrpcNameTheProblemAndChangeNothing) {
  CommandResult r;
  // A caller whose role may not record police facts (tests/integration/access_test.cc has
  // every rule).
  auto as_probation = pki_.Stub<PoliceService>(system_->police_address(), "probation-officer");
  grpc::Status st = as_probation->RecordConviction(Context().get(), testing::ValidConviction(), &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr("may not call PoliceService.RecordConviction"));
  // A bad field.
  auto bad = testing::ValidConviction();
  bad.mutable_conviction()->set_offence_date("yesterday");
  st = police_->RecordConviction(Context().get(), bad, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), ::testing::StartsWith("conviction.offence_date:"));
  // A request over the server's size limit is refused by gRPC itself.
  auto huge = testing::ValidConviction();
  huge.mutable_conviction()->set_offence(std::string(2 << 20, 'x'));
  EXPECT_EQ(police_->RecordConviction(Context().get(), huge, &r).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A read without a purpose.
  RiskView view;
  GetRiskViewRequest no_purpose = ViewRequest("2019/0012345X");
  no_purpose.clear_purpose();
  st = mappa_->GetRiskView(Context().get(), no_purpose, &view);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), ::testing::StartsWith("purpose.code:"));
  // Nothing reached the bus.
  EXPECT_EQ(system_->embedded_bus()->EndOffset(kPoliceTopic), 0);
}

TEST_F(PoliceToMappaTest, StateSurvivesRestartAndCommandsStayIdempotent) {
  CommandResult first;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction(), &first).ok());
  AwaitView("2019/0012345X", 1);
  Restart();
  CommandResult replay;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction(), &replay).ok());
  EXPECT_TRUE(replay.idempotent_replay());
  EXPECT_EQ(replay.event_id(), first.event_id());
  CommandResult next;
  ASSERT_TRUE(police_->RecordIntelligence(Context().get(), testing::ValidIntelligence(), &next).ok());
  EXPECT_EQ(next.stream_version(), 2u);
  EXPECT_EQ(next.log_sequence(), 2u);
  RiskView view = AwaitView("2019/0012345X", 2);
  EXPECT_EQ(view.convictions_size(), 1);
  EXPECT_EQ(view.intelligence_size(), 1);
}

TEST_F(PoliceToMappaTest, PoliceAndProbationFactsAboutOnePersonMergeIntoOneView) {
  CommandResult r;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction(), &r).ok());
  // Probation knows the same person by case reference and PNC id.
  auto supervision = testing::ValidSupervision();
  supervision.mutable_header()->mutable_subject()->set_pnc_id("2019/0012345X");
  CommandResult started;
  grpc::Status st = probation_->StartSupervision(Context().get(), supervision, &started);
  ASSERT_TRUE(st.ok()) << st.error_message();
  auto assessment = testing::ValidAssessment();
  assessment.mutable_header()->mutable_subject()->set_pnc_id("2019/0012345X");
  ASSERT_TRUE(probation_->RecordRiskAssessment(Context().get(), assessment, &r).ok());

  RiskView view = AwaitView("2019/0012345X", 3);
  EXPECT_EQ(view.convictions_size(), 1);
  ASSERT_EQ(view.supervisions_size(), 1);
  EXPECT_EQ(view.supervisions(0).provenance().event_id(), started.event_id());
  EXPECT_EQ(view.supervisions(0).provenance().agency(), AGENCY_PROBATION);
  EXPECT_EQ(view.supervisions(0).provenance().recorded_by().user(), "om-4");
  EXPECT_EQ(view.highest_current_rosh(), RISK_HIGH);
  EXPECT_TRUE(view.flags().duty_to_consider_disclosure());
  EXPECT_TRUE(view.flags().under_probation_supervision());
  EXPECT_THAT(view.references(), ::testing::Contains("probation:X123456"));

  // The same view answers to the probation case reference.
  GetRiskViewRequest by_crn = ViewRequest("");
  by_crn.mutable_subject()->Clear();
  by_crn.mutable_subject()->set_probation_case_ref("x123456");
  RiskView same;
  ASSERT_TRUE(mappa_->GetRiskView(Context().get(), by_crn, &same).ok());
  EXPECT_EQ(same.subject_key(), "pnc:2019/0012345X");

  // One timeline across agencies, in the order things happened.
  GetTimelineRequest tr;
  tr.mutable_subject()->set_pnc_id("2019/0012345X");
  *tr.mutable_purpose() = ViewRequest("x").purpose();
  GetTimelineResponse timeline;
  ASSERT_TRUE(mappa_->GetTimeline(Context().get(), tr, &timeline).ok());
  ASSERT_EQ(timeline.entries_size(), 3);
  EXPECT_EQ(timeline.entries(0).provenance().agency(), AGENCY_POLICE);      // 2019 conviction
  EXPECT_EQ(timeline.entries(1).provenance().agency(), AGENCY_PROBATION);   // 2023 supervision
  EXPECT_EQ(timeline.entries(2).provenance().agency(), AGENCY_PROBATION);   // 2024 assessment
}

TEST_F(PoliceToMappaTest, ChildrenInContactBringTheirOpenProtectionPlans) {
  CommandResult r;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction(), &r).ok());
  // Children's services: a child on a protection plan, whom the subject regularly visits.
  ASSERT_TRUE(childrens_->StartChildProtectionPlan(Context().get(), testing::ValidPlan(), &r).ok());
  grpc::Status st = childrens_->RecordHouseholdMembership(Context().get(), testing::ValidMembership(), &r);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_TRUE(childrens_->RecordConcernAboutAdult(Context().get(), testing::ValidConcern(), &r).ok());

  RiskView view = AwaitView("2019/0012345X", 3);
  ASSERT_EQ(view.children_in_contact_size(), 1);
  const ChildInContact& c = view.children_in_contact(0);
  EXPECT_EQ(c.child().childrens_case_id(), "CS-1001");
  EXPECT_EQ(c.contact(), REGULARLY_VISITS);
  EXPECT_TRUE(c.current());
  EXPECT_EQ(c.provenance().agency(), AGENCY_CHILDRENS_SERVICES);
  ASSERT_EQ(c.open_plans_size(), 1);
  EXPECT_EQ(c.open_plans(0).plan().category(), SEXUAL_ABUSE);
  EXPECT_TRUE(view.flags().child_in_contact());
  EXPECT_TRUE(view.flags().child_in_contact_has_open_protection_plan());
  EXPECT_TRUE(view.flags().concern_about_contact_with_child());
  EXPECT_TRUE(view.flags().duty_to_consider_disclosure());

  // Reading the adult's view consulted the child's record too, and that is recorded.
  bool child_consultation_recorded = false;
  for (const AccessRecord& a : AccessRecords()) {
    if (a.subject_key() == "childrens:CS-1001" && a.view() == "mappa.RiskView/child-in-contact") {
      child_consultation_recorded = true;
      EXPECT_EQ(a.purpose().code(), RISK_MANAGEMENT);
    }
  }
  EXPECT_TRUE(child_consultation_recorded);

  // The child's own record is readable by its case id.
  GetRiskViewRequest child_request = ViewRequest("");
  child_request.mutable_subject()->Clear();
  child_request.mutable_subject()->set_childrens_case_id("cs-1001");
  RiskView child;
  ASSERT_TRUE(mappa_->GetRiskView(Context().get(), child_request, &child).ok());
  EXPECT_TRUE(child.flags().on_child_protection_plan());

  // The plan ends: still in contact, no open plan.
  ASSERT_TRUE(childrens_->EndChildProtectionPlan(Context().get(), testing::ValidPlanEnding(), &r).ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  do {
    view = AwaitView("2019/0012345X", 3);
    if (!view.flags().child_in_contact_has_open_protection_plan()) break;
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < deadline);
  EXPECT_FALSE(view.flags().child_in_contact_has_open_protection_plan());
  EXPECT_TRUE(view.flags().child_in_contact());

  // The membership ends: no child in contact any more.
  ASSERT_TRUE(childrens_->EndHouseholdMembership(Context().get(), testing::ValidMembershipEnding(), &r).ok());
  view = AwaitView("2019/0012345X", 4);
  EXPECT_FALSE(view.children_in_contact(0).current());
  EXPECT_FALSE(view.flags().child_in_contact());
}

// Each server answers SERVING once ready: at once for the agencies', and for mappa-service
// once its consumer has learnt where the log ends (its first poll).
TEST_F(PoliceToMappaTest, ServersAnswerTheStandardHealthCheck) {
  for (const std::string& address :
       {system_->police_address(), system_->probation_address(), system_->childrens_address(),
        system_->mappa_address()}) {
   std::string bytes;
   for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;
        absl::SleepFor(absl::Milliseconds(50))) {
    grpc::GenericStub stub(grpc::CreateChannel(address, pki_.As("operator")));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::ByteBuffer request;  // HealthCheckRequest{service: ""} encodes to no bytes
    grpc::Slice empty("");
    request = grpc::ByteBuffer(&empty, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status s) { done.set_value(s); });
    ASSERT_TRUE(done.get_future().get().ok()) << address;
    std::vector<grpc::Slice> slices;
    ASSERT_TRUE(response.Dump(&slices).ok());
    bytes.clear();
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    if (bytes == std::string("\x08\x01", 2)) break;
   }
   EXPECT_EQ(bytes, std::string("\x08\x01", 2)) << address << ": status SERVING";
  }
}

}  // namespace
}  // namespace safeguard
