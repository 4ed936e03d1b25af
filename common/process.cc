#include "common/process.h"

#include <algorithm>

#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace safeguard {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

absl::StatusOr<BusConfig> BusConfigFrom(const std::string& config_path, const std::string& bus_kind,
                                        const std::string& bootstrap_servers) {
  BusConfig config;
  if (!config_path.empty()) {
    ASSIGN_OR_RETURN(config, LoadBusConfig(config_path));
  }
  if (!bus_kind.empty()) {
    ASSIGN_OR_RETURN(BusConfig kind_only, ParseBusConfig(absl::StrCat("bus = ", bus_kind)));
    config.kind = kind_only.kind;
  }
  if (!bootstrap_servers.empty()) {
    config.kafka.properties["bootstrap.servers"] = bootstrap_servers;
  }
  return config;
}

namespace {

// A source file's path from where the repository (or Abseil) starts in it.
std::string RepositoryPath(absl::string_view file) {
  for (absl::string_view root : {"common/", "services/", "tests/", "proto/", "absl/"}) {
    if (absl::StartsWith(file, root)) return std::string(file);
    const size_t at = file.rfind(absl::StrCat("/", root));
    if (at != absl::string_view::npos) return std::string(file.substr(at + 1));
  }
  return std::string(file);
}

}  // namespace

void SetProgramUsage(absl::string_view message, std::vector<std::string> flag_files) {
  absl::SetProgramUsageMessage(message);
  absl::FlagsUsageConfig config;
  auto own = [files = std::move(flag_files)](absl::string_view file) {
    const std::string path = RepositoryPath(file);
    return std::find(files.begin(), files.end(), path) != files.end();
  };
  config.contains_help_flags = own;
  config.contains_helpshort_flags = own;
  config.normalize_filename = [](absl::string_view file) { return RepositoryPath(file); };
  absl::SetFlagsUsageConfig(config);
}

void BlockStopSignals() {
  sigset_t set = StopSignals();
  sigaddset(&set, SIGHUP);  // taken by the access policy's watcher (LivePolicy::Watch)
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void WaitForStopSignal() {
  sigset_t set = StopSignals();
  int sig = 0;
  sigwait(&set, &sig);
}

absl::Status WriteEndpointsFile(const std::string& path,
                                const std::map<std::string, std::string>& endpoints) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    for (const auto& [name, address] : endpoints) out << name << "=" << address << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

ScratchDirectory::ScratchDirectory(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = tmpl;
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace safeguard
