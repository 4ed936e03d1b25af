#include "services/mappa/state/snapshot.h"

#include "common/rocksdb_status.h"
#include "common/status_macros.h"

namespace safeguard::mappa {
absl::Status ScanDb(rocksdb::DB* db, rocksdb::ReadOptions options, std::string_view prefix, std::string_view start,
                    ScanVisitor visit) {
  const std::string upper = PrefixEnd(prefix);
  rocksdb::Slice upper_bound(upper);
  if (!upper.empty()) options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options));
  const std::string_view from = start.empty() || start < prefix ? prefix : start;
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (!key.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
    if (!visit(std::string_view(key.data(), key.size()), std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocksDb(it->status(), "scan mappa state");
}

Snapshot::Snapshot(rocksdb::DB* db)
    : db_(db),
      snapshot_(db->GetSnapshot(), [db](const rocksdb::Snapshot* s) {
        if (s != nullptr) db->ReleaseSnapshot(s);
      }) {}

rocksdb::ReadOptions Snapshot::Options() const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_.get();
  return options;
}

absl::StatusOr<std::optional<std::string>> Snapshot::Get(std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(Options(), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocksDb(s, "read mappa state"));
  return std::optional<std::string>(std::move(value));
}

absl::Status Snapshot::Scan(std::string_view prefix, std::string_view start, ScanVisitor visit) const {
  return ScanDb(db_, Options(), prefix, start, visit);
}

}  // namespace safeguard::mappa
