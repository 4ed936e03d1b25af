#include "services/mappa/ingest/stream_sequencer.h"

#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/keys.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;

std::string AppliedKey(const std::string& stream) { return prefix::kApplied + stream; }
std::string StreamVersionKey(const char* p, const std::string& stream, uint64_t version) {
  std::string k = NamedPrefix(p, stream);
  AppendBigEndian64(&k, version);
  return k;
}
std::string ParkedKey(const std::string& stream, uint64_t version) {
  return StreamVersionKey(prefix::kParked, stream, version);
}
std::string GapKey(const std::string& stream, uint64_t version) {
  return StreamVersionKey(prefix::kGap, stream, version);
}
std::string PositionKey(const std::string& topic, int32_t partition) {
  std::string k = NamedPrefix(prefix::kPosition, topic);
  AppendBigEndian64(&k, static_cast<uint64_t>(partition));
  return k;
}

}  // namespace

ApplyStats& ApplyStats::operator+=(const ApplyStats& o) {
  applied += o.applied;
  duplicates += o.duplicates;
  parked += o.parked;
  released += o.released;
  unreadable += o.unreadable;
  awaiting_key += o.awaiting_key;
  return *this;
}

StreamSequencer::StreamSequencer(Transaction* txn, Clock clock, ApplyStats* stats)
    : txn_(txn), clock_(std::move(clock)), stats_(stats) {}

absl::StatusOr<v1::AppliedVersion*> StreamSequencer::Stream(const std::string& stream_id) {
  auto it = streams_.find(stream_id);
  if (it != streams_.end()) return &it->second;
  ASSIGN_OR_RETURN(std::optional<v1::AppliedVersion> stored,
                   GetMessage<v1::AppliedVersion>(*txn_, AppliedKey(stream_id), "stream version"));
  return &streams_.emplace(stream_id, stored.value_or(v1::AppliedVersion())).first->second;
}

void StreamSequencer::Consumed(const BusRecord& record) {
  int64_t& next = positions_[{record.topic, record.partition}];
  next = std::max(next, record.offset + 1);
}

void StreamSequencer::Unreadable(const BusRecord& record, absl::string_view why) {
  // A message that is not an event cannot be applied; skipping it is the only way
  // forward, so it is reported loudly with its position for the operator.
  logging::Error(absl::StrCat("mappa: unreadable event at ", record.topic, "/", record.partition, "@", record.offset,
                              " (", why, "); skipped"));
  ++stats_->unreadable;
}

absl::Status StreamSequencer::Admit(const BusRecord& record, const Apply& apply) {
  Consumed(record);
  v1::EventEnvelope e;
  if (!e.ParseFromString(record.value)) {
    Unreadable(record, "not an event");
    return absl::OkStatus();
  }
  return AdmitEvent(e, record.value, e.stream_id(), apply);
}

absl::Status StreamSequencer::AdmitEvent(const v1::EventEnvelope& e, std::string_view bytes, const std::string& stream,
                                         const Apply& apply) {
  if (stream.empty() || e.stream_version() == 0) {
    logging::Error(absl::StrCat("mappa: an event of no stream (event id ", e.event_id(), "); skipped"));
    ++stats_->unreadable;
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(v1::AppliedVersion * applied, Stream(stream));
  if (e.stream_version() <= applied->version()) {
    ++stats_->duplicates;
    return absl::OkStatus();
  }
  // An earlier version of this stream has not arrived. Applying out of order would make
  // the missing event look like a duplicate when it comes, so this one waits.
  if (e.stream_version() > applied->version() + 1) return Park(e, bytes, stream, applied);

  RETURN_IF_ERROR(apply(e, bytes));
  applied->set_version(e.stream_version());
  ++stats_->applied;
  if (applied->parked() == 0) return absl::OkStatus();  // the usual case: nothing waits

  // The gap this event closes, and every held successor it releases.
  txn_->Delete(GapKey(stream, e.stream_version()));
  for (uint64_t next = e.stream_version() + 1;; ++next) {
    const std::string key = ParkedKey(stream, next);
    ASSIGN_OR_RETURN(std::optional<std::string> bytes, txn_->Get(key));
    if (!bytes.has_value()) break;
    v1::EventEnvelope successor;
    if (!successor.ParseFromString(*bytes)) return absl::DataLossError("parked event is unreadable");
    RETURN_IF_ERROR(apply(successor, *bytes));
    txn_->Delete(key);
    applied->set_version(next);
    applied->set_parked(applied->parked() - 1);
    ++stats_->applied;
    ++stats_->released;
  }
  if (applied->parked() == 0) return absl::OkStatus();
  // Later events still wait, now for the next missing version: the first held shows it.
  uint64_t seen = 0;
  RETURN_IF_ERROR(txn_->Scan(NamedPrefix(prefix::kParked, stream), "", [&](std::string_view key, std::string_view) {
    seen = DecodeBigEndian64(key.substr(key.size() - 8));
    return false;
  }));
  return ReportGap(stream, *applied, seen);
}

absl::Status StreamSequencer::Park(const v1::EventEnvelope& e, std::string_view bytes, const std::string& stream,
                                   v1::AppliedVersion* applied) {
  const std::string key = ParkedKey(stream, e.stream_version());
  ASSIGN_OR_RETURN(std::optional<std::string> already, txn_->Get(key));
  if (already.has_value()) {
    ++stats_->duplicates;
    return absl::OkStatus();
  }
  txn_->Put(key, bytes);
  applied->set_parked(applied->parked() + 1);
  ++stats_->parked;
  return ReportGap(stream, *applied, e.stream_version());
}

absl::Status StreamSequencer::ReportGap(const std::string& stream, const v1::AppliedVersion& applied, uint64_t seen) {
  const std::string key = GapKey(stream, applied.version() + 1);
  ASSIGN_OR_RETURN(std::optional<std::string> known, txn_->Get(key));
  if (known.has_value()) return absl::OkStatus();
  v1::GapReport gap;
  gap.set_stream_id(stream);
  gap.set_expected_version(applied.version() + 1);
  gap.set_seen_version(seen);
  *gap.mutable_detected_at() = ToProtoTimestamp(clock_());
  txn_->Put(key, gap.SerializeAsString());
  logging::Warning(absl::StrCat("mappa: stream ", stream, " is missing version ", applied.version() + 1, " (saw ", seen,
                                "); holding later events until it arrives"));
  return absl::OkStatus();
}

void StreamSequencer::Finish() {
  for (const auto& [stream, applied] : streams_) txn_->Put(AppliedKey(stream), applied.SerializeAsString());
  for (const auto& [tp, next] : positions_) {
    std::string v;
    AppendBigEndian64(&v, static_cast<uint64_t>(next));
    txn_->Put(PositionKey(tp.first, tp.second), v);
  }
}

absl::StatusOr<int64_t> StreamSequencer::Position(const StateReader& state, const std::string& topic,
                                                  int32_t partition) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, state.Get(PositionKey(topic, partition)));
  return v.has_value() ? static_cast<int64_t>(DecodeBigEndian64(*v)) : 0;
}

absl::StatusOr<std::vector<v1::ConsumerPosition>> StreamSequencer::Positions(const StateReader& state) {
  std::vector<v1::ConsumerPosition> out;
  RETURN_IF_ERROR(state.Scan(prefix::kPosition, "", [&](std::string_view key, std::string_view value) {
    const size_t nul = key.find('\0');
    v1::ConsumerPosition p;
    p.set_topic(std::string(key.substr(1, nul - 1)));
    p.set_partition(static_cast<int32_t>(DecodeBigEndian64(key.substr(nul + 1))));
    p.set_next_offset(static_cast<int64_t>(DecodeBigEndian64(value)));
    out.push_back(std::move(p));
    return true;
  }));
  return out;
}

absl::StatusOr<std::vector<v1::GapReport>> StreamSequencer::Gaps(const StateReader& state, size_t max) {
  std::vector<v1::GapReport> out;
  absl::Status parsed;
  RETURN_IF_ERROR(state.Scan(prefix::kGap, "", [&](std::string_view, std::string_view value) {
    v1::GapReport g;
    if (!g.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parsed = absl::DataLossError("stored gap report is unreadable");
      return false;
    }
    out.push_back(std::move(g));
    return out.size() < max;
  }));
  RETURN_IF_ERROR(parsed);
  return out;
}

absl::StatusOr<uint64_t> StreamSequencer::EventsWaiting(const StateReader& state) {
  uint64_t n = 0;
  RETURN_IF_ERROR(state.Scan(prefix::kParked, "", [&](std::string_view, std::string_view) {
    ++n;
    return true;
  }));
  return n;
}

}  // namespace safeguard::mappa
