#include "services/mappa/state/transaction.h"

#include "common/rocksdb_status.h"
#include "common/status_macros.h"

namespace safeguard::mappa {
namespace {

rocksdb::Slice SliceOf(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

Transaction::Transaction(rocksdb::DB* db)
    : db_(db), batch_(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true) {}

absl::StatusOr<std::optional<std::string>> Transaction::Get(std::string_view key) const {
  std::string value;
  rocksdb::Status s = batch_.GetFromBatchAndDB(db_, rocksdb::ReadOptions(), SliceOf(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocksDb(s, "read mappa state"));
  return std::optional<std::string>(std::move(value));
}

absl::Status Transaction::Scan(std::string_view prefix, std::string_view start, ScanVisitor visit) const {
  const std::string upper = PrefixEnd(prefix);
  rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions options;
  if (!upper.empty()) options.iterate_upper_bound = &upper_bound;
  // The batch's writes over the database's: deleted keys are skipped, rewritten ones
  // show their new value. The bound holds for the batch's writes too: without it, a scan
  // of a prefix the batch has nothing under walked every key the batch deleted after it
  // (thousands in a rebuild's batch: events that waited for their keys), for each scan.
  std::unique_ptr<rocksdb::Iterator> it(
      batch_.NewIteratorWithBase(db_->DefaultColumnFamily(), db_->NewIterator(options), &options));
  const std::string_view from = start.empty() || start < prefix ? prefix : start;
  for (it->Seek(SliceOf(from)); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (!key.starts_with(SliceOf(prefix))) break;
    if (!visit(std::string_view(key.data(), key.size()), std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocksDb(it->status(), "scan mappa state");
}

void Transaction::Put(std::string_view key, std::string_view value) { batch_.Put(SliceOf(key), SliceOf(value)); }

void Transaction::PutUnread(std::string_view key, std::string_view value) {
  // Into the batch beneath the index: the index's entries point at offsets in the batch,
  // which a record added after them does not move.
  batch_.GetWriteBatch()->Put(SliceOf(key), SliceOf(value)).PermitUncheckedError();
}

void Transaction::Delete(std::string_view key) { batch_.Delete(SliceOf(key)); }

}  // namespace safeguard::mappa
