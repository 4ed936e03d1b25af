#include "common/rocksdb_status.h"

#include "absl/strings/str_cat.h"

namespace safeguard {

absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(message);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTimedOut:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kIncomplete:
      return absl::UnavailableError(message);
    case rocksdb::Status::kIOError:
      // Disk full: writing resumes by itself once space is freed (StorageHealth).
      if (s.IsNoSpace()) {
        return absl::ResourceExhaustedError(absl::StrCat(
            what, ": the disk is full; writes resume by themselves once space is freed, and a command refused "
                  "now may be sent again with the same command_id (",
            s.ToString(), ")"));
      }
      // Read-only file system, lost device: the operator must act, but the call itself
      // may succeed once they have.
      return absl::UnavailableError(message);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(message);
    case rocksdb::Status::kInvalidArgument:
    case rocksdb::Status::kNotSupported:
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace safeguard
