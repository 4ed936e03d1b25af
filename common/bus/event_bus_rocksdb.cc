#include "common/bus/event_bus_rocksdb.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/keys.h"
#include "common/rocksdb_status.h"
#include "common/status_macros.h"
#include "common/store/rocksdb_options.h"
#include "common/store/storage_health.h"
#include "rocksdb/write_batch.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard {
namespace {

// Key layout:
//   't' topic \0 offset -> BusLogRecord
//   'n' topic           -> next offset
std::string RecordKey(const std::string& topic, int64_t offset) {
  std::string k = NamedPrefix("t", topic);
  AppendBigEndian64(&k, static_cast<uint64_t>(offset));
  return k;
}

class RocksDbConsumer : public BusConsumer {
 public:
  RocksDbConsumer(RocksDbEventBus* bus, std::map<std::string, int64_t> next)
      : bus_(bus), next_(std::move(next)) {}

  std::vector<PartitionEnd> Ends() override {
    std::vector<PartitionEnd> ends;
    for (const auto& [topic, next] : next_) ends.push_back({topic, 0, bus_->EndOffset(topic)});
    return ends;
  }

  absl::StatusOr<std::vector<BusRecord>> Poll(absl::Duration timeout, size_t max) override {
    const absl::Time deadline = absl::Now() + timeout;
    while (true) {
      const uint64_t seen = bus_->AppendCount();
      std::vector<BusRecord> out;
      // The compacted topics (the keys) first: a consumer far behind (a rebuild) then has
      // each key before the events sealed under it, as a live one does, instead of holding
      // every event until a keys topic's turn comes.
      for (const bool compacted : {true, false}) {
        for (auto& [topic, next] : next_) {
          if (out.size() >= max) break;
          if (IsCompactedTopic(topic) != compacted) continue;
          ASSIGN_OR_RETURN(std::vector<BusRecord> records, bus_->Read(topic, next, max - out.size()));
          if (!records.empty()) next = records.back().offset + 1;
          for (BusRecord& r : records) out.push_back(std::move(r));
        }
      }
      if (!out.empty()) return out;
      // Wait for an append to any topic made after the reads above began.
      if (!bus_->WaitForAppendAfter(seen, deadline)) return out;
    }
  }

 private:
  RocksDbEventBus* bus_;
  std::map<std::string, int64_t> next_;
};

}  // namespace

absl::Status RocksDbEventBus::ReadWholeTopic(const std::string& topic,
                                             const std::function<absl::Status(BusRecord)>& visit) {
  const int64_t end = EndOffset(topic);
  for (int64_t offset = 0; offset < end;) {
    ASSIGN_OR_RETURN(std::vector<BusRecord> records, Read(topic, offset, 10000));
    if (records.empty()) break;
    offset = records.back().offset + 1;
    for (BusRecord& r : records) {
      if (r.offset >= end) return absl::OkStatus();
      RETURN_IF_ERROR(visit(std::move(r)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<RocksDbEventBus>> RocksDbEventBus::OpenReadOnly(const std::string& path) {
  rocksdb::Options options;
  AddFaultHandling(path, &options);
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::OpenForReadOnly(options, path, &raw),
                              absl::StrCat("open event bus at ", path, " to read")));
  return FromDb(std::unique_ptr<rocksdb::DB>(raw), SystemClock(), /*writable=*/false);
}

absl::StatusOr<std::unique_ptr<RocksDbEventBus>> RocksDbEventBus::Open(const std::string& path, Clock clock,
                                                                       rocksdb::Env* env) {
  rocksdb::Options options;
  options.create_if_missing = true;
  AddFaultHandling(path, &options);
  if (env != nullptr) options.env = env;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocksDb(rocksdb::DB::Open(options, path, &raw), absl::StrCat("open event bus at ", path)));
  ASSIGN_OR_RETURN(std::unique_ptr<RocksDbEventBus> bus,
                   FromDb(std::unique_ptr<rocksdb::DB>(raw), std::move(clock), /*writable=*/true));
  bus->resumed_ = StorageHealth::Process().Attach(path, bus->db_.get());
  return bus;
}

absl::StatusOr<std::unique_ptr<RocksDbEventBus>> RocksDbEventBus::FromDb(std::unique_ptr<rocksdb::DB> db,
                                                                         Clock clock, bool writable) {
  std::map<std::string, int64_t> ends;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("n"); it->Valid() && it->key().starts_with("n"); it->Next()) {
    ends[it->key().ToString().substr(1)] =
        static_cast<int64_t>(DecodeBigEndian64(it->value().ToStringView()));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan event bus topics"));
  // The compacted topics' latest record of each key. A log written before they were
  // compacted has its replaced records deleted here, once.
  LatestByKey latest;
  rocksdb::WriteBatch replaced;
  for (const auto& [topic, end] : ends) {
    if (!IsCompactedTopic(topic) || !writable) continue;
    const std::string prefix = NamedPrefix("t", topic);
    auto& offsets = latest[topic];
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      safeguard::v1::BusLogRecord record;
      if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError(absl::StrCat("unreadable bus record in ", topic));
      }
      const auto offset = static_cast<int64_t>(DecodeBigEndian64(it->key().ToStringView().substr(prefix.size())));
      auto [at, added] = offsets.try_emplace(record.key(), offset);
      if (!added) {
        replaced.Delete(RecordKey(topic, at->second));
        at->second = offset;
      }
    }
    RETURN_IF_ERROR(FromRocksDb(it->status(), "scan a compacted topic"));
  }
  it.reset();
  if (replaced.Count() > 0) {
    rocksdb::WriteOptions synced;
    synced.sync = true;
    RETURN_IF_ERROR(FromRocksDb(db->Write(synced, &replaced), "compact the keys topics"));
    // Among them, the records that carried keys destroyed since: out of every file too.
    for (const auto& [topic, offsets] : latest) RETURN_IF_ERROR(PurgeReplaced(db.get(), topic));
  }
  return std::unique_ptr<RocksDbEventBus>(
      new RocksDbEventBus(std::move(db), std::move(ends), std::move(latest), std::move(clock), writable));
}

RocksDbEventBus::RocksDbEventBus(std::unique_ptr<rocksdb::DB> db, std::map<std::string, int64_t> ends,
                                 LatestByKey latest, Clock clock, bool writable)
    : db_(std::move(db)), clock_(std::move(clock)), end_offsets_(std::move(ends)), latest_(std::move(latest)) {
  if (writable) writer_ = std::thread([this] { WriterLoop(); });
}

RocksDbEventBus::~RocksDbEventBus() {
  std::deque<Pending> abandoned;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    abandoned.swap(queue_);
  }
  for (Pending& p : abandoned) p.done(absl::UnavailableError("the event bus is shutting down"));
}

void RocksDbEventBus::PublishAsync(std::vector<BusMessage> messages, PublishDone done) {
  if (messages.empty()) return done(absl::OkStatus());
  if (absl::Status st = CheckMessageTopics(messages); !st.ok()) return done(st);
  if (!writer_.joinable()) return done(absl::FailedPreconditionError("the event bus is open to read only"));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(messages), std::move(done)});
      work_cv_.notify_one();
      return;
    }
  }
  done(absl::UnavailableError("the event bus is shutting down"));
}

void RocksDbEventBus::WriterLoop() {
  // Most messages one synced write carries: bounds the batch's memory, not its latency.
  constexpr size_t kMaxGroupMessages = 16384;
  std::vector<Pending> group;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      size_t messages = 0;
      while (!queue_.empty() && (group.empty() || messages + queue_.front().messages.size() <= kMaxGroupMessages)) {
        messages += queue_.front().messages.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
    group.clear();
  }
}

void RocksDbEventBus::CommitGroup(std::vector<Pending>& group) {
  // Only this thread appends, so the offsets it assigns from the durable ends are final.
  std::map<std::string, int64_t> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next = end_offsets_;
  }
  rocksdb::WriteBatch batch;
  const auto appended_at = ToProtoTimestamp(clock_());
  size_t messages = 0;
  std::map<std::string, int64_t> touched;
  LatestByKey latest;           // this group's appends to compacted topics
  std::set<std::string> purge;  // compacted topics whose replaced records must leave every file
  for (const Pending& p : group) {
    for (const BusMessage& m : p.messages) {
      safeguard::v1::BusLogRecord record;
      record.set_key(m.key);
      record.set_value(m.value);
      *record.mutable_appended_at() = appended_at;
      int64_t& offset = next[m.topic];
      batch.Put(RecordKey(m.topic, offset), record.SerializeAsString());
      if (IsCompactedTopic(m.topic)) {
        // The record this one replaces goes in the same write (one earlier in this group
        // included: the batch applies in order).
        auto& in_group = latest[m.topic];
        std::optional<int64_t> before;
        if (auto at = in_group.find(m.key); at != in_group.end()) {
          before = at->second;
        } else if (auto t = latest_.find(m.topic); t != latest_.end()) {
          if (auto k = t->second.find(m.key); k != t->second.end()) before = k->second;
        }
        if (before.has_value()) {
          batch.Delete(RecordKey(m.topic, *before));
          if (m.purge_replaced) purge.insert(m.topic);
        }
        in_group[m.key] = offset;
      }
      ++offset;
      touched[m.topic] = offset;
      ++messages;
    }
  }
  for (const auto& [topic, end] : touched) {
    std::string v;
    AppendBigEndian64(&v, static_cast<uint64_t>(end));
    batch.Put("n" + topic, v);
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const absl::Status st = FromRocksDb(db_->Write(wo, &batch), "append to event bus");
  if (!st.ok()) {
    for (Pending& p : group) p.done(st);
    return;
  }
  for (auto& [topic, keys] : latest) {
    for (auto& [key, offset] : keys) latest_[topic][key] = offset;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.messages += messages;
    ++stats_.synced_writes;
  }
  // Everything but the topics being purged is readable, and acknowledged, now.
  MakeReadable(touched, [&](const std::string& topic) { return !purge.contains(topic); });
  auto purging = [&](const Pending& p) {
    return std::any_of(p.messages.begin(), p.messages.end(),
                       [&](const BusMessage& m) { return m.purge_replaced && purge.contains(m.topic); });
  };
  for (Pending& p : group) {
    if (!purging(p)) p.done(absl::OkStatus());
  }
  if (purge.empty()) return;
  // The topics being purged, once nothing of what was replaced is left in any file. A
  // failed purge fails the publishes that asked for it (appended all the same), so each
  // publisher sends its record again, which replaces it and purges again.
  absl::Status purged;
  for (const std::string& topic : purge) {
    if (purged.ok()) purged = PurgeReplaced(db_.get(), topic);
  }
  MakeReadable(touched, [&](const std::string& topic) { return purge.contains(topic); });
  for (Pending& p : group) {
    if (purging(p)) p.done(purged);
  }
}

void RocksDbEventBus::MakeReadable(const std::map<std::string, int64_t>& ends,
                                   const std::function<bool(const std::string&)>& which) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [topic, end] : ends) {
      if (which(topic)) end_offsets_[topic] = end;
    }
    ++append_count_;
  }
  appended_cv_.notify_all();
}

absl::Status RocksDbEventBus::PurgeReplaced(rocksdb::DB* db, const std::string& topic) {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  RETURN_IF_ERROR(FromRocksDb(db->Flush(flush), "flush the event bus to purge replaced records"));
  const std::string begin = NamedPrefix("t", topic);
  std::string end = begin;
  end.back() = '\1';
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  const rocksdb::Slice b(begin), e(end);
  return FromRocksDb(db->CompactRange(compact, &b, &e), "compact the event bus to purge replaced records");
}

RocksDbEventBus::Stats RocksDbEventBus::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

absl::StatusOr<std::vector<BusRecord>> RocksDbEventBus::Read(const std::string& topic,
                                                             int64_t offset, size_t max) {
  std::vector<BusRecord> out;
  const std::string prefix = NamedPrefix("t", topic);
  // Only what is acknowledged: a record written but still purging what it replaced is not.
  const std::string end = RecordKey(topic, EndOffset(topic));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(RecordKey(topic, offset)); it->Valid() && it->key().starts_with(prefix) &&
                                           it->key().compare(end) < 0 && out.size() < max;
       it->Next()) {
    safeguard::v1::BusLogRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("unreadable bus record in ", topic));
    }
    BusRecord r;
    r.topic = topic;
    r.partition = 0;
    r.offset = static_cast<int64_t>(DecodeBigEndian64(it->key().ToStringView().substr(prefix.size())));
    r.key = record.key();
    r.value = record.value();
    r.appended_at = FromProtoTimestamp(record.appended_at());
    out.push_back(std::move(r));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read event bus"));
  return out;
}

int64_t RocksDbEventBus::EndOffset(const std::string& topic) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = end_offsets_.find(topic);
  return it == end_offsets_.end() ? 0 : it->second;
}

bool RocksDbEventBus::WaitForOffset(const std::string& topic, int64_t offset, absl::Time deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  auto has = [&] {
    auto it = end_offsets_.find(topic);
    return it != end_offsets_.end() && it->second > offset;
  };
  return appended_cv_.wait_until(lock, absl::ToChronoTime(deadline), has);
}

uint64_t RocksDbEventBus::AppendCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return append_count_;
}

bool RocksDbEventBus::WaitForAppendAfter(uint64_t seen, absl::Time deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return appended_cv_.wait_until(lock, absl::ToChronoTime(deadline),
                                 [&] { return append_count_ > seen; });
}

absl::StatusOr<std::unique_ptr<BusConsumer>> RocksDbEventBus::Subscribe(
    const std::vector<std::string>& topics, const std::string& group, PositionLookup positions) {
  if (topics.empty()) return absl::InvalidArgumentError("subscribe: no topics");
  std::map<std::string, int64_t> next;
  for (const std::string& topic : topics) {
    ASSIGN_OR_RETURN(int64_t offset, positions(topic, 0));
    if (offset < 0) return absl::InvalidArgumentError("subscribe: negative position");
    next[topic] = offset;
  }
  return std::unique_ptr<BusConsumer>(new RocksDbConsumer(this, std::move(next)));
}

}  // namespace safeguard
