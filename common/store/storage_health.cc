#include "common/store/storage_health.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/logging.h"

namespace safeguard {
namespace {

class Listener final : public rocksdb::EventListener {
 public:
  Listener(StorageHealth* health, std::string database) : health_(health), database_(std::move(database)) {}
  const char* Name() const override { return "SafeguardStorageHealth"; }

  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* bg_error) override {
    if (bg_error == nullptr || bg_error->ok()) return;
    health_->Report(database_, bg_error->ToString(), bg_error->IsNoSpace());
  }
  // A database that is attached is resumed by StorageHealth, as soon as its memtables can
  // be written out, instead of by RocksDB's own recovery, which waits for more space.
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status bg_error, bool* auto_recovery) override {
    if (auto_recovery != nullptr && health_->Attached(database_)) *auto_recovery = false;
    bg_error.PermitUncheckedError();
  }
  // RocksDB's own recovery, for a database nobody attached (StorageHealth clears an
  // attached one itself, knowing whether a new fault came meanwhile).
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override {
    if (info.new_bg_error.ok() && !health_->Attached(database_)) health_->Clear(database_);
  }

 private:
  StorageHealth* const health_;
  const std::string database_;
};

constexpr absl::Duration kResumeInterval = absl::Seconds(2);
constexpr absl::Duration kReportInterval = absl::Minutes(1);

}  // namespace

StorageHealth& StorageHealth::Process() {
  static StorageHealth* health = new StorageHealth();
  return *health;
}

std::shared_ptr<rocksdb::EventListener> StorageHealth::ListenerFor(std::string database) {
  return std::make_shared<Listener>(this, std::move(database));
}

std::shared_ptr<void> StorageHealth::Attach(const std::string& database, rocksdb::DB* db) {
  std::call_once(resumer_started_, [this] { std::thread([this] { ResumeLoop(); }).detach(); });
  {
    std::lock_guard<std::mutex> lock(mu_);
    attached_[database] = db;
  }
  return std::shared_ptr<void>(nullptr, [this, database](void*) {
    bool was_faulted = false;
    {
      std::lock_guard<std::mutex> resuming(resume_mu_);
      std::lock_guard<std::mutex> lock(mu_);
      attached_.erase(database);
      was_faulted = faults_.erase(database) > 0;
    }
    if (was_faulted) Notify();  // a closed database stops nothing
  });
}

bool StorageHealth::Attached(const std::string& database) const {
  std::lock_guard<std::mutex> lock(mu_);
  return attached_.count(database) > 0;
}

void StorageHealth::ResumeLoop() {
  std::map<std::string, absl::Time> reported;  // when each database's failure was last said
  for (;;) {
    absl::SleepFor(kResumeInterval);
    std::vector<std::pair<std::string, uint64_t>> stopped;  // database, its fault's generation
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [database, fault] : faults_) {
        if (attached_.count(database) > 0) stopped.emplace_back(database, fault.generation);
      }
    }
    for (const auto& [database, generation] : stopped) {
      rocksdb::Status resumed;
      {
        std::lock_guard<std::mutex> resuming(resume_mu_);
        rocksdb::DB* db = nullptr;
        {
          std::lock_guard<std::mutex> lock(mu_);
          auto it = attached_.find(database);
          if (it == attached_.end()) continue;
          db = it->second;
        }
        resumed = db->Resume();
      }
      if (resumed.ok()) {
        reported.erase(database);
        // A write that failed again between the resume and now reported a new fault: that
        // one stands, and is resumed in its turn.
        Clear(database, generation);
      } else if (absl::Time& last = reported[database]; absl::Now() - last >= kReportInterval) {
        last = absl::Now();
        logging::Warning(absl::StrCat("storage: ", database, " cannot resume yet (tried every ",
                                      absl::FormatDuration(kResumeInterval), ", said once a minute): ", resumed.ToString()));
      }
    }
  }
}

std::vector<std::string> StorageHealth::Databases() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [database, db] : attached_) out.push_back(database);
  return out;
}

absl::Status StorageHealth::WithDatabase(const std::string& database,
                                         const std::function<absl::Status(rocksdb::DB*)>& fn) {
  std::lock_guard<std::mutex> resuming(resume_mu_);  // a detach waits for it
  rocksdb::DB* db = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = attached_.find(database);
    if (it == attached_.end()) return absl::NotFoundError(absl::StrCat(database, ": no such database is open"));
    db = it->second;
  }
  return fn(db);
}

std::vector<StorageHealth::Fault> StorageHealth::Faults() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Fault> out;
  for (const auto& [_, fault] : faults_) out.push_back(fault);
  return out;
}

absl::Status StorageHealth::Ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (faults_.empty()) return absl::OkStatus();
  const Fault& f = faults_.begin()->second;
  return absl::UnavailableError(absl::StrCat("the store at ", f.database, " cannot write",
                                             f.disk_full ? " (the disk is full)" : "", ": ", f.error));
}

std::shared_ptr<void> StorageHealth::Subscribe(std::function<void(bool healthy)> on_change) {
  std::lock_guard<std::mutex> serial(notify_mu_);
  uint64_t id = 0;
  bool healthy = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_subscriber_++;
    subscribers_.emplace(id, on_change);
    healthy = faults_.empty();
  }
  on_change(healthy);
  // Taking notify_mu_ to unsubscribe means no notification is under way when it returns:
  // the subscriber may be destroyed at once.
  return std::shared_ptr<void>(nullptr, [this, id](void*) {
    std::lock_guard<std::mutex> serial(notify_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    subscribers_.erase(id);
  });
}

void StorageHealth::Report(const std::string& database, const std::string& error, bool disk_full) {
  bool first = false;
  bool inserted = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    first = faults_.empty();
    auto [it, added] = faults_.try_emplace(database, Fault{database, error, disk_full, absl::Now()});
    inserted = added;
    it->second.generation = ++generation_;
    if (!added) {
      it->second.error = error;
      it->second.disk_full = disk_full;
    }
  }
  if (!inserted) return;
  logging::Error(absl::StrCat("storage: ", database, " stopped writing",
                              disk_full ? " because its disk is full; writes resume by themselves once space is freed"
                                        : "; writes resume once the fault is cleared",
                              ": ", error));
  if (first) Notify();
}

void StorageHealth::Clear(const std::string& database, std::optional<uint64_t> generation) {
  bool healthy = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = faults_.find(database);
    if (it == faults_.end() || (generation.has_value() && it->second.generation != *generation)) return;
    faults_.erase(it);
    healthy = faults_.empty();
  }
  logging::Info(absl::StrCat("storage: ", database, " recovered; writing again"));
  if (healthy) Notify();
}

void StorageHealth::Notify() {
  // One notification at a time, each saying the state as it is when sent, so that the
  // last a subscriber hears is the state now, however reports and recoveries interleave.
  std::lock_guard<std::mutex> serial(notify_mu_);
  std::vector<std::function<void(bool)>> subscribers;
  bool healthy = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    healthy = faults_.empty();
    for (const auto& [_, s] : subscribers_) subscribers.push_back(s);
  }
  for (const auto& s : subscribers) s(healthy);
}

}  // namespace safeguard
