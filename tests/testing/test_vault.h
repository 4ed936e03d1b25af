// The key vault tests seal personal data with: one FileKeyVault per test binary, in a
// private temporary directory removed at exit, and a fresh KeyRing over it for each store
// a test opens (as each EventLog has its own).
#pragma once

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "common/crypto/key_vault.h"
#include "common/crypto/sealing.h"

namespace safeguard::testing {

namespace internal {

struct TestVaultHolder {
  std::string dir;
  std::shared_ptr<const crypto::FileKeyVault> vault;
  std::mutex mu;
  std::deque<std::unique_ptr<crypto::KeyRing>> rings;

  TestVaultHolder() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "safeguard-vault-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    const std::string path = dir + "/vault";
    if (!crypto::FileKeyVault::Create(path).ok()) std::abort();
    auto opened = crypto::FileKeyVault::Open(path);
    if (!opened.ok()) std::abort();
    vault = std::move(*opened);
  }
  ~TestVaultHolder() {
    rings.clear();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

inline TestVaultHolder& Holder() {
  static TestVaultHolder holder;
  return holder;
}

}  // namespace internal

// The vault (the same for the whole binary, as one deployment's is).
inline std::shared_ptr<const crypto::FileKeyVault> TestVault() { return internal::Holder().vault; }

// Its file, for a process a test starts (--key_vault).
inline std::string TestVaultPath() { return internal::Holder().dir + "/vault"; }

// A new ring over the vault, living as long as the binary: one per store opened.
inline crypto::KeyRing* TestKeys() {
  internal::TestVaultHolder& h = internal::Holder();
  std::lock_guard<std::mutex> lock(h.mu);
  h.rings.push_back(std::make_unique<crypto::KeyRing>(h.vault.get()));
  return h.rings.back().get();
}

}  // namespace safeguard::testing
