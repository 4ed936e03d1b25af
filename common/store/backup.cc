#include "common/store/backup.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/metrics/metrics.h"
#include "common/rocksdb_status.h"
#include "common/status_macros.h"
#include "common/store/storage_health.h"
#include "rocksdb/utilities/backup_engine.h"

namespace safeguard {

namespace fs = std::filesystem;

namespace {

// The order stores are copied in (backup.h): derived state, event stores, the bus.
int Rank(const std::string& store) {
  if (store == "mappa") return 0;
  if (store == "bus") return 2;
  return 1;
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> OpenEngine(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::FailedPreconditionError(absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));
  rocksdb::BackupEngine* engine = nullptr;
  rocksdb::BackupEngineOptions options(dir.string());
  options.max_background_operations = 2;
  RETURN_IF_ERROR(FromRocksDb(rocksdb::BackupEngine::Open(options, rocksdb::Env::Default(), &engine),
                              absl::StrCat("open backups at ", dir.string())));
  return std::unique_ptr<rocksdb::BackupEngine>(engine);
}

std::string SetId(absl::Time at) { return absl::FormatTime("%Y%m%dT%H%M%E3SZ", at, absl::UTCTimeZone()); }

// The small files a restore needs: regular files at the data directory's top (the
// checkpoint keys), and the local certificate authority (pki/), never a database.
std::vector<std::string> SmallFiles(const fs::path& data_dir, const std::vector<std::string>& databases) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(data_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (std::find(databases.begin(), databases.end(), name) != databases.end()) continue;
    if (it->is_regular_file() && it->path().extension() == ".pem") {
      out.push_back(name);
    } else if (it->is_directory() && name == "pki") {
      std::error_code walk;
      for (auto f = fs::recursive_directory_iterator(it->path(), walk); !walk && f != fs::recursive_directory_iterator();
           f.increment(walk)) {
        if (f->is_regular_file()) out.push_back(fs::relative(f->path(), data_dir).string());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<BackupSet> ReadManifest(const fs::path& set_dir) {
  std::ifstream in(set_dir / "manifest");
  if (!in) return absl::NotFoundError(absl::StrCat((set_dir / "manifest").string(), ": no manifest"));
  BackupSet set;
  set.id = set_dir.filename().string();
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> words = absl::StrSplit(line, absl::MaxSplits(' ', 2));
    if (words.size() == 3 && words[0] == "store") {
      uint32_t id = 0;
      if (!absl::SimpleAtoi(words[2], &id)) return absl::DataLossError(absl::StrCat(set.id, ": bad line: ", line));
      set.stores.emplace_back(words[1], id);
    } else if (words.size() >= 2 && words[0] == "file") {
      set.files.push_back(line.substr(5));
    } else if (words.size() == 2 && words[0] == "at") {
      int64_t seconds = 0;
      if (absl::SimpleAtoi(words[1], &seconds)) set.at = absl::FromUnixSeconds(seconds);
    } else if (!line.empty()) {
      return absl::DataLossError(absl::StrCat(set.id, ": bad line: ", line));
    }
  }
  return set;
}

metrics::Family<metrics::Gauge>& LastSuccess() {
  static metrics::Family<metrics::Gauge>& f = metrics::Registry::Process().AddGauge(
      "safeguard_backup_last_success_timestamp_seconds", "When the last backup set was completed.");
  return f;
}
metrics::Family<metrics::Counter>& Outcomes() {
  static metrics::Family<metrics::Counter>& f = metrics::Registry::Process().AddCounter(
      "safeguard_backups_total", "Backup sets attempted, by outcome (made, failed).", {"outcome"});
  return f;
}
metrics::Family<metrics::Gauge>& LastDuration() {
  static metrics::Family<metrics::Gauge>& f = metrics::Registry::Process().AddGauge(
      "safeguard_backup_last_duration_seconds", "How long the last backup set took.");
  return f;
}

}  // namespace

namespace {
bool ok_and_any(const absl::StatusOr<std::vector<BackupSet>>& sets) { return sets.ok() && !sets->empty(); }
}  // namespace

Backups::Backups(BackupOptions options) : options_(std::move(options)) {
  worker_ = std::thread([this] { WorkerLoop(); });
}

Backups::~Backups() {
  std::vector<std::function<void(absl::StatusOr<BackupSet>)>> unserved;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }
  worker_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    unserved.swap(asked_);
  }
  for (auto& done : unserved) done(absl::UnavailableError("the service is stopping; no backup was made"));
}

void Backups::BackUpAsync(std::function<void(absl::StatusOr<BackupSet>)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return done(absl::UnavailableError("the service is stopping; no backup was made"));
  asked_.push_back(std::move(done));
  wake_.notify_all();
}

void Backups::WorkerLoop() {
  const bool scheduled = options_.every > absl::ZeroDuration() && !options_.backup_dir.empty();
  absl::Time next = absl::InfiniteFuture();
  if (scheduled) {
    // The schedule survives restarts: the next set is due an interval after the newest one
    // on the volume (at once, give or take a minute for the stores to settle, when none is
    // or it is overdue), so a process restarted more often than the interval still backs up.
    absl::Time last = absl::InfinitePast();
    if (absl::StatusOr<std::vector<BackupSet>> sets = ListBackups(options_.backup_dir); ok_and_any(sets)) {
      last = sets->back().at;
      LastSuccess().With({}).Set(absl::ToDoubleSeconds(last - absl::UnixEpoch()));
    }
    next = std::max(absl::Now() + absl::Minutes(1), last + options_.every);
  }
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const auto until = next == absl::InfiniteFuture() ? std::chrono::hours(24)
                                                       : absl::ToChronoMilliseconds(std::max(
                                                             next - absl::Now(), absl::ZeroDuration()));
    wake_.wait_for(lock, until, [this] { return stopping_ || !asked_.empty(); });
    if (stopping_) break;
    std::vector<std::function<void(absl::StatusOr<BackupSet>)>> asked;
    asked.swap(asked_);
    const bool due = absl::Now() >= next;
    if (asked.empty() && !due) continue;
    lock.unlock();
    absl::StatusOr<BackupSet> made = BackUpNow();  // logged, counted and kept in record()
    for (auto& done : asked) done(made);
    lock.lock();
    if (scheduled && made.ok()) next = absl::Now() + options_.every;
    // A failed scheduled set is tried again in a tenth of the interval (at least a minute).
    if (scheduled && !made.ok() && due) next = absl::Now() + std::max(options_.every / 10, absl::Minutes(1));
  }
}

Backups::Record Backups::record() const {
  std::lock_guard<std::mutex> lock(mu_);
  return record_;
}

absl::StatusOr<BackupSet> Backups::BackUpNow() {
  if (options_.backup_dir.empty()) {
    return absl::FailedPreconditionError("no backup directory: start the service with --backup_dir");
  }
  std::lock_guard<std::mutex> one_at_a_time(backing_up_);
  const absl::Time started = absl::Now();
  const fs::path data_dir = fs::weakly_canonical(options_.data_dir);
  const fs::path root(options_.backup_dir);
  BackupSet set;
  set.at = started;
  set.id = SetId(started);
  const fs::path staging = root / "sets" / (set.id + ".partial");
  auto attempt = [&]() -> absl::Status {
    // The process's databases under the data directory, in the order that keeps the set
    // restorable.
    std::vector<std::pair<std::string, std::string>> stores;  // name, path
    for (const std::string& path : StorageHealth::Process().Databases()) {
      const fs::path p = fs::weakly_canonical(path);
      if (p.parent_path() == data_dir) stores.emplace_back(p.filename().string(), path);
    }
    if (stores.empty()) return absl::FailedPreconditionError(absl::StrCat("no store is open under ", options_.data_dir));
    std::stable_sort(stores.begin(), stores.end(),
                     [](const auto& a, const auto& b) { return Rank(a.first) < Rank(b.first); });
    std::error_code ec;
    fs::create_directories(staging / "files", ec);
    if (ec) return absl::FailedPreconditionError(absl::StrCat("cannot create ", staging.string(), ": ", ec.message()));
    std::vector<std::string> names;
    for (const auto& [name, path] : stores) {
      names.push_back(name);
      ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine, OpenEngine(root / "engines" / name));
      RETURN_IF_ERROR(StorageHealth::Process().WithDatabase(path, [&](rocksdb::DB* db) -> absl::Status {
        rocksdb::CreateBackupOptions create;
        create.flush_before_backup = true;  // some writes skip the WAL (a rebuild's filing)
        rocksdb::BackupID id = 0;
        RETURN_IF_ERROR(FromRocksDb(engine->CreateNewBackup(create, db, &id), absl::StrCat("back up ", path)));
        set.stores.emplace_back(name, id);
        rocksdb::BackupInfo info;
        if (engine->GetBackupInfo(id, &info).ok()) set.bytes += info.size;  // the set's size, shared files included
        return absl::OkStatus();
      }));
    }
    set.files = SmallFiles(data_dir, names);
    for (const std::string& file : set.files) {
      fs::create_directories((staging / "files" / file).parent_path(), ec);
      fs::copy_file(data_dir / file, staging / "files" / file, fs::copy_options::overwrite_existing, ec);
      if (ec) return absl::UnavailableError(absl::StrCat("copy ", file, ": ", ec.message()));
    }
    {
      std::ofstream manifest(staging / "manifest");
      manifest << "at " << absl::ToUnixSeconds(set.at) << "\n";
      for (const auto& [name, id] : set.stores) manifest << "store " << name << " " << id << "\n";
      for (const std::string& file : set.files) manifest << "file " << file << "\n";
      manifest.flush();
      if (!manifest) return absl::UnavailableError(absl::StrCat("write ", (staging / "manifest").string()));
    }
    fs::rename(staging, root / "sets" / set.id, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("complete the set ", set.id, ": ", ec.message()));
    // Only the newest `keep` sets are kept.
    ASSIGN_OR_RETURN(std::vector<BackupSet> all, ListBackups(options_.backup_dir));
    for (size_t i = 0; options_.keep > 0 && i + options_.keep < all.size(); ++i) {
      for (const auto& [name, id] : all[i].stores) {
        ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine, OpenEngine(root / "engines" / name));
        (void)engine->DeleteBackup(id);
      }
      fs::remove_all(root / "sets" / all[i].id, ec);
    }
    return absl::OkStatus();
  };
  // A set left half-made by a process killed mid-backup: its staging directory goes.
  {
    std::error_code ignored;
    for (auto it = fs::directory_iterator(root / "sets", ignored); !ignored && it != fs::directory_iterator();
         it.increment(ignored)) {
      if (it->path().extension() == ".partial") fs::remove_all(it->path(), ignored);
    }
  }
  const absl::Status st = attempt();
  set.took = absl::Now() - started;
  if (!st.ok()) {
    // What was copied for a set that is not complete is deleted: it would never be
    // restored, and would fill the backup volume.
    for (const auto& [name, id] : set.stores) {
      if (auto engine = OpenEngine(root / "engines" / name); engine.ok()) {
        (void)(*engine)->DeleteBackup(id);
        (void)(*engine)->GarbageCollect();
      }
    }
    std::error_code ignored;
    fs::remove_all(staging, ignored);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!st.ok()) {
    ++record_.failed;
    record_.last_error = std::string(st.message());
    record_.last_failure = absl::Now();
    Outcomes().With({"failed"}).Add();
    logging::Error(absl::StrCat("backup failed: ", st.message()), {{"backup_dir", options_.backup_dir}});
    return st;
  }
  ++record_.made;
  record_.last = set;
  record_.last_error.clear();
  Outcomes().With({"made"}).Add();
  LastSuccess().With({}).Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  LastDuration().With({}).Set(absl::ToDoubleSeconds(set.took));
  logging::Info(absl::StrCat("backup set ", set.id, " made"),
                {{"stores", static_cast<int64_t>(set.stores.size())},
                 {"bytes", set.bytes},
                 {"seconds", absl::ToDoubleSeconds(set.took)},
                 {"backup_dir", options_.backup_dir}});
  return set;
}

absl::Status CheckBackupDir(const std::string& backup_dir, const std::string& data_dir) {
  if (backup_dir.empty()) return absl::OkStatus();
  const fs::path backups = fs::weakly_canonical(backup_dir);
  const fs::path data = fs::weakly_canonical(data_dir);
  for (fs::path p = backups; !p.empty(); p = p.parent_path()) {
    if (p == data) {
      return absl::InvalidArgumentError(absl::StrCat("--backup_dir: ", backup_dir, " is inside the data directory ",
                                                     data_dir, "; put backups where the data directory's loss cannot "
                                                     "take them (another volume)"));
    }
    if (p == p.parent_path()) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<BackupSet>> ListBackups(const std::string& backup_dir) {
  std::vector<BackupSet> out;
  const fs::path sets = fs::path(backup_dir) / "sets";
  std::error_code ec;
  if (!fs::exists(sets, ec)) return out;
  for (auto it = fs::directory_iterator(sets, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (!it->is_directory() || it->path().extension() == ".partial") continue;
    ASSIGN_OR_RETURN(BackupSet set, ReadManifest(it->path()));
    out.push_back(std::move(set));
  }
  std::sort(out.begin(), out.end(), [](const BackupSet& a, const BackupSet& b) { return a.id < b.id; });
  return out;
}

absl::StatusOr<BackupSet> RestoreBackup(const std::string& backup_dir, const std::string& id,
                                        const std::string& data_dir) {
  std::error_code ec;
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(data_dir, " is not empty: move it aside first (it may be evidence); a restore never writes "
                               "over a data directory"));
  }
  ASSIGN_OR_RETURN(std::vector<BackupSet> all, ListBackups(backup_dir));
  if (all.empty()) return absl::NotFoundError(absl::StrCat("no backup set in ", backup_dir));
  auto chosen = id.empty() ? std::prev(all.end())
                           : std::find_if(all.begin(), all.end(), [&](const BackupSet& s) { return s.id == id; });
  if (chosen == all.end()) return absl::NotFoundError(absl::StrCat("no backup set ", id, " in ", backup_dir));
  const BackupSet& set = *chosen;
  fs::create_directories(data_dir, ec);
  if (ec) return absl::FailedPreconditionError(absl::StrCat("cannot create ", data_dir, ": ", ec.message()));
  // Each event store takes back, when it next opens, what the bus holds beyond it
  // (EventLog::Open): events published after its copy was made. The markers go first, so
  // that a restore stopped half-way never leaves a store that would serve without them.
  for (const auto& [name, backup_id] : set.stores) {
    if (Rank(name) != 1) continue;
    std::ofstream marker(fs::path(data_dir) / (name + ".restored"));
    marker << "restored from backup set " << set.id << "\n";
    if (!marker) return absl::UnavailableError(absl::StrCat("write ", name, ".restored"));
  }
  for (const auto& [name, backup_id] : set.stores) {
    ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine,
                     OpenEngine(fs::path(backup_dir) / "engines" / name));
    RETURN_IF_ERROR(FromRocksDb(engine->VerifyBackup(backup_id, /*verify_with_checksum=*/true),
                                absl::StrCat("check backup ", set.id, " of ", name)));
    const std::string target = (fs::path(data_dir) / name).string();
    RETURN_IF_ERROR(FromRocksDb(engine->RestoreDBFromBackup(backup_id, target, target),
                                absl::StrCat("restore ", name, " from set ", set.id)));
  }
  for (const std::string& file : set.files) {
    const fs::path to = fs::path(data_dir) / file;
    fs::create_directories(to.parent_path(), ec);
    fs::copy_file(fs::path(backup_dir) / "sets" / set.id / "files" / file, to, fs::copy_options::overwrite_existing,
                  ec);
    if (ec) return absl::UnavailableError(absl::StrCat("restore ", file, ": ", ec.message()));
    // Keys stay private to their owner.
    if (to.extension() == ".pem") fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  }
  return set;
}

}  // namespace safeguard
