// The one adapter from rocksdb::Status to absl::Status. Every RocksDB return code in
// Safeguard goes through it, so that callers see codes chosen by what they should do.
#pragma once

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace safeguard {

// `what` names the operation for the message, e.g. "append to police event store".
absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view what);

}  // namespace safeguard
