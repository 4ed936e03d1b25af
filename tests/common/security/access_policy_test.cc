// The access policy file: the shipped one loads; every kind of bad line is refused naming
// its line; no file can grant past a ceiling; Authorize's answers and reasons.
#include "common/security/access_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::security {
namespace {

using safeguard::testing::IsOk;
using ::testing::HasSubstr;

TEST(AccessPolicyTest, TheShippedPolicyLoadsWithEveryRoleOfEveryAgency) {
  auto policy = AccessPolicy::Load("");
  ASSERT_THAT(policy, IsOk());
  std::set<std::string> agencies;
  for (const auto& role : policy->roles()) agencies.insert(role.agency);
  EXPECT_EQ(agencies, (std::set<std::string>{"police", "probation", "childrens", "mappa", "platform", "audit",
                                             "operations"}));
  const AccessPolicy::Role* officer = policy->FindRole("police-officer");
  ASSERT_NE(officer, nullptr);
  EXPECT_TRUE(officer->methods.contains("/safeguard.v1.PoliceService/RecordConviction"));
  EXPECT_TRUE(officer->methods.contains("/safeguard.v1.PoliceService/GetRecord"));
  EXPECT_EQ(policy->FindRole("nobody"), nullptr);
}

TEST(AccessPolicyTest, BadLinesAreRefusedNamingTheLine) {
  struct Case {
    std::string text, error;
  };
  const std::vector<Case> cases = {
      {"role a police\nfrobnicate a", "line 2: unknown keyword 'frobnicate'"},
      {"role a", "line 1: expected 'role NAME AGENCY'"},
      {"role a housing", "line 1: 'housing' is not an agency"},
      {"role a police\nrole a police", "line 2: role 'a' is defined twice"},
      {"role a! police", "line 1: 'a!' is not a role name"},
      {"role a police\nallow b PoliceService/*", "line 2: role 'b' is not defined"},
      {"role a police\nallow a PoliceService", "line 2: 'PoliceService' is not SERVICE/METHOD"},
      {"role a police\nallow a PizzaService/*", "line 2: no Safeguard service is called 'PizzaService'"},
      {"role a police\nallow a PoliceService/Delete", "line 2: PoliceService has no method 'Delete'"},
      {"role a police\nallow a", "line 2: expected 'allow ROLE SERVICE/METHOD ...'"},
      {"role a police\nrevoke 1234", "line 2: expected 'revoke SHA256'"},
      {"# nothing but a comment", "defines no role"},
  };
  for (const Case& c : cases) {
    auto policy = AccessPolicy::Parse(c.text);
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(policy.status().message()), HasSubstr(c.error)) << c.text;
  }
}

// Whatever a file says, these grants never load: the ceilings of docs/security.md.
TEST(AccessPolicyTest, NoFileCanGrantPastACeiling) {
  const std::vector<std::pair<std::string, std::string>> grants = {
      {"probation", "PoliceService/RecordConviction"},   // another agency's writes
      {"police", "ProbationService/GetRecord"},          // another agency's records
      {"mappa", "ChildrensService/*"},
      {"childrens", "MappaService/GetRiskView"},         // consolidated views: MAPPA and police only
      {"probation", "DisclosureCaseService/GetDisclosureCase"},
      {"police", "MeetingService/RecordMinutes"},        // MAPPA's own decisions: MAPPA only
      {"police", "IdentityService/ConfirmIdentityLink"},
      {"platform", "MappaService/GetRiskView"},          // platforms: screening only
      {"mappa", "ScreeningService/CheckIdentifier"},
      {"audit", "MappaService/GetTimeline"},             // auditors: the audit APIs only
      {"police", "AuditService/GetCheckpoint"},
      {"audit", "OperationsService/GetStatus"},          // operators: status only
      {"operations", "PoliceService/GetRecord"},
  };
  for (const auto& [agency, grant] : grants) {
    auto policy = AccessPolicy::Parse(absl::StrCat("role r ", agency, "\nallow r ", grant, "\n"));
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument) << agency << " " << grant;
    EXPECT_THAT(std::string(policy.status().message()), HasSubstr("line 2: role 'r' of agency " + agency + " may never call"))
        << grant;
  }
  // What the ceilings do allow.
  EXPECT_THAT(AccessPolicy::Parse("role r police\nallow r MappaService/* MeetingService/GetMeeting\n"), IsOk());
  EXPECT_THAT(AccessPolicy::Parse("role r mappa\nallow r MeetingService/* IdentityService/*\n"), IsOk());
}

TEST(AccessPolicyTest, AuthorizeSaysWhyItRefuses) {
  auto policy = AccessPolicy::Parse(
      "role clerk probation\nallow clerk ProbationService/StartSupervision\n"
      "revoke " + std::string(64, 'a') + "\n");
  ASSERT_THAT(policy, IsOk());
  const std::string start = "/safeguard.v1.ProbationService/StartSupervision";
  EXPECT_THAT(policy->Authorize({"probation", "clerk", "c-1", std::string(64, 'b')}, start), IsOk());
  EXPECT_THAT(policy->Authorize({"probation", "clerk", "c-1", ""}, "/grpc.health.v1.Health/Check"), IsOk());

  auto refused = [&](const Caller& c, const std::string& path) {
    absl::Status st = policy->Authorize(c, path);
    EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << path;
    return std::string(st.message());
  };
  EXPECT_THAT(refused({"probation", "clerk", "c-1", ""}, "/safeguard.v1.ProbationService/EndSupervision"),
              HasSubstr("role 'clerk' may not call ProbationService.EndSupervision"));
  EXPECT_THAT(refused({"probation", "clerk", "c-1", std::string(64, 'a')}, start), HasSubstr("has been revoked"));
  EXPECT_THAT(refused({"police", "clerk", "c-1", ""}, start), HasSubstr("belongs to agency probation"));
  EXPECT_THAT(refused({"probation", "boss", "c-1", ""}, start), HasSubstr("not in the access policy"));
  EXPECT_THAT(refused({"probation", "clerk", "c-1", ""}, "/safeguard.v1.Unknown/Thing"), HasSubstr("may not call"));
}

}  // namespace
}  // namespace safeguard::security

namespace safeguard::security {
namespace {

// act-for: a service's role that may act for people of other roles, calling as them.
TEST(AccessPolicyTest, ActingForOthersIsDeclaredAndBounded) {
  struct Case {
    std::string text, error;
  };
  const std::vector<Case> cases = {
      {"role c mappa\nact-for c", "line 2: expected 'act-for ROLE ROLE ...'"},
      {"role c mappa\nact-for d c", "line 2: role 'd' is not defined"},
      {"role c mappa\nact-for c chair", "line 2: role 'chair' is not defined"},
      {"role c mappa\nact-for c c", "line 2: role 'c' cannot act for itself"},
      {"role c mappa\nrole po probation\nact-for c po", "line 3: role 'c' may never act for 'po' of agency probation"},
      {"role c mappa\nrole chair mappa\nact-for c chair\nallow c MappaService/GetRiskView",
       "role 'c' acts for others, so it may be allowed nothing of its own"},
      {"role c mappa\nrole d mappa\nrole chair mappa\nact-for c d\nact-for d chair",
       "role 'c' may not act for 'd', which acts for others itself"},
  };
  for (const Case& c : cases) {
    auto policy = AccessPolicy::Parse(c.text);
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(policy.status().message()), HasSubstr(c.error)) << c.text;
  }
  auto shipped = AccessPolicy::Load("");
  ASSERT_THAT(shipped, IsOk());
  const AccessPolicy::Role* console = shipped->FindRole("console");
  ASSERT_NE(console, nullptr);
  EXPECT_TRUE(console->methods.empty()) << "the console calls nothing as itself";
  EXPECT_EQ(console->acts_for,
            (std::set<std::string>{"mappa-chair", "mappa-coordinator", "mappa-panel-member", "police-disclosure"}));
}

TEST(AccessPolicyTest, AServiceCallsAsThePersonItActsForAndNoFurther) {
  const std::string sha_a(64, 'a');
  const std::string sha_b(64, 'b');
  auto policy = AccessPolicy::Parse(absl::StrCat(AccessPolicy::BuiltInText(), "\nrevoke ", sha_b, "\n"));
  ASSERT_THAT(policy, IsOk());
  const Caller console{"mappa", "console", "console-1", sha_a};
  const Caller chair{"mappa", "mappa-chair", "chair-1", std::string(64, 'c')};
  const Caller panel{"mappa", "mappa-panel-member", "member-1", std::string(64, 'd')};
  const Caller officer{"police", "police-officer", "pc-1", std::string(64, 'e')};
  const std::string read = "/safeguard.v1.MappaService/GetRiskView";
  const std::string confirm = "/safeguard.v1.IdentityService/ConfirmIdentityLink";

  EXPECT_TRUE(policy->AuthorizeFor(console, chair, read).ok());
  EXPECT_TRUE(policy->AuthorizeFor(console, chair, confirm).ok());
  EXPECT_TRUE(policy->AuthorizeFor(console, panel, read).ok());
  // As the person: a panel member may not decide identity, through the console or not.
  EXPECT_THAT(std::string(policy->AuthorizeFor(console, panel, confirm).message()),
              HasSubstr("role 'mappa-panel-member' may not call IdentityService.ConfirmIdentityLink"));
  // Only for the roles it is allowed to act for.
  EXPECT_THAT(std::string(policy->AuthorizeFor(console, officer, "/safeguard.v1.PoliceService/GetRecord").message()),
              HasSubstr("role 'console' may not act for role 'police-officer'"));
  // Only a role declared to act for others may.
  EXPECT_THAT(std::string(policy->AuthorizeFor(panel, chair, read).message()),
              HasSubstr("role 'mappa-panel-member' may not act for role 'mappa-chair'"));
  // A revoked certificate, the person's or the console's, ends it.
  Caller revoked_chair = chair;
  revoked_chair.certificate_sha256 = sha_b;
  EXPECT_THAT(std::string(policy->AuthorizeFor(console, revoked_chair, read).message()), HasSubstr("has been revoked"));
  Caller revoked_console = console;
  revoked_console.certificate_sha256 = sha_b;
  EXPECT_THAT(std::string(policy->AuthorizeFor(revoked_console, chair, read).message()), HasSubstr("has been revoked"));
  // The console's role must be its certificate's agency's.
  Caller police_console = console;
  police_console.agency = "police";
  EXPECT_THAT(std::string(policy->AuthorizeFor(police_console, chair, read).message()),
              HasSubstr("belongs to agency mappa"));
  // As itself, nothing.
  EXPECT_THAT(std::string(policy->Authorize(console, read).message()), HasSubstr("role 'console' may not call"));
  // Through it, the consolidated services only: not the disclosure officer's police record.
  const Caller disclosure{"police", "police-disclosure", "dc-1", std::string(64, 'f')};
  EXPECT_TRUE(policy->Authorize(disclosure, "/safeguard.v1.PoliceService/GetRecord").ok());
  EXPECT_THAT(std::string(policy->AuthorizeFor(console, disclosure, "/safeguard.v1.PoliceService/GetRecord").message()),
              HasSubstr("a service acting for a person may call only"));
  EXPECT_TRUE(policy->MayActForAnyone(console));
  EXPECT_FALSE(policy->MayActForAnyone(chair));
}

}  // namespace
}  // namespace safeguard::security
