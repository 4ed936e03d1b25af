// Certificates: what a client certificate says is what it was issued with; names that
// could confuse the subject are refused; a LocalPki is made once and kept, its keys
// readable by their owner only.
#include "common/security/pki.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/security/openssl_types.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace safeguard::security {
namespace {

using safeguard::testing::IsOk;
using ::testing::HasSubstr;

TEST(PkiTest, AClientCertificateSaysItsAgencyRoleAndUser) {
  auto ca = CreateCertificateAuthority("Test CA", absl::Hours(1));
  ASSERT_THAT(ca, IsOk());
  auto cert = IssueClientCertificate(*ca, {"probation", "probation-officer", "k.ahmed@probation"}, absl::Hours(1));
  ASSERT_THAT(cert, IsOk());
  auto subject = ReadCertificateSubject(cert->certificate_pem);
  ASSERT_THAT(subject, IsOk());
  EXPECT_EQ(subject->agency, "probation");
  EXPECT_EQ(subject->role, "probation-officer");
  EXPECT_EQ(subject->user, "k.ahmed@probation");
  EXPECT_EQ(subject->sha256.size(), 64u);
  // Another certificate for the same person is another credential.
  auto again = IssueClientCertificate(*ca, {"probation", "probation-officer", "k.ahmed@probation"}, absl::Hours(1));
  ASSERT_THAT(again, IsOk());
  EXPECT_NE(ReadCertificateSubject(again->certificate_pem)->sha256, subject->sha256);
  auto described = DescribeCertificate(cert->certificate_pem);
  ASSERT_THAT(described, IsOk());
  EXPECT_THAT(*described, HasSubstr("OU=probation-officer"));
  EXPECT_THAT(*described, HasSubstr("CN=Test CA"));
}

TEST(PkiTest, NamesThatCouldConfuseTheSubjectAreRefused) {
  auto ca = CreateCertificateAuthority("Test CA", absl::Hours(1));
  ASSERT_THAT(ca, IsOk());
  for (const ClientSubject& bad : std::vector<ClientSubject>{{"police, O=mappa", "r", "u"},
                                                             {"police", "", "u"},
                                                             {"police", "r", "a b"},
                                                             {"police", "r", std::string(65, 'u')}}) {
    EXPECT_EQ(IssueClientCertificate(*ca, bad, absl::Hours(1)).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(IssueServerCertificate(*ca, {}, absl::Hours(1)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueServerCertificate(*ca, {"bad host"}, absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadCertificateSubject("not a certificate").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PkiTest, ALocalPkiIsMadeOnceAndKeptWithItsKeysPrivate) {
  testing::TempDir dir;
  LocalPki pki(dir.Sub("pki"));
  const std::vector<ClientSubject> clients = {{"police", "police-officer", "local-police-officer"},
                                              {"audit", "auditor", "local-auditor"}};
  auto created = pki.Ensure(clients);
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(*created, 4) << "the CA, the server's and two clients'";
  const std::string ca = *pki.CaCertificate();
  auto again = pki.Ensure(clients);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(*pki.CaCertificate(), ca) << "an existing CA is kept";
  // A role added later gets its certificate from the same CA.
  auto more = pki.Ensure({{"mappa", "mappa-chair", "local-mappa-chair"}});
  ASSERT_THAT(more, IsOk());
  EXPECT_EQ(*more, 1);
  for (const char* key : {"/ca-key.pem", "/server-key.pem", "/clients/auditor-key.pem"}) {
    struct stat st;
    ASSERT_EQ(stat((pki.dir() + key).c_str(), &st), 0) << key;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << key;
  }
  auto client = pki.ClientCertificate("auditor");
  ASSERT_THAT(client, IsOk());
  EXPECT_EQ(ReadCertificateSubject(client->certificate_pem)->user, "local-auditor");
  EXPECT_EQ(pki.ClientCertificate("janitor").status().code(), absl::StatusCode::kNotFound);
}

// Each role's certificate also as PKCS#12, for a browser to import: the same certificate
// and key, with the CA, behind the documented password, readable by its owner only; made
// too for certificates issued before browsers had theirs.
TEST(PkiTest, ABrowserGetsEachRolesCertificateToImport) {
  testing::TempDir dir;
  LocalPki pki(dir.Sub("pki"));
  ASSERT_THAT(pki.Ensure({{"mappa", "mappa-chair", "local-mappa-chair"}}), IsOk());
  const std::string p12_path = pki.dir() + "/clients/mappa-chair.p12";
  struct stat st;
  ASSERT_EQ(stat(p12_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto bytes = ReadTextFile(p12_path);
  ASSERT_THAT(bytes, IsOk());
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes->data());
  PKCS12* p12 = d2i_PKCS12(nullptr, &p, static_cast<long>(bytes->size()));
  ASSERT_NE(p12, nullptr);
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;
  EXPECT_EQ(PKCS12_parse(p12, "not the password", &key, &cert, &chain), 0);
  ERR_clear_error();
  ASSERT_EQ(PKCS12_parse(p12, kLocalPkcs12Password, &key, &cert, &chain), 1);
  ASSERT_NE(cert, nullptr);
  EXPECT_NE(key, nullptr);
  EXPECT_EQ(chain != nullptr ? sk_X509_num(chain) : 0, 1) << "with the CA";
  EXPECT_EQ(X509_check_private_key(cert, key), 1);
  EXPECT_EQ(X509_cmp(cert, ParseCertificatePem(pki.ClientCertificate("mappa-chair")->certificate_pem.data(),
                                               pki.ClientCertificate("mappa-chair")->certificate_pem.size())
                               .get()),
            0);
  EVP_PKEY_free(key);
  X509_free(cert);
  sk_X509_pop_free(chain, X509_free);
  PKCS12_free(p12);
  // A certificate on disk without its PKCS#12 gets one at the next start.
  ASSERT_EQ(unlink(p12_path.c_str()), 0);
  auto created = pki.Ensure({{"mappa", "mappa-chair", "local-mappa-chair"}});
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(*created, 0) << "no certificate is issued again";
  EXPECT_EQ(stat(p12_path.c_str(), &st), 0);
}

}  // namespace
}  // namespace safeguard::security
