#include "services/mappa/state/mappa_state.h"

#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/rocksdb_status.h"
#include "common/status_macros.h"
#include "common/store/rocksdb_options.h"
#include "common/store/storage_health.h"
#include "common/time_util.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {
namespace {

// 3: components with their own keys; persons' pictures stored whole; one recorded order.
// 4: pictures stored with their growing lists to the newest entries (StoredPicture).
// 5: registered sexual offenders MAPPA category 1 by statute; the s.327A list with them.
// 6: disclosure cases say who is still owed their outcome; a household's other adults.
// 7: corrections of facts (each noted by the fact it corrects); identity candidates scored
//    over blocks of records' profiles (the name index gone).
// 8: streams sequenced by their stored (pseudonymous) names; each record's data keys
//    indexed, for erasure; restrictions kept by record.
constexpr char kLayout[] = "8";

absl::StatusOr<std::string> LayoutOf(rocksdb::DB* db) {
  std::string layout;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), prefix::kFormat, &layout);
  if (s.IsNotFound()) return std::string();
  RETURN_IF_ERROR(FromRocksDb(s, "read mappa state layout"));
  return layout;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MappaState>> MappaState::OpenReadOnly(const std::string& path) {
  // A live state changes its files while it is opened: a flush or a compaction (an
  // erasure's purge, say) can delete a write-ahead log or a table file, or roll the
  // MANIFEST, between the moment the MANIFEST is read and the moment the files it lists
  // are read. Such an open fails, or comes up without what a deleted log held (its layout
  // mark among it, for a young state); either is tried again. Once open, every table file
  // is held open. A stopped state (or a restored copy) opens whole at the first attempt.
  absl::Status last;
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (attempt > 0) absl::SleepFor(absl::Milliseconds(50));
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status opened = rocksdb::DB::OpenForReadOnly(DatabaseOptions(path), path, &raw);
    last = FromRocksDb(opened, absl::StrCat("open mappa state at ", path, " to read"));
    const bool files_moved = opened.IsCorruption() || opened.IsIOError() || opened.IsPathNotFound();
    if (!opened.ok() && files_moved && std::filesystem::is_directory(path)) continue;
    RETURN_IF_ERROR(last);
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSIGN_OR_RETURN(const std::string layout, LayoutOf(db.get()));
    if (layout.empty()) {
      last = absl::UnavailableError(absl::StrCat("mappa state at ", path, " changed while it was opened"));
      continue;
    }
    if (layout != kLayout) {
      return absl::FailedPreconditionError(absl::StrCat("mappa state at ", path, " is in layout '", layout, "', not '",
                                                        kLayout, "'; start mappa-service to rebuild it"));
    }
    return std::unique_ptr<MappaState>(new MappaState(std::move(db), path));
  }
  return last;
}

absl::StatusOr<std::unique_ptr<MappaState>> MappaState::Open(Options options) {
  rocksdb::Options db_options = DatabaseOptions(options.path);
  db_options.statistics = options.statistics;
  // The state's keys name records (a PNC id, a case reference), and the MANIFEST keeps the
  // first and last key of every table file it ever listed until it is rolled over: rolled
  // at every change of files, it lists only the files that are (each roll writes the
  // files' list again: a few hundred bytes a file, once per flush or compaction). Purge
  // relies on it (below).
  db_options.max_manifest_file_size = 1;
  if (options.env != nullptr) db_options.env = options.env;
  auto open = [&]() -> absl::StatusOr<std::unique_ptr<rocksdb::DB>> {
    rocksdb::DB* raw = nullptr;
    RETURN_IF_ERROR(
        FromRocksDb(rocksdb::DB::Open(db_options, options.path, &raw), absl::StrCat("open mappa state at ", options.path)));
    return std::unique_ptr<rocksdb::DB>(raw);
  };
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db, open());
  // Attached at once, so that a fault in what Open writes is resumed too; released before
  // `db` on every return.
  std::shared_ptr<void> resumed = StorageHealth::Process().Attach(options.path, db.get());
  ASSIGN_OR_RETURN(const std::string layout, LayoutOf(db.get()));
  if (layout != kLayout) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid()) {
      logging::Warning(absl::StrCat("mappa: state at ", options.path, " is in layout '", layout, "', not '", kLayout,
                                    "'; rebuilding it from the log"));
      it.reset();
      resumed.reset();
      db.reset();
      RETURN_IF_ERROR(FromRocksDb(rocksdb::DestroyDB(options.path, db_options), "discard old mappa state"));
      ASSIGN_OR_RETURN(db, open());
      resumed = StorageHealth::Process().Attach(options.path, db.get());
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    RETURN_IF_ERROR(FromRocksDb(db->Put(sync, prefix::kFormat, kLayout), "write mappa state layout"));
  }
  std::unique_ptr<MappaState> state(new MappaState(std::move(db), options.path));
  state->resumed_ = std::move(resumed);
  return state;
}

absl::Status MappaState::Commit(Transaction& txn) {
  rocksdb::WriteOptions options;
  options.disableWAL = bulk_load_;
  return FromRocksDb(db_->Write(options, txn.batch()), "apply events to mappa state");
}

absl::Status MappaState::Purge() {
  rocksdb::FlushOptions wait;
  wait.wait = true;
  RETURN_IF_ERROR(FromRocksDb(db_->Flush(wait), "flush mappa state after an erasure"));
  rocksdb::CompactRangeOptions all;
  all.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  RETURN_IF_ERROR(FromRocksDb(db_->CompactRange(all, nullptr, nullptr), "compact mappa state after an erasure"));
  // One more change of files, so that the MANIFEST is rolled over once more, now listing
  // only the files the compaction left: the previous one still names the files it
  // replaced, by their first and last keys.
  rocksdb::WriteOptions options;
  RETURN_IF_ERROR(FromRocksDb(db_->Put(options, prefix::kPurged, FormatTimestamp(ToProtoTimestamp(absl::Now()))),
                              "note an erasure's purge of mappa state"));
  return FromRocksDb(db_->Flush(wait), "flush mappa state after an erasure's purge");
}

absl::Status MappaState::SetBulkLoad(bool on) {
  if (on == bulk_load_) return absl::OkStatus();
  if (!on) {
    rocksdb::FlushOptions wait;
    wait.wait = true;
    RETURN_IF_ERROR(FromRocksDb(db_->Flush(wait), "flush mappa state written without its log"));
  }
  RETURN_IF_ERROR(FromRocksDb(db_->SetOptions({{"disable_auto_compactions", on ? "true" : "false"}}),
                              "set mappa state's compactions"));
  bulk_load_ = on;
  return absl::OkStatus();
}

}  // namespace safeguard::mappa
