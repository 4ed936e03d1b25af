// safeguard-pki: the certificate authority's tool, for the people who issue Safeguard's
// certificates (docs/security.md).
//
//   safeguard-pki init DIR [--hosts=localhost,127.0.0.1,::1] [--clients]
//       a new certificate authority in DIR, a server certificate for --hosts, and with
//       --clients one client certificate per role of the access policy (for trying out)
//   safeguard-pki issue DIR --role=ROLE --user=USER [--agency=AGENCY] [--days=365] [--out=PREFIX]
//       a client certificate for USER holding ROLE (of the agency the policy gives it),
//       written to PREFIX.pem and PREFIX-key.pem (default DIR/issued/USER)
//   safeguard-pki server DIR --hosts=police-service.safeguard.svc,... [--days=730] [--out=PREFIX]
//       a server certificate for those names (default DIR/issued/<first host>)
//   safeguard-pki show FILE
//       subject, issuer, validity and SHA-256 (what a 'revoke' line of the policy names)
//
// Exit status: 0 done, 2 the command could not run.
#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/process.h"
#include "common/security/access_policy.h"
#include "common/security/pki.h"
#include "common/security/transport_security.h"

ABSL_FLAG(std::string, hosts, "localhost,127.0.0.1,::1", "init, server: the servers' DNS names and addresses");
ABSL_FLAG(bool, clients, false, "init: also one client certificate per role of the access policy");
ABSL_FLAG(std::string, role, "", "issue: the role, as the access policy names it");
ABSL_FLAG(std::string, user, "", "issue: who holds the certificate (a platform: its name)");
ABSL_FLAG(std::string, agency, "", "issue: the agency (default: the role's, from the access policy)");
ABSL_FLAG(int, days, 0, "issue, server: validity in days (default 365 for a client, 730 for a server)");
ABSL_FLAG(std::string, out, "", "issue, server: where to write PREFIX.pem and PREFIX-key.pem");
ABSL_FLAG(std::string, access_policy, "", "the access policy whose roles to use (default: the built-in one)");

namespace {

namespace security = safeguard::security;

int Fail(const absl::Status& st) {
  std::cerr << "safeguard-pki: " << st.message() << std::endl;
  return 2;
}

int Init(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir + "/ca.pem", ec)) {
    return Fail(absl::AlreadyExistsError(absl::StrCat(dir, " already holds a certificate authority")));
  }
  auto policy = security::AccessPolicy::Load(absl::GetFlag(FLAGS_access_policy));
  if (!policy.ok()) return Fail(policy.status());
  auto ca = security::CreateCertificateAuthority("Safeguard certificate authority", absl::Hours(24 * 365 * 5));
  if (!ca.ok()) return Fail(ca.status());
  std::filesystem::create_directories(dir, ec);
  if (absl::Status st = security::WriteCertifiedKey(dir + "/ca", *ca); !st.ok()) return Fail(st);
  std::vector<std::string> hosts = absl::StrSplit(absl::GetFlag(FLAGS_hosts), ',', absl::SkipEmpty());
  auto server = security::IssueServerCertificate(*ca, hosts, absl::Hours(24 * 730));
  if (!server.ok()) return Fail(server.status());
  if (absl::Status st = security::WriteCertifiedKey(dir + "/server", *server); !st.ok()) return Fail(st);
  int clients = 0;
  if (absl::GetFlag(FLAGS_clients)) {
    auto created = security::LocalPki(dir).Ensure(security::LocalClientsOf(*policy));
    if (!created.ok()) return Fail(created.status());
    clients = *created;
  }
  std::cout << "Certificate authority in " << dir << " (keep ca-key.pem offline)\n"
            << "Server certificate " << dir << "/server.pem for " << absl::GetFlag(FLAGS_hosts) << "\n";
  if (clients > 0) std::cout << clients << " client certificates in " << dir << "/clients\n";
  return 0;
}

int Issue(const std::string& dir) {
  auto ca = security::LocalPki(dir).CertificateAuthority();
  if (!ca.ok()) return Fail(ca.status());
  auto policy = security::AccessPolicy::Load(absl::GetFlag(FLAGS_access_policy));
  if (!policy.ok()) return Fail(policy.status());
  const std::string role_name = absl::GetFlag(FLAGS_role), user = absl::GetFlag(FLAGS_user);
  if (role_name.empty()) return Fail(absl::InvalidArgumentError("--role is required"));
  if (user.empty()) return Fail(absl::InvalidArgumentError("--user is required"));
  const security::AccessPolicy::Role* role = policy->FindRole(role_name);
  if (role == nullptr) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("--role: '", role_name, "' is not in the access policy")));
  }
  const std::string agency = absl::GetFlag(FLAGS_agency).empty() ? role->agency : absl::GetFlag(FLAGS_agency);
  if (agency != role->agency) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("--agency: role '", role_name, "' belongs to ", role->agency, "; a certificate of ", agency,
                     " holding it would be refused")));
  }
  const int days = absl::GetFlag(FLAGS_days) > 0 ? absl::GetFlag(FLAGS_days) : 365;
  auto cert = security::IssueClientCertificate(*ca, {agency, role_name, user}, absl::Hours(24 * days));
  if (!cert.ok()) return Fail(cert.status());
  const std::string prefix = absl::GetFlag(FLAGS_out).empty() ? dir + "/issued/" + user : absl::GetFlag(FLAGS_out);
  if (absl::Status st = security::WriteCertifiedKey(prefix, *cert); !st.ok()) return Fail(st);
  std::cout << "Issued " << prefix << ".pem and " << prefix << "-key.pem\n" << *security::DescribeCertificate(cert->certificate_pem);
  return 0;
}

int Server(const std::string& dir) {
  auto ca = security::LocalPki(dir).CertificateAuthority();
  if (!ca.ok()) return Fail(ca.status());
  std::vector<std::string> hosts = absl::StrSplit(absl::GetFlag(FLAGS_hosts), ',', absl::SkipEmpty());
  const int days = absl::GetFlag(FLAGS_days) > 0 ? absl::GetFlag(FLAGS_days) : 730;
  auto cert = security::IssueServerCertificate(*ca, hosts, absl::Hours(24 * days));
  if (!cert.ok()) return Fail(cert.status());
  const std::string prefix =
      absl::GetFlag(FLAGS_out).empty() ? dir + "/issued/" + (hosts.empty() ? "server" : hosts[0]) : absl::GetFlag(FLAGS_out);
  if (absl::Status st = security::WriteCertifiedKey(prefix, *cert); !st.ok()) return Fail(st);
  std::cout << "Issued " << prefix << ".pem and " << prefix << "-key.pem\n" << *security::DescribeCertificate(cert->certificate_pem);
  return 0;
}

int Show(const std::string& file) {
  auto pem = security::ReadTextFile(file);
  if (!pem.ok()) return Fail(pem.status());
  auto described = security::DescribeCertificate(*pem);
  if (!described.ok()) return Fail(absl::InvalidArgumentError(absl::StrCat(file, ": ", described.status().message())));
  std::cout << *described;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  safeguard::SetProgramUsage("safeguard-pki init DIR | issue DIR --role --user | server DIR --hosts | show FILE",
                             {"services/safeguard_pki/main.cc"});
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string command = args.size() == 3 ? args[1] : "";
  const std::string target = args.size() == 3 ? args[2] : "";
  if (command == "init") return Init(target);
  if (command == "issue") return Issue(target);
  if (command == "server") return Server(target);
  if (command == "show") return Show(target);
  std::cerr << "usage: safeguard-pki init DIR | issue DIR --role=R --user=U | server DIR --hosts=H | show FILE\n";
  return 2;
}
