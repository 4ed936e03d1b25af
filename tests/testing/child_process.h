// Runs a program as a child process (for crash tests): start, wait for the endpoints file
// it writes, kill with a signal, reap.
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace safeguard::testing {

class ChildProcess {
 public:
  ChildProcess(const std::string& program, std::vector<std::string> args, const std::string& log_path) {
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
      // The child dies with its parent, so an interrupted test or load run leaves no
      // server behind (and goes at once if the parent died before it could ask).
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);
      FILE* log = std::fopen(log_path.c_str(), "a");
      if (log != nullptr) {
        dup2(fileno(log), STDOUT_FILENO);
        dup2(fileno(log), STDERR_FILENO);
      }
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(program.c_str()));
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      _exit(127);
    }
  }
  ~ChildProcess() { Kill(SIGKILL); }

  // Sends `signal` and reaps the child. Returns its wait status.
  int Kill(int signal) {
    if (pid_ <= 0) return 0;
    ::kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  // Waits up to `timeout` for the child to end by itself; its wait status then (reaped),
  // nullopt while it still runs.
  std::optional<int> AwaitExit(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (pid_ > 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      if (absl::Now() >= deadline) return std::nullopt;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return std::nullopt;
  }

  pid_t pid() const { return pid_; }
  bool Running() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

// Reads "name=value" lines once the file exists (bounded by `timeout`).
inline std::map<std::string, std::string> AwaitKeyValueFile(const std::string& path,
                                                            absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::ifstream in(path);
    if (in) {
      std::map<std::string, std::string> out;
      std::string line;
      while (std::getline(in, line)) {
        std::vector<std::string> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
        if (kv.size() == 2) out[kv[0]] = kv[1];
      }
      return out;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return {};
}

}  // namespace safeguard::testing
