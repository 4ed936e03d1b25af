// safeguard-backup: the operator's tool for a process's backups (docs/operations.md,
// "Backups"). Backups are made by the running process (--backup_dir with --backup_every,
// or `safeguardctl --as=operator ops create-backup`); this lists and restores them.
//   safeguard-backup list --backup_dir=/backup
//   safeguard-backup restore --backup_dir=/backup --data_dir=/data [--set=20261207T091500.000Z]
// A restore writes into an empty (or absent) data directory only. When the service next
// starts on it, each event store takes back from the bus the events it published after
// the backup, and its relay publishes what the backup's outbox held.
// Exit status: 0 done, 1 the restore failed, 2 the command could not run.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/time.h"
#include "common/process.h"
#include "common/store/backup.h"

ABSL_FLAG(std::string, backup_dir, "", "Where the backups are (the process's --backup_dir)");
ABSL_FLAG(std::string, data_dir, "", "restore: the data directory to restore into (empty or absent)");
ABSL_FLAG(std::string, set, "", "restore: the set to restore (default: the latest; see list)");

namespace {

void Print(const safeguard::BackupSet& set) {
  std::cout << set.id << "  " << absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", set.at, absl::UTCTimeZone()) << "  stores:";
  for (const auto& [name, id] : set.stores) std::cout << " " << name;
  std::cout << "  files: " << set.files.size() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  safeguard::SetProgramUsage("safeguard-backup list | restore [flags] (docs/operations.md, \"Backups\")",
                             {"services/safeguard_backup/main.cc"});
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string command = args.size() == 2 ? args[1] : "";
  const std::string backup_dir = absl::GetFlag(FLAGS_backup_dir);
  if (backup_dir.empty() || (command != "list" && command != "restore")) {
    std::cerr << "usage: safeguard-backup list | restore --backup_dir=DIR [--data_dir=DIR --set=ID]; see --help\n";
    return 2;
  }
  if (command == "list") {
    auto sets = safeguard::ListBackups(backup_dir);
    if (!sets.ok()) {
      std::cerr << "safeguard-backup: " << sets.status().message() << std::endl;
      return 2;
    }
    for (const auto& set : *sets) Print(set);
    std::cout << sets->size() << " backup set(s) in " << backup_dir << std::endl;
    return 0;
  }
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) {
    std::cerr << "safeguard-backup: --data_dir: required to restore" << std::endl;
    return 2;
  }
  auto restored = safeguard::RestoreBackup(backup_dir, absl::GetFlag(FLAGS_set), data_dir);
  if (!restored.ok()) {
    std::cerr << "safeguard-backup: " << restored.status().message() << std::endl;
    return 1;
  }
  std::cout << "restored set ";
  Print(*restored);
  std::cout << "into " << data_dir
            << ". Start the service on it: each event store first takes back from the bus what it published after "
               "the backup, then publishes what its outbox held."
            << std::endl;
  return 0;
}
