// How every component of mappa-service reads its state: point reads and ordered scans of
// its own keys. A Snapshot (state/snapshot.h) reads one consistent moment, for the reads
// that answer callers; a Transaction (state/transaction.h) reads what its batch has
// written so far over the state it began on, for the folders that apply events.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"

namespace safeguard::mappa {

// Called with each key and value of a scan, in key order; returns false to stop.
using ScanVisitor = absl::FunctionRef<bool(std::string_view key, std::string_view value)>;

class StateReader {
 public:
  virtual ~StateReader() = default;

  // The value stored under `key`; nullopt when there is none.
  virtual absl::StatusOr<std::optional<std::string>> Get(std::string_view key) const = 0;

  // Visits the keys that start with `prefix`, from the first at or after `start` (empty:
  // the first of the prefix), in order, until `visit` returns false.
  virtual absl::Status Scan(std::string_view prefix, std::string_view start, ScanVisitor visit) const = 0;
};

// The first key after every key that starts with `prefix`, a scan's upper bound; empty
// when there is none (a prefix of 0xff bytes only).
inline std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

// The message stored under `key`, parsed; nullopt when absent, kDataLoss naming `what`
// when unreadable.
template <typename Message>
absl::StatusOr<std::optional<Message>> GetMessage(const StateReader& reader, std::string_view key,
                                                  std::string_view what) {
  absl::StatusOr<std::optional<std::string>> bytes = reader.Get(key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<Message>();
  Message m;
  if (!m.ParseFromString(**bytes)) return absl::DataLossError(absl::StrCat("stored ", std::string(what), " is unreadable"));
  return std::optional<Message>(std::move(m));
}

}  // namespace safeguard::mappa
