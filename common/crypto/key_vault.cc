#include "common/crypto/key_vault.h"

#include <sys/stat.h>

#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/aead.h"
#include "common/ids.h"

namespace safeguard::crypto {
namespace {

namespace fs = std::filesystem;

constexpr char kHeader[] =
    "# Safeguard key vault: the deployment's key-encryption keys (KEKs) and pseudonym key.\n"
    "# Give the same file to every service of the deployment. Keep it outside every data\n"
    "# directory and every backup of one, readable by the services' user only (mode 0600).\n"
    "# The highest-numbered KEK wraps new keys; older ones only unwrap (docs/security.md).\n";

absl::StatusOr<std::string> HexKey(absl::string_view hex, absl::string_view where) {
  const bool all_hex = std::all_of(hex.begin(), hex.end(), [](char c) { return absl::ascii_isxdigit(c); });
  if (hex.size() != 2 * kKeyBytes || !all_hex) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": a key is ", 2 * kKeyBytes, " hex digits"));
  }
  return absl::HexStringToBytes(hex);
}

// Whether `path` is `dir` or inside it, comparing what they resolve to.
bool Inside(const std::string& path, const std::string& dir) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  if (ec) return false;
  const fs::path d = fs::weakly_canonical(fs::absolute(dir), ec);
  if (ec) return false;
  auto pi = p.begin();
  for (auto di = d.begin(); di != d.end(); ++di, ++pi) {
    if (di->empty()) continue;  // a trailing separator
    if (pi == p.end() || *pi != *di) return false;
  }
  return true;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("no key vault at ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Replaces `path` with `text`, mode 0600, atomically (a temporary file renamed over it).
absl::Status WriteFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".new";
  std::FILE* f = std::fopen(tmp.c_str(), "wx");
  if (f == nullptr && errno == EEXIST) {
    std::remove(tmp.c_str());
    f = std::fopen(tmp.c_str(), "wx");
  }
  if (f == nullptr) return absl::UnavailableError(absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  ::fchmod(fileno(f), 0600);
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 &&
                       ::fsync(fileno(f)) == 0;
  std::fclose(f);
  if (!written || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::string KekLine(int number, absl::string_view key) { return absl::StrCat("kek ", number, " ", ToHex(std::string_view(key.data(), key.size())), "\n");
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileKeyVault>> FileKeyVault::Parse(absl::string_view text, const std::string& where) {
  std::unique_ptr<FileKeyVault> vault(new FileKeyVault());
  vault->where_ = where;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const std::string at = absl::StrCat(where, " line ", line_number);
    if (const size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> words = absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (words.empty()) continue;
    if (words[0] == "pseudonym-key" && words.size() == 2) {
      if (!vault->pseudonym_key_.empty()) return absl::InvalidArgumentError(absl::StrCat(at, ": a second pseudonym-key"));
      absl::StatusOr<std::string> key = HexKey(words[1], at);
      if (!key.ok()) return key.status();
      vault->pseudonym_key_ = *std::move(key);
    } else if (words[0] == "kek" && words.size() == 3) {
      int number = 0;
      if (!absl::SimpleAtoi(words[1], &number) || number <= 0) {
        return absl::InvalidArgumentError(absl::StrCat(at, ": a KEK's number is a positive whole number"));
      }
      absl::StatusOr<std::string> key = HexKey(words[2], at);
      if (!key.ok()) return key.status();
      if (!vault->keks_.emplace(number, *std::move(key)).second) {
        return absl::InvalidArgumentError(absl::StrCat(at, ": KEK ", number, " is given twice"));
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ": expected 'pseudonym-key <hex>' or 'kek <number> <hex>'"));
    }
  }
  if (vault->pseudonym_key_.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": no pseudonym-key"));
  if (vault->keks_.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": no kek"));
  vault->current_ = absl::StrCat(vault->keks_.rbegin()->first);
  return vault;
}

absl::StatusOr<std::unique_ptr<FileKeyVault>> FileKeyVault::Open(const std::string& path, const std::string& data_dir) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return absl::NotFoundError(absl::StrCat("no key vault at ", path));
  // Its owner may read it; its group (a Kubernetes Secret mounted for the service's
  // fsGroup: 0440) may read it too; nobody else may do anything with it.
  if ((st.st_mode & 0027) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return absl::FailedPreconditionError(absl::StrCat("the key vault ", path, " may be read or written by others (mode ",
                                                      mode, "): chmod 600 it (or 640 for the service's group)"));
  }
  if (!data_dir.empty() && Inside(path, data_dir)) {
    return absl::FailedPreconditionError(absl::StrCat("the key vault ", path, " is inside the data directory ",
                                                      data_dir, ": keep it apart, so a copy of the data carries no keys"));
  }
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

absl::Status FileKeyVault::Create(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) return absl::AlreadyExistsError(absl::StrCat("there is already a key vault at ", path));
  const fs::path parent = fs::absolute(path).parent_path();
  if (!fs::exists(parent, ec)) {
    fs::create_directories(parent, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", parent.string(), ": ", ec.message()));
    fs::permissions(parent, fs::perms::owner_all, ec);
  }
  absl::StatusOr<std::string> pseudonym = RandomBytes(kKeyBytes);
  if (!pseudonym.ok()) return pseudonym.status();
  absl::StatusOr<std::string> kek = RandomBytes(kKeyBytes);
  if (!kek.ok()) return kek.status();
  return WriteFile(path, absl::StrCat(kHeader, "pseudonym-key ", ToHex(*pseudonym), "\n", KekLine(1, *kek)));
}

absl::StatusOr<std::unique_ptr<FileKeyVault>> FileKeyVault::OpenOrCreate(const std::string& path,
                                                                         const std::string& data_dir) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (absl::Status st = Create(path); !st.ok() && !absl::IsAlreadyExists(st)) return st;
  }
  return Open(path, data_dir);
}

absl::StatusOr<std::string> FileKeyVault::AddKek(const std::string& path) {
  absl::StatusOr<std::unique_ptr<FileKeyVault>> vault = Open(path);
  if (!vault.ok()) return vault.status();
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::string> kek = RandomBytes(kKeyBytes);
  if (!kek.ok()) return kek.status();
  const int number = (*vault)->keks_.rbegin()->first + 1;
  std::string updated = *text;
  if (!updated.empty() && updated.back() != '\n') updated += '\n';
  updated += KekLine(number, *kek);
  if (absl::Status st = WriteFile(path, updated); !st.ok()) return st;
  return absl::StrCat(number);
}

absl::Status FileKeyVault::RetireKek(const std::string& path, const std::string& id) {
  absl::StatusOr<std::unique_ptr<FileKeyVault>> vault = Open(path);
  if (!vault.ok()) return vault.status();
  int number = 0;
  if (!absl::SimpleAtoi(id, &number) || !(*vault)->keks_.contains(number)) {
    return absl::NotFoundError(absl::StrCat("the key vault ", path, " holds no KEK ", id));
  }
  if (id == (*vault)->current_) {
    return absl::FailedPreconditionError(absl::StrCat("KEK ", id, " is the newest, which wraps: add another first"));
  }
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string kept;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> words = absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (words.size() >= 2 && words[0] == "kek" && words[1] == id) continue;
    absl::StrAppend(&kept, line, "\n");
  }
  return WriteFile(path, kept);
}

std::string FileKeyVault::Describe() const {
  return absl::StrCat("key vault file ", where_, " (KEK ", current_, " wraps; ", keks_.size(), " held)");
}

absl::StatusOr<safeguard::v1::WrappedKey> FileKeyVault::Wrap(absl::string_view data_key,
                                                             absl::string_view key_id) const {
  absl::StatusOr<std::string> sealed = Seal(keks_.rbegin()->second, data_key, key_id);
  if (!sealed.ok()) return sealed.status();
  safeguard::v1::WrappedKey wrapped;
  wrapped.set_kek_id(current_);
  wrapped.set_ciphertext(*std::move(sealed));
  return wrapped;
}

absl::StatusOr<std::string> FileKeyVault::Unwrap(const safeguard::v1::WrappedKey& wrapped,
                                                 absl::string_view key_id) const {
  int number = 0;
  auto kek = absl::SimpleAtoi(wrapped.kek_id(), &number) ? keks_.find(number) : keks_.end();
  if (kek == keks_.end()) {
    return absl::FailedPreconditionError(absl::StrCat("data key ", key_id, " is wrapped under KEK '", wrapped.kek_id(),
                                            "', which this key vault does not hold"));
  }
  absl::StatusOr<std::string> key = crypto::Open(kek->second, wrapped.ciphertext(), key_id);
  if (!key.ok()) {
    return absl::DataLossError(absl::StrCat("data key ", key_id, " does not unwrap under KEK ", wrapped.kek_id()));
  }
  if (key->size() != kKeyBytes) return absl::DataLossError(absl::StrCat("data key ", key_id, " is not ", kKeyBytes, " bytes"));
  return key;
}

std::string FileKeyVault::Mac(absl::string_view data) const { return HmacSha256(pseudonym_key_, data); }

std::vector<std::string> FileKeyVault::kek_ids() const {
  std::vector<std::string> ids;
  for (const auto& [number, key] : keks_) ids.push_back(absl::StrCat(number));
  return ids;
}

}  // namespace safeguard::crypto
