// One consistent moment of mappa-service's state, for a read: every Get and Scan through
// it sees the state exactly as it stood when it was taken, whatever the consumer applies
// meanwhile, so that an answer built from several reads (a person's records, then their
// picture, then their links) is the answer of one moment, and its access record names
// exactly what it holds. Cheap to take; copyable; thread-safe.
#pragma once

#include <memory>

#include "rocksdb/db.h"
#include "services/mappa/state/state_reader.h"

namespace safeguard::mappa {

class Snapshot final : public StateReader {
 public:
  // A snapshot of `db` now. `db` must outlive every copy.
  explicit Snapshot(rocksdb::DB* db);

  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) const override;
  absl::Status Scan(std::string_view prefix, std::string_view start, ScanVisitor visit) const override;

 private:
  rocksdb::ReadOptions Options() const;

  rocksdb::DB* db_;
  std::shared_ptr<const rocksdb::Snapshot> snapshot_;
};

// Scans `prefix` of `db` from `start` with `options` (a snapshot, or none): the one scan
// loop the snapshot and the transaction share.
absl::Status ScanDb(rocksdb::DB* db, rocksdb::ReadOptions options, std::string_view prefix, std::string_view start,
                    ScanVisitor visit);

}  // namespace safeguard::mappa
