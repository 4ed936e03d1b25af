#include "common/security/client_options.h"

#include "absl/strings/str_cat.h"
#include "common/security/transport_security.h"
#include "common/status_macros.h"

namespace safeguard::security {

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentialsFrom(const ClientOptions& options) {
  if (options.dev_plaintext) {
    ASSIGN_OR_RETURN(AccessPolicy policy, AccessPolicy::Load(""));
    if (options.as.empty()) return absl::InvalidArgumentError("--as: name the role to act as");
    if (options.user.empty()) return absl::InvalidArgumentError("--user: name yourself");
    return DevPlaintextCredentialsFor(std::make_shared<const AccessPolicy>(std::move(policy)), options.user)(options.as);
  }
  if (!options.cert.empty()) {
    if (options.key.empty()) return absl::InvalidArgumentError("--key: the private key of --cert is required");
    if (options.ca.empty()) return absl::InvalidArgumentError("--ca: the CA that signed the servers is required");
    ClientCredentialsSource source;
    ASSIGN_OR_RETURN(source.ca_pem, ReadTextFile(options.ca));
    ASSIGN_OR_RETURN(source.client.certificate_pem, ReadTextFile(options.cert));
    ASSIGN_OR_RETURN(source.client.private_key_pem, ReadTextFile(options.key));
    return MutualTlsCredentials(source);
  }
  if (options.as.empty()) return absl::InvalidArgumentError("--as: name the role whose certificate to use");
  absl::StatusOr<ClientCredentialsSource> source = LocalClient(LocalPki(options.pki_dir), options.as);
  if (!source.ok()) {
    return absl::Status(source.status().code(),
                        absl::StrCat(source.status().message(),
                                     " (give --pki_dir, or --cert, --key and --ca; safeguardd creates a local "
                                     "certificate authority in <data_dir>/pki on its first start)"));
  }
  return MutualTlsCredentials(*source);
}

}  // namespace safeguard::security
