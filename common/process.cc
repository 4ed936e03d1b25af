#include "common/process.h"

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
