// What every Safeguard server process does the same way: reading its bus configuration,
// waiting for a stop signal, and announcing where it listens.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/bus/bus_config.h"

namespace safeguard {

// The bus configuration from `config_path` (if not empty), then `bus_kind` ("" keeps the
// file's or the default) and `bootstrap_servers` ("" keeps the file's) on top.
absl::StatusOr<BusConfig> BusConfigFrom(const std::string& config_path, const std::string& bus_kind,
                                        const std::string& bootstrap_servers);

// Sets the program's usage message and what --help shows: the flags defined in
// `flag_files` (paths within the repository, e.g. "common/service_process.cc"), each file
// named by that path in --help and --helpfull rather than by the build machine's. Call
// before absl::ParseCommandLine.
void SetProgramUsage(absl::string_view message, std::vector<std::string> flag_files);

// Blocks SIGINT, SIGTERM and SIGHUP in this thread and every thread started after; call
// first. SIGHUP is then left to the access policy's watcher (security::LivePolicy::Watch),
// which reloads the policy on it.
void BlockStopSignals();
// Waits for SIGINT or SIGTERM.
void WaitForStopSignal();

// Writes "name=address" lines to `path` atomically (temporary file, then rename).
absl::Status WriteEndpointsFile(const std::string& path,
                                const std::map<std::string, std::string>& endpoints);

// A new directory under the system temp dir, removed with its contents on destruction.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(const std::string& prefix);
  ~ScratchDirectory();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace safeguard
