// Forwarded certificates: the x-forwarded-client-cert element the console sends, read as
// Envoy writes it; anything else refused saying what is wrong; certificates checked
// against the client CA.
#include "common/security/delegation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::security {
namespace {

using safeguard::testing::IsOk;
using ::testing::HasSubstr;

std::string UrlEncoded(const std::string& pem) {
  return absl::StrReplaceAll(pem, {{"%", "%25"}, {"\n", "%0A"}, {" ", "%20"}, {"+", "%2B"}, {"/", "%2F"},
                                   {"=", "%3D"}, {"\"", "%22"}, {";", "%3B"}, {",", "%2C"}});
}

class DelegationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = CreateCertificateAuthority("Test CA", absl::Hours(1));
    ASSERT_THAT(ca, IsOk());
    ca_ = *ca;
    auto chair = IssueClientCertificate(ca_, {"mappa", "mappa-chair", "chair-1"}, absl::Hours(1));
    ASSERT_THAT(chair, IsOk());
    chair_ = chair->certificate_pem;
    auto subject = ReadCertificateSubject(chair_);
    ASSERT_THAT(subject, IsOk());
    sha_ = subject->sha256;
  }
  CertifiedKey ca_;
  std::string chair_;
  std::string sha_;
};

TEST_F(DelegationTest, TheCertificateOfOneElementIsRead) {
  auto pem = ForwardedCertificatePem(absl::StrCat("Hash=", sha_, ";Cert=\"", UrlEncoded(chair_), "\""));
  ASSERT_THAT(pem, IsOk());
  EXPECT_EQ(*pem, chair_);
  // Fields in any order, other fields ignored, no Hash allowed.
  pem = ForwardedCertificatePem(absl::StrCat("Subject=\"CN=chair-1,OU=mappa-chair\";Cert=\"", UrlEncoded(chair_),
                                             "\";By=spiffe://console"));
  ASSERT_THAT(pem, IsOk());
  EXPECT_EQ(*pem, chair_);
}

TEST_F(DelegationTest, AnythingElseIsRefusedSayingWhy) {
  const std::string cert = absl::StrCat("Cert=\"", UrlEncoded(chair_), "\"");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {absl::StrCat(cert, ",", cert), "one element only"},
      {absl::StrCat("Hash=", sha_), "no Cert"},
      {"Cert=\"%ZZ\"", "not URL-encoded"},
      {absl::StrCat("Hash=", std::string(64, '0'), ";", cert), "Hash is not the SHA-256 of Cert"},
      {"Hash=00;Cert=\"not-a-certificate\"", "Cert is not a certificate"},
  };
  for (const auto& [header, why] : cases) {
    auto pem = ForwardedCertificatePem(header);
    EXPECT_EQ(pem.status().code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_THAT(std::string(pem.status().message()), HasSubstr(why)) << header;
  }
}

TEST_F(DelegationTest, OnlyCertificatesOfTheClientCaAreAccepted) {
  auto verifier = ClientCertificateVerifier::Create(ca_.certificate_pem);
  ASSERT_THAT(verifier, IsOk());
  auto subject = (*verifier)->Verify(chair_);
  ASSERT_THAT(subject, IsOk());
  EXPECT_EQ(subject->user, "chair-1");
  EXPECT_EQ(subject->role, "mappa-chair");
  ASSERT_TRUE(RecentlyVerified(chair_).has_value()) << "a handler finds what AccessControl accepted";

  auto other = CreateCertificateAuthority("Someone else's CA", absl::Hours(1));
  ASSERT_THAT(other, IsOk());
  auto forged = IssueClientCertificate(*other, {"mappa", "mappa-chair", "chair-1"}, absl::Hours(1));
  ASSERT_THAT(forged, IsOk());
  auto refused = (*verifier)->Verify(forged->certificate_pem);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("chair-1 (mappa/mappa-chair) is not accepted"));
  EXPECT_FALSE(RecentlyVerified(forged->certificate_pem).has_value());
  // A server certificate is not a person's.
  auto server = IssueServerCertificate(ca_, {"localhost"}, absl::Hours(1));
  ASSERT_THAT(server, IsOk());
  EXPECT_EQ((*verifier)->Verify(server->certificate_pem).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ClientCertificateVerifier::Create("no certificate here").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace safeguard::security
