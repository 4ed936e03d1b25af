// One batch of the consumer's work on mappa-service's state: every folder reads through
// it (this batch's own writes first, then the state the batch began on) and adds its
// writes to it, and MappaState::Commit writes them all, with the bus positions they
// consumed, in one atomic RocksDB write. A crash before the commit leaves nothing of the
// batch; after it, all of it. Not thread-safe: the consumer's thread owns it.
#pragma once

#include <memory>

#include "rocksdb/db.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "services/mappa/state/state_reader.h"

namespace safeguard::mappa {

class Transaction final : public StateReader {
 public:
  // Over `db`, which must outlive the transaction.
  explicit Transaction(rocksdb::DB* db);

  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) const override;
  absl::Status Scan(std::string_view prefix, std::string_view start, ScanVisitor visit) const override;

  void Put(std::string_view key, std::string_view value);
  // Writes `key` without indexing it: cheaper, and Get and Scan through this transaction
  // do not see it (they see the state it began on). Only for keys that nothing reads
  // during a batch and that are written once per batch (a timeline entry, an index
  // entry that only reads consult).
  void PutUnread(std::string_view key, std::string_view value);
  void Delete(std::string_view key);

  // How many writes the batch holds.
  size_t writes() const { return static_cast<size_t>(batch_.GetWriteBatch()->Count()); }
  rocksdb::WriteBatch* batch() { return batch_.GetWriteBatch(); }

 private:
  rocksdb::DB* const db_;
  mutable rocksdb::WriteBatchWithIndex batch_;
};

}  // namespace safeguard::mappa
