// safeguardd: every Safeguard service in one process on the embedded bus.
//
//   safeguardd --data_dir=./safeguard-data [--demo] [--host=127.0.0.1]
//              [--police_port=50051] [--mappa_port=50052] [--endpoints_file=PATH]
//
// Prints where each endpoint listens, then serves until SIGINT or SIGTERM.
#include <csignal>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "services/safeguardd/demo_data.h"
#include "services/safeguardd/embedded_system.h"

ABSL_FLAG(std::string, data_dir, "./safeguard-data", "Directory for all state; survives restarts");
ABSL_FLAG(std::string, host, "127.0.0.1", "Address to listen on");
ABSL_FLAG(int, police_port, 50051, "police-service port (0: any free port)");
ABSL_FLAG(int, mappa_port, 50052, "mappa-service port (0: any free port)");
ABSL_FLAG(bool, demo, false, "Load the demo subjects (idempotent: loading twice adds nothing)");
ABSL_FLAG(std::string, endpoints_file, "",
          "If set, write 'police=ADDR' and 'mappa=ADDR' lines here once serving");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Runs every Safeguard service in one process (embedded bus).");
  absl::ParseCommandLine(argc, argv);

  // Block the stop signals in every thread; main waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  safeguard::EmbeddedOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.host = absl::GetFlag(FLAGS_host);
  options.police_port = absl::GetFlag(FLAGS_police_port);
  options.mappa_port = absl::GetFlag(FLAGS_mappa_port);
  auto system = safeguard::EmbeddedSystem::Start(options);
  if (!system.ok()) {
    std::cerr << "safeguardd: " << system.status() << std::endl;
    return 1;
  }
  std::cout << "Safeguard is running (embedded bus), data in " << options.data_dir << "\n"
            << "  police-service  " << (*system)->police_address() << "\n"
            << "  mappa-service   " << (*system)->mappa_address() << std::endl;

  if (absl::GetFlag(FLAGS_demo)) {
    auto loaded = safeguard::LoadDemoData((*system)->police_address());
    if (!loaded.ok()) {
      std::cerr << "safeguardd: loading demo data failed: " << loaded.status() << std::endl;
      return 1;
    }
    std::cout << "Demo data: " << loaded->recorded << " events recorded, " << loaded->replayed
              << " already present" << std::endl;
  }
  const std::string endpoints_file = absl::GetFlag(FLAGS_endpoints_file);
  if (!endpoints_file.empty()) {
    // Written whole under a temporary name, then renamed, so readers never see half.
    const std::string tmp = endpoints_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << "police=" << (*system)->police_address() << "\n"
          << "mappa=" << (*system)->mappa_address() << "\n";
    }
    std::rename(tmp.c_str(), endpoints_file.c_str());
  }
  std::cout << "Press Ctrl-C to stop." << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cout << "safeguardd: stopping" << std::endl;
  (*system)->Shutdown();
  return 0;
}
