// Online backups of a process's stores, and their restore (docs/operations.md, "Backups").
//
// A backup set is every RocksDB database the process has open under its data directory,
// each copied consistently while it serves (RocksDB's BackupEngine, memtables flushed
// first), and the small files beside them that a restore needs (each log's checkpoint
// signing key, the local certificate authority). The databases are copied in the order
// that keeps the set restorable whatever was written meanwhile:
//   1. mappa-service's derived state (mappa/): its consumed positions then point no
//      further than the bus copied after it;
//   2. the event stores (police/, probation/, childrens/, mappa-events/): every event
//      each has published is on the bus copied after it; events still in an outbox are
//      published again after a restore, and consumers skip what they already have;
//   3. the embedded bus (bus/) last.
// A store copied before the bus may lack events the bus holds (published after the
// store's copy): a restore takes them back from the bus (EventStore::Adopt), so that no
// published event is lost and no stream version is used twice.
//
// Layout under the backup directory:
//   engines/<store>/       one BackupEngine per store (shared files, deduplicated)
//   sets/<id>/manifest     the set: "store <name> <backup id>" and "file <path>" lines
//   sets/<id>/files/...    the small files, by their path under the data directory
// A set is complete once its manifest exists (written last, then renamed into place).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace safeguard {

struct BackupSet {
  std::string id;                              // "20261207T091500Z": when it was made, UTC
  absl::Time at;
  // Each store copied, in the order it was copied, with its BackupEngine backup id.
  std::vector<std::pair<std::string, uint32_t>> stores;
  std::vector<std::string> files;              // paths under the data directory
  uint64_t bytes = 0;                          // the set's size (files shared with other sets included)
  absl::Duration took;
};

struct BackupOptions {
  std::string data_dir;
  std::string backup_dir;
  absl::Duration every = absl::ZeroDuration();  // zero: only when asked
  int keep = 8;                                 // sets kept; older ones are deleted
};

// The backups of one process. Thread-safe.
class Backups {
 public:
  // Starts its worker, which backs up every `options.every` (never when zero), the next
  // due an interval after the newest set on the volume, and when asked (BackUpAsync).
  explicit Backups(BackupOptions options);
  // Stops the worker; a backup under way finishes first, and requests not yet begun
  // fail with kUnavailable.
  ~Backups();

  // Backs up every store open under the data directory now, as above. One at a time: a
  // second call waits for the first. kFailedPrecondition when no backup directory is
  // set; the storage errors otherwise (a partial set is removed).
  absl::StatusOr<BackupSet> BackUpNow();

  // BackUpNow on the worker; `done` runs there with the outcome. For a gRPC handler,
  // which must not wait for the disk.
  void BackUpAsync(std::function<void(absl::StatusOr<BackupSet>)> done);

  // The last set made, and the last failure since (for status and metrics).
  struct Record {
    uint64_t made = 0;
    uint64_t failed = 0;
    std::optional<BackupSet> last;
    std::string last_error;      // empty after a success
    absl::Time last_failure = absl::InfinitePast();
  };
  Record record() const;

  const BackupOptions& options() const { return options_; }

 private:
  void WorkerLoop();

  const BackupOptions options_;
  std::mutex backing_up_;  // one backup at a time
  mutable std::mutex mu_;
  Record record_;          // guarded by mu_
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::vector<std::function<void(absl::StatusOr<BackupSet>)>> asked_;  // guarded by mu_
  std::thread worker_;
};

// kInvalidArgument when `backup_dir` is `data_dir` or inside it: a backup must survive the
// loss of the data directory's disk.
absl::Status CheckBackupDir(const std::string& backup_dir, const std::string& data_dir);

// The complete sets under `backup_dir`, oldest first.
absl::StatusOr<std::vector<BackupSet>> ListBackups(const std::string& backup_dir);

// Restores set `id` (empty: the latest) from `backup_dir` into `data_dir`, which must be
// empty or absent: a damaged directory is moved aside, never written over. Restores the
// databases and the small files; taking back from the bus what the stores lack is the
// caller's next step (EventStore::Adopt).
absl::StatusOr<BackupSet> RestoreBackup(const std::string& backup_dir, const std::string& id,
                                        const std::string& data_dir);

}  // namespace safeguard
