#include "services/mappa/risk_view_store.h"

#include <iostream>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/keys.h"
#include "common/rocksdb_status.h"
#include "common/status_macros.h"
#include "rocksdb/write_batch.h"
#include "services/mappa/online_identifier.h"
#include "services/mappa/risk_projection.h"

namespace safeguard::mappa {
namespace {

using safeguard::v1::EventEnvelope;
using safeguard::v1::RiskView;

// Key layout:
//   'v' subject_key                          -> RiskView (facts)
//   't' subject_key \0 occurred agency seq   -> TimelineEntry
//   'r' reference                            -> subject_key
//   'a' stream_id                            -> last applied stream version
//   'p' topic \0 partition                   -> next offset to consume
//   'g' stream_id \0 expected_version        -> GapReport (while the version is missing)
//   'q' stream_id \0 version                 -> EventEnvelope parked until its turn
//   'i' identifier key \0 subject_key         -> "" (online identifiers ever notified)
std::string ViewKey(const std::string& subject) { return "v" + subject; }
std::string RefKey(const std::string& ref) { return "r" + ref; }
std::string AppliedKey(const std::string& stream) { return "a" + stream; }
std::string PositionKey(const std::string& topic, int32_t partition) {
  std::string k = NamedPrefix("p", topic);
  AppendBigEndian64(&k, static_cast<uint64_t>(partition));
  return k;
}
std::string StreamVersionKey(const char* prefix, const std::string& stream, uint64_t version) {
  std::string k = NamedPrefix(prefix, stream);
  AppendBigEndian64(&k, version);
  return k;
}
std::string TimelinePrefix(const std::string& subject) { return NamedPrefix("t", subject); }
std::string TimelineSuffix(const EventEnvelope& e) {
  std::string s;
  const int64_t micros = e.occurred_at().seconds() * 1000000 + e.occurred_at().nanos() / 1000;
  AppendBigEndian64(&s, OrderedFromSigned(micros));
  AppendBigEndian64(&s, static_cast<uint64_t>(e.agency()));
  AppendBigEndian64(&s, e.log_sequence());
  return s;
}
constexpr size_t kTimelineSuffixBytes = 24;

std::string EncodeU64(uint64_t v) {
  std::string s;
  AppendBigEndian64(&s, v);
  return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RiskViewStore>> RiskViewStore::Open(const std::string& path,
                                                                   Clock clock) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::Open(options, path, &raw),
                              absl::StrCat("open mappa views at ", path)));
  return std::unique_ptr<RiskViewStore>(
      new RiskViewStore(std::unique_ptr<rocksdb::DB>(raw), std::move(clock)));
}

RiskViewStore::RiskViewStore(std::unique_ptr<rocksdb::DB> db, Clock clock)
    : db_(std::move(db)), clock_(std::move(clock)) {}

absl::StatusOr<ApplyStats> RiskViewStore::ApplyRecords(const std::vector<BusRecord>& records) {
  ApplyStats stats;
  rocksdb::WriteBatch batch;
  // Overlays of what this batch changes, so that several events of one subject or stream
  // in one batch see each other. A parked entry of nullopt was released in this batch.
  std::unordered_map<std::string, RiskView> views;
  std::unordered_map<std::string, uint64_t> applied;
  std::unordered_map<std::string, std::string> refs;
  std::unordered_map<std::string, std::optional<std::string>> parked;
  std::map<std::pair<std::string, int32_t>, int64_t> positions;
  std::unordered_set<std::string> reported_gaps;

  auto get = [&](const std::string& key, std::string* value) -> absl::StatusOr<bool> {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, value);
    if (s.IsNotFound()) return false;
    RETURN_IF_ERROR(FromRocksDb(s, "read mappa state"));
    return true;
  };
  auto get_parked = [&](const std::string& key, std::string* value) -> absl::StatusOr<bool> {
    if (auto it = parked.find(key); it != parked.end()) {
      if (!it->second.has_value()) return false;
      *value = *it->second;
      return true;
    }
    return get(key, value);
  };
  auto lookup_ref = [&](const std::string& ref) -> absl::StatusOr<std::string> {
    if (auto it = refs.find(ref); it != refs.end()) return it->second;
    std::string key;
    ASSIGN_OR_RETURN(bool found, get(RefKey(ref), &key));
    return found ? key : std::string();
  };
  auto last_applied = [&](const std::string& stream) -> absl::StatusOr<uint64_t> {
    if (auto it = applied.find(stream); it != applied.end()) return it->second;
    std::string v;
    ASSIGN_OR_RETURN(bool found, get(AppliedKey(stream), &v));
    return found ? DecodeBigEndian64(v) : 0;
  };

  // Applies `e`, the next version of its stream, to its subject's view and timeline.
  auto apply = [&](const EventEnvelope& e) -> absl::Status {
    applied[e.stream_id()] = e.stream_version();
    batch.Put(AppliedKey(e.stream_id()), EncodeU64(e.stream_version()));
    // The gap this event closes, if one was reported, is closed.
    batch.Delete(StreamVersionKey("g", e.stream_id(), e.stream_version()));
    reported_gaps.erase(StreamVersionKey("g", e.stream_id(), e.stream_version()));

    // The view this event belongs to: the one already known by its key or by any of its
    // references (a ViSOR-only event joins the view its PNC id built), else a new one.
    std::string subject;
    ASSIGN_OR_RETURN(subject, lookup_ref(e.subject_key()));
    for (const std::string& ref : ReferencesOf(e.subject())) {
      if (!subject.empty()) break;
      ASSIGN_OR_RETURN(subject, lookup_ref(ref));
    }
    if (subject.empty()) subject = e.subject_key();
    std::vector<std::string> all_refs = ReferencesOf(e.subject());
    all_refs.push_back(e.subject_key());
    for (const std::string& ref : all_refs) {
      ASSIGN_OR_RETURN(std::string owner, lookup_ref(ref));
      if (owner.empty()) {
        refs[ref] = subject;
        batch.Put(RefKey(ref), subject);
      }
    }

    auto vit = views.find(subject);
    if (vit == views.end()) {
      RiskView view;
      std::string bytes;
      ASSIGN_OR_RETURN(bool found, get(ViewKey(subject), &bytes));
      if (found && !view.ParseFromString(bytes)) {
        return absl::DataLossError(absl::StrCat("stored view of ", subject, " is unreadable"));
      }
      if (!found) view.set_subject_key(subject);
      vit = views.emplace(subject, std::move(view)).first;
    }
    ApplyEvent(e, &vit->second);
    if (e.has_register_notification_recorded()) {
      // Indexed for screening; a check confirms against the latest notification, so an
      // identifier later dropped from the register stops matching without a delete here.
      for (const auto& id : e.register_notification_recorded().online_identifiers()) {
        absl::StatusOr<std::string> key = OnlineIdentifierKey(id.kind(), id.value(), id.platform(), "");
        if (key.ok()) batch.Put(NamedPrefix("i", *key) + subject, "");
      }
    }

    safeguard::v1::TimelineEntry entry;
    *entry.mutable_provenance() = ProvenanceOf(e);
    entry.set_summary(TimelineSummary(e));
    batch.Put(TimelinePrefix(subject) + TimelineSuffix(e), entry.SerializeAsString());
    ++stats.applied;
    return absl::OkStatus();
  };

  for (const BusRecord& record : records) {
    positions[{record.topic, record.partition}] = record.offset + 1;
    EventEnvelope e;
    if (!e.ParseFromString(record.value) || e.stream_id().empty() || e.stream_version() == 0) {
      // A message that is not an event cannot be applied; skipping it is the only way
      // forward, so it is reported loudly with its position for the operator.
      std::cerr << "mappa: unreadable event at " << record.topic << "/" << record.partition << "@"
                << record.offset << "; skipped" << std::endl;
      ++stats.unreadable;
      continue;
    }
    ASSIGN_OR_RETURN(const uint64_t last, last_applied(e.stream_id()));
    if (e.stream_version() <= last) {
      ++stats.duplicates;
      continue;
    }
    if (e.stream_version() > last + 1) {
      // An earlier version of this stream has not arrived (partitions and publish retries
      // can reorder delivery). Applying out of order would make the missing event look
      // like a duplicate when it comes, so this one waits, and the gap is reported.
      const std::string key = StreamVersionKey("q", e.stream_id(), e.stream_version());
      std::string existing;
      ASSIGN_OR_RETURN(bool already, get_parked(key, &existing));
      if (already) {
        ++stats.duplicates;
        continue;
      }
      parked[key] = record.value;
      batch.Put(key, record.value);
      const std::string gap_key = StreamVersionKey("g", e.stream_id(), last + 1);
      std::string reported;
      ASSIGN_OR_RETURN(bool known, get(gap_key, &reported));
      if (!known && !reported_gaps.contains(gap_key)) {
        safeguard::v1::GapReport gap;
        gap.set_stream_id(e.stream_id());
        gap.set_expected_version(last + 1);
        gap.set_seen_version(e.stream_version());
        *gap.mutable_detected_at() = ToProtoTimestamp(clock_());
        batch.Put(gap_key, gap.SerializeAsString());
        reported_gaps.insert(gap_key);
        std::cerr << "mappa: stream " << e.stream_id() << " is missing version " << last + 1
                  << " (saw " << e.stream_version() << "); holding later events until it arrives"
                  << std::endl;
      }
      ++stats.parked;
      continue;
    }
    // In order: apply it, then every parked successor it releases.
    RETURN_IF_ERROR(apply(e));
    for (uint64_t next = e.stream_version() + 1;; ++next) {
      const std::string key = StreamVersionKey("q", e.stream_id(), next);
      std::string bytes;
      ASSIGN_OR_RETURN(bool waiting, get_parked(key, &bytes));
      if (!waiting) break;
      EventEnvelope successor;
      if (!successor.ParseFromString(bytes)) return absl::DataLossError("parked event is unreadable");
      RETURN_IF_ERROR(apply(successor));
      parked[key] = std::nullopt;
      batch.Delete(key);
      ++stats.released;
    }
  }

  for (const auto& [subject, view] : views) {
    batch.Put(ViewKey(subject), view.SerializeAsString());
  }
  for (const auto& [tp, next] : positions) {
    batch.Put(PositionKey(tp.first, tp.second), EncodeU64(static_cast<uint64_t>(next)));
  }
  // The bus holds every event durably, so the view need not sync: after a power loss
  // RocksDB recovers a prefix of its writes, state and position together, and the
  // consumer re-reads from there.
  RETURN_IF_ERROR(FromRocksDb(db_->Write(rocksdb::WriteOptions(), &batch), "apply events"));
  counters_.applied += stats.applied;
  counters_.duplicates += stats.duplicates;
  counters_.parked += stats.parked;
  counters_.released += stats.released;
  counters_.unreadable += stats.unreadable;
  return stats;
}

absl::StatusOr<int64_t> RiskViewStore::Position(const std::string& topic, int32_t partition) {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), PositionKey(topic, partition), &v);
  if (s.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocksDb(s, "read position"));
  return static_cast<int64_t>(DecodeBigEndian64(v));
}

absl::StatusOr<std::string> RiskViewStore::ResolveReference(const std::string& reference) {
  std::string key;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), RefKey(reference), &key);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no subject is known as ", reference));
  RETURN_IF_ERROR(FromRocksDb(s, "resolve reference"));
  return key;
}

absl::StatusOr<RiskView> RiskViewStore::GetView(const std::string& subject_key) {
  std::string bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ViewKey(subject_key), &bytes);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no view of ", subject_key));
  RETURN_IF_ERROR(FromRocksDb(s, "read view"));
  RiskView view;
  if (!view.ParseFromString(bytes)) return absl::DataLossError("stored view is unreadable");
  return view;
}

absl::StatusOr<safeguard::v1::GetTimelineResponse> RiskViewStore::GetTimeline(
    const std::string& subject_key, uint32_t page_size, const std::string& page_token) {
  const std::string prefix = TimelinePrefix(subject_key);
  std::string start = prefix;
  if (!page_token.empty()) {
    std::string suffix;
    if (!absl::WebSafeBase64Unescape(page_token, &suffix) || suffix.size() != kTimelineSuffixBytes) {
      return absl::InvalidArgumentError("page_token: not a token from a previous page");
    }
    start = prefix + suffix;
  }
  safeguard::v1::GetTimelineResponse response;
  response.set_subject_key(subject_key);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->Seek(start);
  if (!page_token.empty() && it->Valid() && it->key().ToStringView() == start) it->Next();
  std::string last_key;
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (response.entries_size() == static_cast<int>(page_size)) {
      response.set_next_page_token(absl::WebSafeBase64Escape(last_key.substr(prefix.size())));
      break;
    }
    if (!response.add_entries()->ParseFromArray(it->value().data(),
                                                static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored timeline entry is unreadable");
    }
    last_key = it->key().ToString();
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read timeline"));
  return response;
}

absl::StatusOr<std::vector<safeguard::v1::ConsumerPosition>> RiskViewStore::Positions() {
  std::vector<safeguard::v1::ConsumerPosition> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("p"); it->Valid() && it->key().starts_with("p"); it->Next()) {
    const std::string key = it->key().ToString();
    const size_t nul = key.find('\0');
    safeguard::v1::ConsumerPosition p;
    p.set_topic(key.substr(1, nul - 1));
    p.set_partition(static_cast<int32_t>(DecodeBigEndian64(std::string_view(key).substr(nul + 1))));
    p.set_next_offset(static_cast<int64_t>(DecodeBigEndian64(it->value().ToStringView())));
    out.push_back(std::move(p));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read positions"));
  return out;
}

absl::StatusOr<uint64_t> RiskViewStore::EventsWaiting() {
  uint64_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("q"); it->Valid() && it->key().starts_with("q"); it->Next()) ++n;
  RETURN_IF_ERROR(FromRocksDb(it->status(), "count waiting events"));
  return n;
}

absl::StatusOr<std::vector<std::string>> RiskViewStore::SubjectsWithIdentifier(const std::string& key) {
  std::vector<std::string> out;
  const std::string prefix = NamedPrefix("i", key);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out.push_back(it->key().ToString().substr(prefix.size()));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read identifier index"));
  return out;
}

absl::StatusOr<std::vector<safeguard::v1::GapReport>> RiskViewStore::Gaps() {
  std::vector<safeguard::v1::GapReport> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("g"); it->Valid() && it->key().starts_with("g"); it->Next()) {
    safeguard::v1::GapReport g;
    if (!g.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored gap report is unreadable");
    }
    out.push_back(std::move(g));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read gaps"));
  return out;
}

}  // namespace safeguard::mappa
