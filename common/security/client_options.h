// How a command-line client (safeguardctl, safeguard-audit) presents itself to Safeguard
// servers: a client certificate, either named file by file or taken by role from a local
// certificate authority's directory; or, for a --dev_plaintext server only, by naming
// itself in metadata.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>

#include "absl/status/statusor.h"

namespace safeguard::security {

struct ClientOptions {
  std::string pki_dir;  // a LocalPki directory (ca.pem, clients/<role>.pem)
  std::string as;       // the role whose certificate in pki_dir to present
  std::string cert, key, ca;  // explicit PEM files, instead of pki_dir and `as`
  bool dev_plaintext = false;  // development servers only: no TLS
  std::string user;            // --dev_plaintext only: the user to name
};

// Credentials per `options`: the explicit files when `cert` is set (then `key` and `ca`
// are required: kInvalidArgument naming the missing flag), else the certificate of role
// `as` in `pki_dir` (kNotFound when there is none), else, with `dev_plaintext`, the role
// `as` and its agency as the built-in access policy defines them.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentialsFrom(const ClientOptions& options);

}  // namespace safeguard::security
