// Which of this process's databases a storage fault has stopped: a full disk, a failed
// device, a file system gone read-only. RocksDB stops a database's writes when one of its
// writes fails (the write-ahead log, a flush, a compaction) and tells a listener; every
// database Safeguard opens has one (DatabaseOptions), feeding this process-wide record.
// A database attached here is resumed (DB::Resume) every couple of seconds while its
// fault stands, so that it writes again as soon as the cause is gone: for a full disk, as
// soon as there is space to write out its memtables. (RocksDB's own recovery from a full
// disk waits until its file manager sees a whole memtable's worth of space free for each
// database, 32 MiB here, and on a small or shared disk it may never see that.)
//
// The servers of the process subscribe to it: while any fault stands, their health
// service answers NOT_SERVING, and OperationsService/GetStatus names the database and the
// error, so a probe or an operator sees the state, not a crash.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <optional>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"
#include "rocksdb/listener.h"

namespace safeguard {

class StorageHealth {
 public:
  struct Fault {
    std::string database;  // the database's directory
    std::string error;     // RocksDB's error, e.g. "IO error: No space left on device: ..."
    bool disk_full = false;
    absl::Time since;
    uint64_t generation = 0;  // bumped by each report: a resume clears only what it saw
  };

  // The process's record.
  static StorageHealth& Process();

  // A listener for the database at `database`, for rocksdb::Options::listeners.
  std::shared_ptr<rocksdb::EventListener> ListenerFor(std::string database);

  // Resumes `db`, the database at `database`, after a fault (see above). Detached when
  // the returned handle is destroyed, which must be before the database is closed.
  std::shared_ptr<void> Attach(const std::string& database, rocksdb::DB* db);
  bool Attached(const std::string& database) const;

  // The databases attached now (their directories): the process's open databases, which
  // a backup copies (common/store/backup.h).
  std::vector<std::string> Databases() const;
  // Runs `fn` with the database at `database` while it stays attached (its close waits);
  // kNotFound when it is not attached.
  absl::Status WithDatabase(const std::string& database, const std::function<absl::Status(rocksdb::DB*)>& fn);

  // The faults standing now, by database.
  std::vector<Fault> Faults() const;
  // OK with no fault standing; otherwise kUnavailable naming the first database and why.
  absl::Status Ready() const;

  // Calls `on_change(healthy)` now and whenever the process passes between having no
  // fault and having one, on the thread that noticed (RocksDB's, or the caller's now): it
  // must not block. Subscribed until the returned handle is destroyed.
  std::shared_ptr<void> Subscribe(std::function<void(bool healthy)> on_change);

  // What the listeners call (public for them and for tests).
  void Report(const std::string& database, const std::string& error, bool disk_full);
  // Clears the fault of `database`, or only if no report came since `generation`.
  void Clear(const std::string& database, std::optional<uint64_t> generation = std::nullopt);

 private:
  void Notify();
  void ResumeLoop();

  std::mutex notify_mu_;  // held while subscribers are told, taken before mu_
  mutable std::mutex mu_;
  std::map<std::string, Fault> faults_;
  uint64_t next_subscriber_ = 0;
  std::map<uint64_t, std::function<void(bool)>> subscribers_;
  std::map<std::string, rocksdb::DB*> attached_;
  uint64_t generation_ = 0;
  std::mutex resume_mu_;  // held across a DB::Resume and by a detach, taken before mu_
  std::once_flag resumer_started_;  // the resumer starts with the first attach, for good
};

}  // namespace safeguard
