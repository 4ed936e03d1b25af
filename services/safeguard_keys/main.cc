// safeguard-keys: the key vault's keeper's tool (docs/security.md, "Personal data sealed
// per subject"). The vault file holds the deployment's key-encryption keys (KEKs) and its
// pseudonym key; every service of the deployment is given the same file (--key_vault).
//   safeguard-keys create --key_vault=FILE       a new vault: a pseudonym key and KEK 1
//   safeguard-keys list --key_vault=FILE         the KEKs it holds, and which one wraps
//   safeguard-keys add-kek --key_vault=FILE      a new KEK, which wraps every key made from then on,
//       and every key held, once each service restarts with the file (it re-wraps them)
//   safeguard-keys retire-kek --key_vault=FILE --kek=ID   an older KEK taken out
//   safeguard-keys pseudonym --key_vault=FILE REF...      how the bus and the stores name
//       a reference (pnc:2019/0012345X) or a stream (police/pnc:2019/0012345X)
// Exit status: 0 done, 1 the vault refused the change, 2 the command could not run.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_join.h"
#include "common/crypto/key_vault.h"
#include "common/crypto/sealing.h"
#include "common/process.h"

ABSL_FLAG(std::string, key_vault, "", "The key vault file");
ABSL_FLAG(std::string, kek, "", "retire-kek: the KEK's id (see list)");

int main(int argc, char** argv) {
  safeguard::SetProgramUsage(
      "safeguard-keys create | list | add-kek | retire-kek | pseudonym --key_vault=FILE [...] (docs/security.md)",
      {"services/safeguard_keys/main.cc"});
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string command = args.size() >= 2 ? args[1] : "";
  const std::string path = absl::GetFlag(FLAGS_key_vault);
  if (path.empty() || command.empty() || (command != "pseudonym" && args.size() != 2)) {
    std::cerr << "usage: safeguard-keys create | list | add-kek | retire-kek --kek=ID | pseudonym REF... "
                 "--key_vault=FILE; see --help\n";
    return 2;
  }
  namespace crypto = safeguard::crypto;
  if (command == "create") {
    if (absl::Status st = crypto::FileKeyVault::Create(path); !st.ok()) {
      std::cerr << "safeguard-keys: " << st.message() << std::endl;
      return 1;
    }
    std::cout << "Created the key vault " << path
              << " (mode 0600). Give the same file to every service; keep it out of every data directory and "
                 "its backups."
              << std::endl;
    return 0;
  }
  if (command == "add-kek") {
    auto id = crypto::FileKeyVault::AddKek(path);
    if (!id.ok()) {
      std::cerr << "safeguard-keys: " << id.status().message() << std::endl;
      return 1;
    }
    std::cout << "KEK " << *id << " added to " << path
              << ": it wraps every data key made from now on. Give the file to every service and restart them: "
                 "each re-wraps under it, at its start, every data key it holds, and publishes them again. Retire "
                 "an older KEK once `safeguardctl ops get-status` on every service shows data_keys with current_kek "
                 "\""
              << *id << "\" and nothing awaiting publication (docs/security.md, \"Rotating the key-encryption key\")."
              << std::endl;
    return 0;
  }
  if (command == "retire-kek") {
    if (absl::Status st = crypto::FileKeyVault::RetireKek(path, absl::GetFlag(FLAGS_kek)); !st.ok()) {
      std::cerr << "safeguard-keys: " << st.message() << std::endl;
      return 1;
    }
    std::cout << "KEK " << absl::GetFlag(FLAGS_kek) << " retired from " << path << std::endl;
    return 0;
  }
  auto vault = crypto::FileKeyVault::Open(path);
  if (!vault.ok()) {
    std::cerr << "safeguard-keys: " << vault.status().message() << std::endl;
    return 2;
  }
  if (command == "list") {
    std::cout << (*vault)->Describe() << "\nKEKs: " << absl::StrJoin((*vault)->kek_ids(), ", ") << "\n";
    return 0;
  }
  if (command == "pseudonym" && args.size() > 2) {
    for (size_t i = 2; i < args.size(); ++i) {
      const std::string ref = args[i];
      std::cout << ref << "  "
                << (ref.find('/') != std::string::npos && ref.find(':') > ref.find('/')
                        ? crypto::StreamPseudonym(**vault, ref)
                        : crypto::SubjectPseudonym(**vault, ref))
                << "\n";
    }
    return 0;
  }
  std::cerr << "usage: safeguard-keys create | list | add-kek | retire-kek --kek=ID | pseudonym REF... "
               "--key_vault=FILE; see --help\n";
  return 2;
}
