// The access rules, through gRPC over mutual TLS against a running system: every method of
// every Safeguard service, called by every role of the shipped access policy, is allowed
// or refused exactly as the table below (and docs/security.md) says. The table is written
// out here, not read from the policy, so that a change to the policy that lets anyone
// reach anything new fails this test until the table (and the docs) agree.
//
// Then what the table cannot show: connections without a certificate of this CA; a
// certificate claiming a role its agency does not hold, or one the policy does not know;
// a revoked certificate; reads without a purpose; the record each read leaves; an
// agency's own record; and development plaintext.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <future>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/security/access_policy.h"
#include "common/security/delegation.h"
#include "common/security/live_policy.h"
#include "safeguard/v1/agency_records.pb.h"
#include "safeguard/v1/childrens_service.grpc.pb.h"
#include "safeguard/v1/disclosure_reads.grpc.pb.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/meeting_service.grpc.pb.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "safeguard/v1/probation_service.grpc.pb.h"
#include "services/safeguardd/all_in_one.h"
#include "tests/testing/access_records.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/probation_requests.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_pki.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using ::testing::HasSubstr;

// What each role may call: "Service/Method", or "Service/*" for all of a service.
const std::map<std::string, std::vector<std::string>>& AllowedByRole() {
  static const auto* const table = new std::map<std::string, std::vector<std::string>>{
      {"police-officer", {"PoliceService/*"}},
      {"police-disclosure",
       {"DisclosureService/*", "PoliceService/GetRecord", "MappaService/*", "DisclosureCaseService/*",
        "MeetingService/ListMeetings", "MeetingService/GetMeeting", "MeetingService/ListDisclosureNotConsidered"}},
      {"probation-officer", {"ProbationService/*"}},
      {"social-worker", {"ChildrensService/*"}},
      // Each at its own agency's service (another agency's refuses them: ServersOf).
      {"police-data-protection", {"DataProtectionService/*"}},
      {"probation-data-protection", {"DataProtectionService/*"}},
      {"childrens-data-protection", {"DataProtectionService/*"}},
      {"mappa-coordinator", {"MappaService/*", "DisclosureCaseService/*", "MeetingService/*", "IdentityService/*"}},
      {"mappa-chair", {"MappaService/*", "DisclosureCaseService/*", "MeetingService/*", "IdentityService/*"}},
      {"mappa-panel-member",
       {"MappaService/*", "DisclosureCaseService/*", "MeetingService/ListMeetings", "MeetingService/GetMeeting",
        "MeetingService/ListDisclosureNotConsidered", "IdentityService/ListIdentityLinks"}},
      {"platform", {"ScreeningService/CheckIdentifier"}},
      {"auditor", {"AuditService/*"}},
      {"operator", {"OperationsService/*"}},
      {"console", {}},  // acts only for people (below), never as itself
  };
  return *table;
}

bool Allowed(const std::string& role, const std::string& path) {
  // "/safeguard.v1.PoliceService/RecordConviction" -> "PoliceService", "RecordConviction"
  std::vector<std::string> parts = absl::StrSplit(path.substr(std::string("/safeguard.v1.").size()), '/');
  for (const std::string& grant : AllowedByRole().at(role)) {
    if (grant == parts[0] + "/*" || grant == parts[0] + "/" + parts[1]) return true;
  }
  return false;
}

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(pki_.Server()); }

  void Start(security::ServerSecurity security) {
    system_.reset();
    auto system = AllInOneSystem::Start(AllInOneOptions{.data_dir = dir_.path(), .security = std::move(security), .vault = testing::TestVault()});
    ASSERT_THAT(system, IsOk());
    system_ = std::move(system).value();
  }

  // The servers that serve `path` to `role`: its agency's, or every one for the services
  // every server has. DataProtectionService is every agency service's, each for its own
  // agency's officers (one of another agency is refused whatever the policy grants:
  // erasure_test.cc), so a data protection officer's calls go to its own agency's.
  std::vector<std::string> ServersOf(const std::string& path, const std::string& role) const {
    if (absl::StartsWith(path, "/safeguard.v1.DataProtectionService/")) {
      if (role == "probation-data-protection") return {system_->probation_address()};
      if (role == "childrens-data-protection") return {system_->childrens_address()};
      if (role == "police-data-protection") return {system_->police_address()};
      return {system_->police_address(), system_->probation_address(), system_->childrens_address()};
    }
    if (absl::StartsWith(path, "/safeguard.v1.AuditService/") ||
        absl::StartsWith(path, "/safeguard.v1.OperationsService/")) {
      return {system_->police_address(), system_->probation_address(), system_->childrens_address(),
              system_->mappa_address()};
    }
    if (absl::StartsWith(path, "/safeguard.v1.PoliceService/") ||
        absl::StartsWith(path, "/safeguard.v1.DisclosureService/")) {
      return {system_->police_address()};
    }
    if (absl::StartsWith(path, "/safeguard.v1.ProbationService/")) return {system_->probation_address()};
    if (absl::StartsWith(path, "/safeguard.v1.ChildrensService/")) return {system_->childrens_address()};
    return {system_->mappa_address()};
  }

  // Calls `path` at `address` with the serialised `request` (empty by default), through
  // `credentials`, forwarding `forwarded` as x-forwarded-client-cert when not empty.
  static grpc::Status Call(const std::string& address, const std::string& path,
                                const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                                const std::string& request_bytes = "", const std::string& forwarded = "") {
    return CallOn(grpc::CreateChannel(address, credentials), path, request_bytes, forwarded);
  }

  static grpc::Status CallOn(const std::shared_ptr<grpc::Channel>& channel, const std::string& path,
                             const std::string& request_bytes, const std::string& forwarded) {
    grpc::GenericStub stub(channel);
    grpc::ClientContext ctx;
    if (!forwarded.empty()) ctx.AddMetadata(security::kForwardedClientCertHeader, forwarded);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Slice bytes(request_bytes);
    grpc::ByteBuffer request(&bytes, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, path, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  }

  std::vector<AccessRecord> AccessRecords() { return testing::AccessRecordsOn(*system_->embedded_bus()); }

  testing::TestPki& pki_ = testing::TestPki::Get();
  testing::TempDir dir_;
  std::unique_ptr<AllInOneSystem> system_;
};

TEST_F(AccessTest, EveryRoleMayCallExactlyWhatTheTableSays) {
  const std::vector<std::string> methods = security::AccessPolicy::AllMethods();
  ASSERT_GE(methods.size(), 60u) << "every method of every service";
  // Every role the shipped policy defines is in the table, and nothing else.
  std::set<std::string> policy_roles;
  for (const auto& role : pki_.Server().policy->current()->roles()) policy_roles.insert(role.name);
  std::set<std::string> table_roles;
  for (const auto& [role, grants] : AllowedByRole()) table_roles.insert(role);
  EXPECT_EQ(policy_roles, table_roles);

  int allowed = 0, refused = 0;
  for (const auto& [role, grants] : AllowedByRole()) {
    const auto credentials = pki_.As(role);
    for (const std::string& path : methods) {
      for (const std::string& address : ServersOf(path, role)) {
        const grpc::Status st = Call(address, path, credentials);
        SCOPED_TRACE(absl::StrCat(role, " calls ", path, " at ", address, ": ", st.error_code(), " ",
                                  st.error_message()));
        if (Allowed(role, path)) {
          ++allowed;
          EXPECT_NE(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
          EXPECT_NE(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
          EXPECT_NE(st.error_code(), grpc::StatusCode::UNIMPLEMENTED) << "served where the test calls it";
        } else {
          ++refused;
          EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
          EXPECT_THAT(st.error_message(), HasSubstr(absl::StrCat("role '", role, "' may not call")));
        }
      }
    }
  }
  // Empty requests are bad input: nothing reached any agency's topic.
  for (const char* topic : {kPoliceTopic, kProbationTopic, kChildrensTopic}) {
    EXPECT_EQ(system_->embedded_bus()->EndOffset(topic), 0) << topic;
  }
  std::cout << "access table: " << allowed << " calls allowed and " << refused << " refused, as the table says"
            << std::endl;
}

TEST_F(AccessTest, HealthAndReflectionAreOpenToEveryRoleOfThePolicy) {
  for (const auto& [role, grants] : AllowedByRole()) {
    EXPECT_TRUE(Call(system_->mappa_address(), "/grpc.health.v1.Health/Check", pki_.As(role)).ok()) << role;
  }
}

TEST_F(AccessTest, WithoutACertificateOfThisAuthorityNoCallGetsIn) {
  const std::string path = "/grpc.health.v1.Health/Check";
  // TLS without a client certificate.
  grpc::SslCredentialsOptions server_only;
  server_only.pem_root_certs = pki_.Issue("operator").ca_pem;
  EXPECT_EQ(Call(system_->police_address(), path, grpc::SslCredentials(server_only)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Plaintext.
  EXPECT_EQ(Call(system_->police_address(), path, grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // A certificate naming a real role, signed by another authority.
  auto other_ca = security::CreateCertificateAuthority("Someone else's CA", absl::Hours(1));
  ASSERT_THAT(other_ca, IsOk());
  auto forged = security::IssueClientCertificate(*other_ca, {"police", "police-officer", "intruder"}, absl::Hours(1));
  ASSERT_THAT(forged, IsOk());
  security::ClientCredentialsSource source = pki_.Issue("operator");
  source.client = *forged;
  EXPECT_EQ(Call(system_->police_address(), path, security::MutualTlsCredentials(source)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(AccessTest, ACertificateCanHoldOnlyARoleOfItsOwnAgencyThatThePolicyKnows) {
  const std::string path = "/safeguard.v1.PoliceService/RecordConviction";
  // Probation's certificate claiming a police role.
  grpc::Status st = Call(system_->police_address(), path, pki_.As("police-officer", "om-9", "probation"));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("role 'police-officer' belongs to agency police"));
  // A role the policy does not define, even for health.
  st = Call(system_->police_address(), "/grpc.health.v1.Health/Check", pki_.As("janitor", "j-1", "police"));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("role 'janitor' is not in the access policy"));
  // An agency Safeguard does not know.
  st = Call(system_->police_address(), path, pki_.As("police-officer", "x", "housing"));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AccessTest, ARevokedCertificateIsRefusedWhileItsHoldersOthersAreNot) {
  const security::ClientCredentialsSource leaver = pki_.Issue("police-officer", "pc-leaver");
  auto subject = security::ReadCertificateSubject(leaver.client.certificate_pem);
  ASSERT_THAT(subject, IsOk());
  testing::TempDir policy_dir;
  const std::string policy_file = policy_dir.Sub("access-policy.conf");
  std::ofstream(policy_file) << security::AccessPolicy::BuiltInText() << "\nrevoke " << subject->sha256
                             << "  # left the force\n";
  auto policy = security::LivePolicy::Load(policy_file);
  ASSERT_THAT(policy, IsOk());
  security::ServerSecurity security = pki_.Server();
  security.policy = *std::move(policy);
  Start(security);

  const std::string path = "/safeguard.v1.PoliceService/RecordConviction";
  grpc::Status st = Call(system_->police_address(), path, security::MutualTlsCredentials(leaver));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("has been revoked"));
  st = Call(system_->police_address(), path, pki_.As("police-officer", "pc-stays"));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "let in; the empty command is bad input";
}

TEST_F(AccessTest, EveryReadOfPersonalDataMustStateAPurpose) {
  SubjectRef pnc;
  pnc.set_pnc_id("2019/0012345X");
  GetRiskViewRequest view;
  *view.mutable_subject() = pnc;
  GetRiskViewSectionRequest section;
  *section.mutable_subject() = pnc;
  section.set_section(INTELLIGENCE);
  GetTimelineRequest timeline;
  *timeline.mutable_subject() = pnc;
  GetDisclosureCaseRequest one_case;
  one_case.set_case_ref("CSODS/KENT/1");
  GetMeetingRequest meeting;
  meeting.set_meeting_ref("MAPPA/KENT/1");
  GetAgencyRecordRequest record;
  *record.mutable_subject() = pnc;
  struct Read {
    std::string role, address, path;
    std::string request;  // serialised, purpose left out
  };
  const std::vector<Read> reads = {
      {"mappa-panel-member", system_->mappa_address(), "/safeguard.v1.MappaService/GetRiskView", view.SerializeAsString()},
      {"mappa-panel-member", system_->mappa_address(), "/safeguard.v1.MappaService/GetRiskViewSection",
       section.SerializeAsString()},
      {"mappa-panel-member", system_->mappa_address(), "/safeguard.v1.MappaService/GetTimeline", timeline.SerializeAsString()},
      {"mappa-panel-member", system_->mappa_address(), "/safeguard.v1.MappaService/ListAlerts", ""},
      {"mappa-panel-member", system_->mappa_address(), "/safeguard.v1.MappaService/WatchAlerts", ""},
      {"mappa-panel-member", system_->mappa_address(), "/safeguard.v1.IdentityService/ListIdentityLinks", ""},
      {"police-disclosure", system_->mappa_address(), "/safeguard.v1.DisclosureCaseService/GetDisclosureCase",
       one_case.SerializeAsString()},
      {"police-disclosure", system_->mappa_address(), "/safeguard.v1.DisclosureCaseService/ListDisclosureCases", ""},
      {"police-disclosure", system_->mappa_address(), "/safeguard.v1.DisclosureCaseService/ListDisclosureDeadlines", ""},
      {"mappa-chair", system_->mappa_address(), "/safeguard.v1.MeetingService/GetMeeting", meeting.SerializeAsString()},
      {"mappa-chair", system_->mappa_address(), "/safeguard.v1.MeetingService/ListDisclosureNotConsidered", ""},
      {"police-officer", system_->police_address(), "/safeguard.v1.PoliceService/GetRecord", record.SerializeAsString()},
      {"probation-officer", system_->probation_address(), "/safeguard.v1.ProbationService/GetRecord",
       record.SerializeAsString()},
      {"social-worker", system_->childrens_address(), "/safeguard.v1.ChildrensService/GetRecord",
       record.SerializeAsString()},
  };
  for (const Read& r : reads) {
    const grpc::Status st = Call(r.address, r.path, pki_.As(r.role), r.request);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << r.path;
    EXPECT_THAT(st.error_message(), ::testing::StartsWith("purpose.code")) << r.path;
  }
  EXPECT_THAT(AccessRecords(), ::testing::IsEmpty()) << "a refused read consulted nothing";
}

// A refused call is a security event on the audit topic, not only a line on stderr: who
// (as the certificate named them), what they called, and what they were told.
TEST_F(AccessTest, ARefusedCallIsRecordedOnTheAuditTopicWithWhoWhatAndWhy) {
  const grpc::Status st = Call(system_->police_address(), "/safeguard.v1.PoliceService/GetRecord",
                               pki_.As("social-worker", "sw-okafor"), "");
  ASSERT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  std::vector<AccessRecord> refusals;
  for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(20))) {
    refusals = testing::RefusalsOn(*system_->embedded_bus());
    if (!refusals.empty()) break;
  }
  ASSERT_EQ(refusals.size(), 1u);
  const AccessRecord& r = refusals.front();
  EXPECT_EQ(r.refusal().method(), "/safeguard.v1.PoliceService/GetRecord");
  EXPECT_EQ(r.refusal().code(), "PERMISSION_DENIED");
  EXPECT_EQ(r.refusal().reason(), st.error_message());
  EXPECT_EQ(r.actor().user(), "sw-okafor");
  EXPECT_EQ(r.actor().role(), "social-worker");
  EXPECT_EQ(r.actor().agency(), AGENCY_CHILDRENS_SERVICES);
  EXPECT_EQ(r.actor().certificate_sha256().size(), 64u);
  EXPECT_TRUE(r.subject_key().empty()) << "nothing was read";
  EXPECT_THAT(AccessRecords(), ::testing::IsEmpty()) << "a refusal is not a consultation";
}

TEST_F(AccessTest, EachRecordOfAReadNamesTheCallersAgencyRoleUserAndCertificate) {
  auto police = pki_.Stub<PoliceService>(system_->police_address(), "police-officer", "pc-evans");
  CommandResult r;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(police->RecordConviction(&ctx, testing::ValidConviction(), &r).ok());
  }
  auto mappa = pki_.Stub<MappaService>(system_->mappa_address(), "police-disclosure", "dc-jones");
  GetRiskViewRequest read;
  read.mutable_subject()->set_pnc_id("2019/0012345X");
  read.mutable_purpose()->set_code(DISCLOSURE_SCHEME_ASSESSMENT);
  read.mutable_purpose()->set_detail("Case CSODS/KENT/9: full risk assessment");
  RiskView view;
  for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
    grpc::ClientContext ctx;
    if (mappa->GetRiskView(&ctx, read, &view).ok() && view.convictions_size() == 1) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(view.convictions_size(), 1);
  // The conviction's provenance names the officer's certificate too.
  const auto officer = security::ReadCertificateSubject(pki_.Issue("police-officer", "pc-evans").client.certificate_pem);
  ASSERT_THAT(officer, IsOk());
  EXPECT_EQ(view.convictions(0).provenance().recorded_by().certificate_sha256(), officer->sha256);
  EXPECT_EQ(view.convictions(0).provenance().recorded_by().agency(), AGENCY_POLICE);

  const auto reader = security::ReadCertificateSubject(pki_.Issue("police-disclosure", "dc-jones").client.certificate_pem);
  ASSERT_THAT(reader, IsOk());
  const std::vector<AccessRecord> records = AccessRecords();
  ASSERT_FALSE(records.empty());
  for (const AccessRecord& a : records) {
    EXPECT_EQ(a.actor().agency(), AGENCY_POLICE);
    EXPECT_EQ(a.actor().role(), "police-disclosure");
    EXPECT_EQ(a.actor().user(), "dc-jones");
    EXPECT_EQ(a.actor().certificate_sha256(), reader->sha256);
    EXPECT_EQ(a.view(), "mappa.RiskView");
    EXPECT_EQ(a.subject_key(), "pnc:2019/0012345X");
    EXPECT_EQ(a.purpose().detail(), "Case CSODS/KENT/9: full risk assessment");
    EXPECT_TRUE(a.has_at());
  }
}

TEST_F(AccessTest, AnAgencyReadsItsOwnRecordOnlyAndEachReadIsRecorded) {
  auto police = pki_.Stub<PoliceService>(system_->police_address(), "police-officer");
  auto probation = pki_.Stub<ProbationService>(system_->probation_address(), "probation-officer", "om-4");
  CommandResult r;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(police->RecordConviction(&ctx, testing::ValidConviction(), &r).ok());
  }
  auto supervision = testing::ValidSupervision();
  supervision.mutable_header()->mutable_subject()->set_pnc_id("2019/0012345X");
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(probation->StartSupervision(&ctx, supervision, &r).ok());
  }
  GetAgencyRecordRequest read;
  read.mutable_subject()->set_pnc_id("2019/0012345x");
  read.mutable_subject()->set_probation_case_ref("x123456");
  read.mutable_purpose()->set_code(CASE_MANAGEMENT);
  read.mutable_purpose()->set_detail("Supervision review");
  AgencyRecord record;
  {
    grpc::ClientContext ctx;
    grpc::Status st = probation->GetRecord(&ctx, read, &record);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  // Probation's own event, filed under the PNC id; nothing of the police's.
  ASSERT_EQ(record.events_size(), 1);
  EXPECT_EQ(record.events(0).event_type(), "probation.SupervisionStarted");
  EXPECT_EQ(record.events(0).agency(), AGENCY_PROBATION);
  EXPECT_THAT(record.subject_keys(), ::testing::ElementsAre("pnc:2019/0012345X", "probation:X123456"));

  // Someone probation holds nothing about: NOT_FOUND, and the asking is recorded too.
  GetAgencyRecordRequest unknown = read;
  unknown.mutable_subject()->Clear();
  unknown.mutable_subject()->set_probation_case_ref("Z999999");
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(probation->GetRecord(&ctx, unknown, &record).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  // A reference of another agency's only is not one probation files people under.
  GetAgencyRecordRequest visor = read;
  visor.mutable_subject()->Clear();
  visor.mutable_subject()->set_visor_ref("VR-19-0001");
  {
    grpc::ClientContext ctx;
    grpc::Status st = probation->GetRecord(&ctx, visor, &record);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), ::testing::StartsWith("subject.probation_case_ref"));
  }
  std::vector<std::string> consulted;
  for (const AccessRecord& a : AccessRecords()) {
    EXPECT_EQ(a.view(), "probation.Record");
    EXPECT_EQ(a.actor().user(), "om-4");
    EXPECT_EQ(a.purpose().code(), CASE_MANAGEMENT);
    consulted.push_back(a.subject_key());
  }
  EXPECT_THAT(consulted, ::testing::ElementsAre("pnc:2019/0012345X", "probation:X123456", "probation:Z999999"));
}

TEST_F(AccessTest, DevelopmentPlaintextServesLoopbackOnlyAndStillAppliesThePolicy) {
  auto dev = security::DevPlaintextSecurity("");
  ASSERT_THAT(dev, IsOk());
  auto refused = security::MakeServerCredentials(*dev, "0.0.0.0");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("loopback"));
  EXPECT_THAT(security::DescribeServerSecurity(*dev), HasSubstr("NO TLS, NO AUTHENTICATION"));
  Start(*dev);

  const std::string path = "/safeguard.v1.PoliceService/RecordConviction";
  auto as = [&](const std::string& agency, const std::string& role) {
    return security::DevPlaintextCredentials({agency, role, "dev-user", ""});
  };
  EXPECT_EQ(Call(system_->police_address(), path, as("police", "police-officer")).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT) << "let in; the empty command is bad input";
  EXPECT_EQ(Call(system_->police_address(), path, as("probation", "probation-officer")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(system_->police_address(), path, as("probation", "police-officer")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Naming nobody: not authenticated.
  EXPECT_EQ(Call(system_->police_address(), path, grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// Envoy's x-forwarded-client-cert element for a person's certificate, as the console sends it.
std::string Forwarded(const security::ClientCredentialsSource& person) {
  auto subject = security::ReadCertificateSubject(person.client.certificate_pem);
  std::string encoded;
  for (unsigned char c : person.client.certificate_pem) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&encoded, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return absl::StrCat("Hash=", subject.ok() ? subject->sha256 : "", ";Cert=\"", encoded, "\"");
}

TEST_F(AccessTest, TheConsoleActsOnlyForThePeopleItForwardsAndOnlyAsTheirRolesAllow) {
  auto police = pki_.Stub<PoliceService>(system_->police_address(), "police-officer", "pc-evans");
  CommandResult recorded;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(police->RecordConviction(&ctx, testing::ValidConviction(), &recorded).ok());
  }
  GetRiskViewRequest read;
  read.mutable_subject()->set_pnc_id("2019/0012345X");
  read.mutable_purpose()->set_code(MAPPA_MEETING);
  read.mutable_purpose()->set_detail("MAPPA meeting M-7");
  const std::string view_path = "/safeguard.v1.MappaService/GetRiskView";
  const auto console = pki_.As("console", "console-1");
  const security::ClientCredentialsSource chair = pki_.Issue("mappa-chair", "chair-1");
  const security::ClientCredentialsSource member = pki_.Issue("mappa-panel-member", "member-1");

  // Through the console, as the chair: the picture, once mappa-service has it.
  grpc::Status st;
  for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
    st = Call(system_->mappa_address(), view_path, console, read.SerializeAsString(), Forwarded(chair));
    if (st.ok()) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(st.ok()) << st.error_message();

  // As itself, nothing; not even with a certificate it cannot show was issued here.
  st = Call(system_->mappa_address(), view_path, console, read.SerializeAsString());
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("role 'console' may not call"));
  auto other_ca = security::CreateCertificateAuthority("Someone else's CA", absl::Hours(1));
  ASSERT_THAT(other_ca, IsOk());
  auto forged = security::IssueClientCertificate(*other_ca, {"mappa", "mappa-chair", "chair-1"}, absl::Hours(1));
  ASSERT_THAT(forged, IsOk());
  security::ClientCredentialsSource forged_chair = chair;
  forged_chair.client = *forged;
  st = Call(system_->mappa_address(), view_path, console, read.SerializeAsString(), Forwarded(forged_chair));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(st.error_message(), HasSubstr("is not accepted"));
  // A Hash that is not the certificate's.
  std::string wrong_hash = Forwarded(chair);
  wrong_hash.replace(5, 64, std::string(64, '0'));
  st = Call(system_->mappa_address(), view_path, console, read.SerializeAsString(), wrong_hash);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // For a role it may not act for; as a person whose role may not do it.
  st = Call(system_->police_address(), "/safeguard.v1.PoliceService/GetRecord", console, "",
            Forwarded(pki_.Issue("police-officer", "pc-evans")));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("role 'console' may not act for role 'police-officer'"));
  st = Call(system_->mappa_address(), "/safeguard.v1.IdentityService/ConfirmIdentityLink", console, "",
            Forwarded(member));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("role 'mappa-panel-member' may not call"));
  // Only the console's role may forward: a chair cannot call as another chair.
  st = Call(system_->mappa_address(), view_path, pki_.As("mappa-chair", "chair-2"), read.SerializeAsString(),
            Forwarded(chair));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("role 'mappa-chair' may not act for anyone"));
  // Through the console a person reaches the consolidated services only: a disclosure
  // officer may read the police record themselves, not through it.
  st = Call(system_->police_address(), "/safeguard.v1.PoliceService/GetRecord", console, "",
            Forwarded(pki_.Issue("police-disclosure", "dc-jones")));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("a service acting for a person may call only"));
  // One forwarded certificate per call.
  {
    auto channel = grpc::CreateChannel(system_->mappa_address(), console);
    grpc::GenericStub stub(channel);
    grpc::ClientContext ctx;
    ctx.AddMetadata(security::kForwardedClientCertHeader, Forwarded(member));
    ctx.AddMetadata(security::kForwardedClientCertHeader, Forwarded(chair));
    grpc::Slice bytes(read.SerializeAsString());
    grpc::ByteBuffer request(&bytes, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, view_path, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status s) { done.set_value(std::move(s)); });
    st = done.get_future().get();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_THAT(st.error_message(), HasSubstr("one header only"));
  }

  // Calls for different people over one connection, one after another and at once, are
  // each their own person's.
  const size_t before = AccessRecords().size();
  auto channel = grpc::CreateChannel(system_->mappa_address(), console);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(CallOn(channel, view_path, read.SerializeAsString(), Forwarded(i % 2 == 0 ? chair : member)).ok());
  }
  std::vector<std::future<grpc::Status>> at_once;
  for (int i = 0; i < 16; ++i) {
    at_once.push_back(std::async(std::launch::async, [&, i] {
      return CallOn(channel, view_path, read.SerializeAsString(), Forwarded(i % 2 == 0 ? chair : member));
    }));
  }
  for (auto& f : at_once) ASSERT_TRUE(f.get().ok());
  std::vector<AccessRecord> records = AccessRecords();
  ASSERT_EQ(records.size(), before + 22);
  int chairs_at_once = 0;
  for (size_t i = before + 6; i < records.size(); ++i) {
    const Actor& actor = records[i].actor();
    EXPECT_EQ(actor.via().user(), "console-1");
    EXPECT_TRUE((actor.user() == "chair-1" && actor.role() == "mappa-chair") ||
                (actor.user() == "member-1" && actor.role() == "mappa-panel-member"))
        << actor.user() << " " << actor.role();
    chairs_at_once += actor.user() == "chair-1";
  }
  EXPECT_EQ(chairs_at_once, 8);
  records.resize(before + 6);
  const auto console_cert = security::ReadCertificateSubject(pki_.Issue("console", "console-1").client.certificate_pem);
  const auto chair_cert = security::ReadCertificateSubject(chair.client.certificate_pem);
  ASSERT_THAT(console_cert, IsOk());
  ASSERT_THAT(chair_cert, IsOk());
  for (size_t i = before; i < records.size(); ++i) {
    const Actor& actor = records[i].actor();
    EXPECT_EQ(actor.user(), (i - before) % 2 == 0 ? "chair-1" : "member-1");
    EXPECT_EQ(actor.role(), (i - before) % 2 == 0 ? "mappa-chair" : "mappa-panel-member");
    EXPECT_EQ(actor.agency(), AGENCY_MAPPA);
    EXPECT_EQ(actor.via().user(), "console-1");
    EXPECT_EQ(actor.via().role(), "console");
    EXPECT_EQ(actor.via().certificate_sha256(), console_cert->sha256);
    if ((i - before) % 2 == 0) EXPECT_EQ(actor.certificate_sha256(), chair_cert->sha256);
  }
}

}  // namespace
}  // namespace safeguard
