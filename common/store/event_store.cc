#include "common/store/event_store.h"

#include <future>
#include <iostream>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/keys.h"
#include "common/rocksdb_status.h"
#include "common/status_macros.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard {
namespace {

using safeguard::v1::CommandRecord;
using safeguard::v1::CommandResult;
using safeguard::v1::EventEnvelope;

// Key layout (one keyspace, distinguished by the first byte):
//   'e' seq            -> EventEnvelope        the agency log
//   's' stream \0 ver  -> seq                  stream index
//   'v' stream         -> version              current stream version
//   'c' command_id     -> CommandRecord        idempotency
//   'o' seq            -> ""                   outbox: committed, not yet on the bus
//   'm' "last_seq"     -> seq                  highest committed sequence
//   'k' size           -> SignedCheckpoint     signed checkpoints of the log
//   'h' level index    -> 32-byte hash         Merkle node: the perfect subtree of 2^level
//                                              events from sequence (index << level) + 1
constexpr char kLastSequenceKey[] = "mlast_seq";

std::string CheckpointKey(uint64_t size) {
  std::string k = "k";
  AppendBigEndian64(&k, size);
  return k;
}

std::string NodeKey(int level, uint64_t index) {
  std::string k = "h";
  k.push_back(static_cast<char>(level));
  AppendBigEndian64(&k, index);
  return k;
}

// The Merkle nodes stored in `db`.
audit::NodeSource NodesIn(rocksdb::DB* db) {
  return [db](int level, uint64_t index) -> absl::StatusOr<std::string> {
    std::string hash;
    RETURN_IF_ERROR(FromRocksDb(db->Get(rocksdb::ReadOptions(), NodeKey(level, index), &hash), "read Merkle node"));
    return hash;
  };
}

std::string EventKey(uint64_t seq) {
  std::string k = "e";
  AppendBigEndian64(&k, seq);
  return k;
}
std::string OutboxKey(uint64_t seq) {
  std::string k = "o";
  AppendBigEndian64(&k, seq);
  return k;
}
std::string StreamEventKey(const std::string& stream, uint64_t version) {
  std::string k = NamedPrefix("s", stream);
  AppendBigEndian64(&k, version);
  return k;
}
std::string StreamVersionKey(const std::string& stream) { return "v" + stream; }
std::string CommandKey(const std::string& command_id) { return "c" + command_id; }

std::string EncodeU64(uint64_t v) {
  std::string s;
  AppendBigEndian64(&s, v);
  return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(Options options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  // Concurrent readers while the writer thread commits.
  db_options.IncreaseParallelism(2);
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::Open(db_options, options.path, &raw),
                              absl::StrCat("open event store at ", options.path)));
  std::unique_ptr<rocksdb::DB> db(raw);

  uint64_t last = 0;
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), kLastSequenceKey, &value);
  if (s.ok()) {
    last = DecodeBigEndian64(value);
  } else if (!s.IsNotFound()) {
    return FromRocksDb(s, "read last sequence");
  }
  // The marker and the events are written in one batch; if they ever disagree the store
  // was altered outside Safeguard and must not accept writes.
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(EventKey(UINT64_MAX));
  uint64_t last_event = 0;
  if (it->Valid() && it->key().starts_with("e")) {
    last_event = DecodeBigEndian64(it->key().ToStringView().substr(1));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan event log"));
  if (last_event != last) {
    return absl::DataLossError(absl::StrCat("event store ", options.path, ": last sequence marker ",
                                            last, " but last event is ", last_event));
  }
  std::string unused;
  const bool tree_missing = last > 0 && db->Get(rocksdb::ReadOptions(), NodeKey(0, last - 1), &unused).IsNotFound();
  audit::TreeBuilder tree;
  if (tree_missing) {
    // A store written before the log was a Merkle tree: hash it once, from its events.
    std::cerr << "event store " << options.path << ": building the Merkle tree of " << last << " events" << std::endl;
    std::unique_ptr<rocksdb::Iterator> events(db->NewIterator(rocksdb::ReadOptions()));
    rocksdb::WriteBatch batch;
    for (events->Seek(EventKey(1)); events->Valid() && events->key().starts_with("e"); events->Next()) {
      for (const auto& n : tree.Append(audit::LeafHash(absl::string_view(events->value().data(), events->value().size())))) {
        batch.Put(NodeKey(n.level, n.index), n.hash);
      }
      if (batch.Count() >= 10000) {
        RETURN_IF_ERROR(FromRocksDb(db->Write(rocksdb::WriteOptions(), &batch), "write Merkle nodes"));
        batch.Clear();
      }
    }
    RETURN_IF_ERROR(FromRocksDb(events->status(), "read events for the Merkle tree"));
    rocksdb::WriteOptions synced;
    synced.sync = true;
    RETURN_IF_ERROR(FromRocksDb(db->Write(synced, &batch), "write Merkle nodes"));
  } else {
    ASSIGN_OR_RETURN(tree, audit::TreeBuilder::Resume(NodesIn(db.get()), last));
  }
  return std::unique_ptr<EventStore>(new EventStore(std::move(options), std::move(db), last, std::move(tree)));
}

EventStore::EventStore(Options options, std::unique_ptr<rocksdb::DB> db, uint64_t last_sequence,
                       audit::TreeBuilder tree)
    : options_(std::move(options)), db_(std::move(db)), last_sequence_(last_sequence), tree_(std::move(tree)) {
  writer_ = std::thread([this] { WriterLoop(); });
}

EventStore::~EventStore() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  writer_.join();
  for (Pending& p : queue_) {
    p.done(absl::UnavailableError("event store is shutting down"));
  }
}

void EventStore::SetCommitListener(std::function<void()> listener) {
  commit_listener_ = std::move(listener);
}

void EventStore::AppendAsync(AppendCommand command, AppendDone done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(command), std::move(done)});
      work_cv_.notify_one();
      return;
    }
  }
  done(absl::UnavailableError("event store is shutting down"));
}

absl::StatusOr<CommandResult> EventStore::Append(AppendCommand command) {
  std::promise<absl::StatusOr<CommandResult>> promise;
  auto future = promise.get_future();
  AppendAsync(std::move(command),
              [&promise](absl::StatusOr<CommandResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void EventStore::WriterLoop() {
  std::vector<Pending> group;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      // Everything that queued while the previous sync ran shares the next one.
      while (!queue_.empty() && group.size() < options_.max_group_size) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
    group.clear();
  }
}

absl::StatusOr<uint64_t> EventStore::CommittedVersion(const std::string& stream_id) {
  auto it = stream_versions_.find(stream_id);
  if (it != stream_versions_.end()) return it->second;
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), StreamVersionKey(stream_id), &value);
  uint64_t version = 0;
  if (s.ok()) {
    version = DecodeBigEndian64(value);
  } else if (!s.IsNotFound()) {
    return FromRocksDb(s, "read stream version");
  }
  stream_versions_.emplace(stream_id, version);
  return version;
}

void EventStore::CommitGroup(std::vector<Pending>& group) {
  rocksdb::WriteBatch batch;
  std::vector<absl::StatusOr<CommandResult>> outcomes(group.size(), absl::UnknownError(""));
  std::vector<bool> written(group.size(), false);
  // For a command id repeated within the batch: the index of its first occurrence.
  std::vector<std::optional<size_t>> replay_of(group.size());
  std::unordered_map<std::string, uint64_t> versions;  // stream versions within the batch
  // Command ids within the batch: fingerprint and index of the first occurrence.
  std::unordered_map<std::string, std::pair<std::string, size_t>> batch_commands;
  uint64_t seq = last_sequence_.load();
  const absl::Time now = options_.clock();
  audit::TreeBuilder tree = tree_;  // kept only if the batch is written

  for (size_t i = 0; i < group.size(); ++i) {
    AppendCommand& cmd = group[i].command;
    auto prior = batch_commands.find(cmd.command_id);
    if (prior != batch_commands.end()) {
      if (prior->second.first != cmd.fingerprint) {
        outcomes[i] = absl::AlreadyExistsError(absl::StrCat(
            "command_id '", cmd.command_id, "' was already used for a different command"));
      } else {
        replay_of[i] = prior->second.second;  // resolved after the write
      }
      continue;
    }
    absl::StatusOr<std::optional<CommandResult>> seen =
        LookupCommand(cmd.command_id, cmd.fingerprint);
    if (!seen.ok() || seen->has_value()) {
      outcomes[i] = seen.ok() ? absl::StatusOr<CommandResult>(std::move(**seen))
                              : absl::StatusOr<CommandResult>(seen.status());
      continue;
    }

    uint64_t current;
    if (auto v = versions.find(cmd.stream_id); v != versions.end()) {
      current = v->second;
    } else {
      absl::StatusOr<uint64_t> committed = CommittedVersion(cmd.stream_id);
      if (!committed.ok()) {
        outcomes[i] = committed.status();
        continue;
      }
      current = *committed;
    }
    if (cmd.expected_version.has_value() && *cmd.expected_version != current) {
      outcomes[i] = absl::AbortedError(absl::StrCat(
          "stream '", cmd.stream_id, "' is at version ", current, ", command expected ",
          *cmd.expected_version, "; re-read and retry"));
      continue;
    }

    const uint64_t version = current + 1;
    ++seq;
    EventEnvelope& event = cmd.event;
    event.set_event_id(NewUuid());
    event.set_stream_id(cmd.stream_id);
    event.set_stream_version(version);
    event.set_log_sequence(seq);
    *event.mutable_recorded_at() = ToProtoTimestamp(now);
    event.set_command_id(cmd.command_id);

    CommandResult result;
    result.set_event_id(event.event_id());
    result.set_stream_id(cmd.stream_id);
    result.set_stream_version(version);
    result.set_log_sequence(seq);
    *result.mutable_recorded_at() = event.recorded_at();
    CommandRecord record;
    record.set_fingerprint(cmd.fingerprint);
    *record.mutable_result() = result;

    std::string event_bytes;
    event.SerializeToString(&event_bytes);
    batch.Put(EventKey(seq), event_bytes);
    for (const auto& n : tree.Append(audit::LeafHash(event_bytes))) batch.Put(NodeKey(n.level, n.index), n.hash);
    batch.Put(StreamEventKey(cmd.stream_id, version), EncodeU64(seq));
    batch.Put(StreamVersionKey(cmd.stream_id), EncodeU64(version));
    batch.Put(CommandKey(cmd.command_id), record.SerializeAsString());
    batch.Put(OutboxKey(seq), "");

    versions[cmd.stream_id] = version;
    batch_commands.emplace(cmd.command_id, std::make_pair(cmd.fingerprint, i));
    outcomes[i] = std::move(result);
    written[i] = true;
  }

  bool wrote_events = false;
  if (batch.Count() > 0) {
    batch.Put(kLastSequenceKey, EncodeU64(seq));
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    absl::Status st = FromRocksDb(db_->Write(wo, &batch), "append to event store");
    if (st.ok()) {
      for (auto& [stream, version] : versions) stream_versions_[stream] = version;
      events_written_ += seq - last_sequence_.load();
      ++synced_writes_;
      tree_ = std::move(tree);
      last_sequence_.store(seq);
      wrote_events = true;
    } else {
      // Nothing from this batch is durable: fail every command that would have written.
      for (size_t i = 0; i < group.size(); ++i) {
        if (written[i]) outcomes[i] = st;
      }
    }
  }

  for (size_t i = 0; i < group.size(); ++i) {
    if (replay_of[i].has_value()) {
      const size_t first = *replay_of[i];
      if (outcomes[first].ok()) {
        CommandResult replay = *outcomes[first];
        replay.set_idempotent_replay(true);
        outcomes[i] = std::move(replay);
      } else {
        outcomes[i] = outcomes[first].status();
      }
    }
  }
  // Only now, with every replay resolved from its first occurrence, hand results over.
  for (size_t i = 0; i < group.size(); ++i) group[i].done(std::move(outcomes[i]));
  if (wrote_events && commit_listener_) commit_listener_();
}

absl::StatusOr<std::optional<CommandResult>> EventStore::LookupCommand(
    const std::string& command_id, const std::string& fingerprint) {
  std::string stored;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), CommandKey(command_id), &stored);
  if (s.IsNotFound()) return std::optional<CommandResult>();
  RETURN_IF_ERROR(FromRocksDb(s, "read command record"));
  CommandRecord record;
  if (!record.ParseFromString(stored)) {
    return absl::DataLossError("stored command record is unreadable");
  }
  if (record.fingerprint() != fingerprint) {
    return absl::AlreadyExistsError(
        absl::StrCat("command_id '", command_id, "' was already used for a different command"));
  }
  CommandResult result = record.result();
  result.set_idempotent_replay(true);
  return std::optional<CommandResult>(std::move(result));
}

uint64_t EventStore::LastSequence() const { return last_sequence_.load(); }

absl::StatusOr<uint64_t> EventStore::StreamVersion(const std::string& stream_id) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), StreamVersionKey(stream_id), &value);
  if (s.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocksDb(s, "read stream version"));
  return DecodeBigEndian64(value);
}

absl::StatusOr<std::vector<EventEnvelope>> EventStore::ReadStream(const std::string& stream_id,
                                                                  uint64_t from_version,
                                                                  size_t max) {
  std::vector<EventEnvelope> out;
  const std::string prefix = NamedPrefix("s", stream_id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(StreamEventKey(stream_id, from_version));
       it->Valid() && it->key().starts_with(prefix) && out.size() < max; it->Next()) {
    std::string bytes;
    RETURN_IF_ERROR(FromRocksDb(
        db_->Get(rocksdb::ReadOptions(), EventKey(DecodeBigEndian64(it->value().ToStringView())),
                 &bytes),
        "read event"));
    EventEnvelope e;
    if (!e.ParseFromString(bytes)) return absl::DataLossError("stored event is unreadable");
    out.push_back(std::move(e));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan stream"));
  return out;
}

absl::StatusOr<std::vector<EventEnvelope>> EventStore::ReadLog(uint64_t from_sequence,
                                                               size_t max) {
  std::vector<EventEnvelope> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(EventKey(from_sequence)); it->Valid() && it->key().starts_with("e") &&
                                          out.size() < max;
       it->Next()) {
    EventEnvelope e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored event is unreadable");
    }
    out.push_back(std::move(e));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan log"));
  return out;
}

absl::StatusOr<std::vector<EventStore::StoredEvent>> EventStore::PendingOutbox(size_t max) {
  std::vector<StoredEvent> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("o"); it->Valid() && it->key().starts_with("o") && out.size() < max;
       it->Next()) {
    const uint64_t seq = DecodeBigEndian64(it->key().ToStringView().substr(1));
    std::string bytes;
    RETURN_IF_ERROR(
        FromRocksDb(db_->Get(rocksdb::ReadOptions(), EventKey(seq), &bytes), "read outbox event"));
    EventEnvelope e;
    if (!e.ParseFromString(bytes)) return absl::DataLossError("stored event is unreadable");
    out.push_back(StoredEvent{std::move(e), std::move(bytes)});
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan outbox"));
  return out;
}

absl::StatusOr<uint64_t> EventStore::OutboxPending() {
  uint64_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("o"); it->Valid() && it->key().starts_with("o"); it->Next()) ++n;
  RETURN_IF_ERROR(FromRocksDb(it->status(), "count outbox"));
  return n;
}

absl::Status EventStore::MarkPublished(const std::vector<uint64_t>& sequences) {
  rocksdb::WriteBatch batch;
  for (uint64_t seq : sequences) batch.Delete(OutboxKey(seq));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocksDb(db_->Write(wo, &batch), "mark outbox entries published");
}

audit::NodeSource EventStore::Nodes() { return NodesIn(db_.get()); }

namespace {
absl::Status WithinLog(uint64_t n, uint64_t last, absl::string_view what) {
  if (n > last) return absl::OutOfRangeError(absl::StrCat(what, " ", n, " is beyond the log's ", last, " events"));
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<std::string> EventStore::RootHash(uint64_t size) {
  RETURN_IF_ERROR(WithinLog(size, LastSequence(), "size"));
  return audit::RootHash(Nodes(), size);
}

absl::StatusOr<std::string> EventStore::LeafHash(uint64_t sequence) {
  RETURN_IF_ERROR(WithinLog(sequence, LastSequence(), "sequence"));
  if (sequence == 0) return absl::InvalidArgumentError("sequence: events are numbered from 1");
  return Nodes()(0, sequence - 1);
}

absl::StatusOr<std::vector<std::string>> EventStore::InclusionProof(uint64_t sequence, uint64_t size) {
  RETURN_IF_ERROR(WithinLog(size, LastSequence(), "size"));
  if (sequence == 0 || sequence > size) {
    return absl::InvalidArgumentError(absl::StrCat("sequence: ", sequence, " is not in the first ", size, " events"));
  }
  return audit::InclusionProof(Nodes(), sequence - 1, size);
}

absl::StatusOr<std::vector<std::string>> EventStore::ConsistencyProof(uint64_t size1, uint64_t size2) {
  RETURN_IF_ERROR(WithinLog(size2, LastSequence(), "size"));
  return audit::ConsistencyProof(Nodes(), size1, size2);
}

absl::StatusOr<std::string> EventStore::EventBytes(uint64_t sequence) {
  std::string bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), EventKey(sequence), &bytes);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("sequence: no event ", sequence));
  RETURN_IF_ERROR(FromRocksDb(s, "read event"));
  return bytes;
}

absl::Status EventStore::StoreCheckpoint(const safeguard::v1::SignedCheckpoint& checkpoint) {
  rocksdb::WriteOptions synced;
  synced.sync = options_.sync;
  return FromRocksDb(db_->Put(synced, CheckpointKey(checkpoint.size()), checkpoint.SerializeAsString()),
                     "store checkpoint");
}

absl::StatusOr<std::optional<safeguard::v1::SignedCheckpoint>> EventStore::Checkpoint(uint64_t size) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  if (size == 0) {
    it->SeekForPrev(CheckpointKey(UINT64_MAX));
  } else {
    it->Seek(CheckpointKey(size));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read checkpoint"));
  if (!it->Valid() || !it->key().starts_with("k") || (size != 0 && it->key() != CheckpointKey(size))) {
    return std::optional<safeguard::v1::SignedCheckpoint>();
  }
  safeguard::v1::SignedCheckpoint c;
  if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
    return absl::DataLossError("stored checkpoint is unreadable");
  }
  return std::optional<safeguard::v1::SignedCheckpoint>(std::move(c));
}

absl::StatusOr<std::vector<safeguard::v1::SignedCheckpoint>> EventStore::Checkpoints(uint64_t after_size,
                                                                                    size_t max) {
  std::vector<safeguard::v1::SignedCheckpoint> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(CheckpointKey(after_size + 1)); it->Valid() && it->key().starts_with("k") && out.size() < max;
       it->Next()) {
    safeguard::v1::SignedCheckpoint c;
    if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored checkpoint is unreadable");
    }
    out.push_back(std::move(c));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read checkpoints"));
  return out;
}

}  // namespace safeguard
