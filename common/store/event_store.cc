#include "common/store/event_store.h"

#include <filesystem>
#include <future>
#include <iostream>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "common/crypto/aead.h"
#include "common/crypto/sealing.h"
#include "common/ids.h"
#include "common/keys.h"
#include "common/logging.h"
#include "common/rate_limited_log.h"
#include "common/rocksdb_status.h"
#include "common/status_macros.h"
#include "common/store/rocksdb_options.h"
#include "common/store/storage_health.h"
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
//   'o' seq            -> subject key          outbox: committed, not yet on the bus
//   'x' stream \0 ~name -> sealed value       the stream's state (StreamFolder's entries): each
//                                              name a keyed hash, each value sealed (StateCipher)
//   'm' "last_seq"     -> seq                  highest committed sequence
//   'm' "outbox_start" -> seq                  the first sequence not yet published
//   'm' "fold"         -> StreamFolder version the fold the stream state was built by
//   'k' size           -> SignedCheckpoint     signed checkpoints of the log
//   'd' key id         -> DataKeyRecord        the data keys events are sealed under
//   'q' key id         -> ""                   data keys not yet published (the keys' outbox)
//   'g' key id \0 stream -> ""                 the streams sealed under each key
//   'j' key id         -> ""                   a destroyed key whose files are not yet compacted
//   'h' level index    -> 32-byte hash         Merkle node: the perfect subtree of 2^level
//                                              events from sequence (index << level) + 1
constexpr char kLastSequenceKey[] = "mlast_seq";
constexpr char kOutboxStartKey[] = "moutbox_start";
constexpr char kFoldKey[] = "mfold";
// How the store keeps events: sealed per subject (common/crypto/sealing.h). A store without
// it, holding events, was written before and is not opened.
constexpr char kFormatKey[] = "mformat";
constexpr char kFormat[] = "sealed/1";
constexpr char kStateKeyKey[] = "mstate_key";  // WrappedKey: the streams' state is sealed under it
constexpr char kStateKeyId[] = "store-state";
// The KEK every data key held was found wrapped under, at the last start that re-wrapped
// them all: while it is the vault's current one, no key needs re-wrapping.
constexpr char kKeysKekKey[] = "mkeys_kek";

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
merkle::NodeSource NodesIn(rocksdb::DB* db) {
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
std::string DataKeyKey(const std::string& key_id) { return "d" + key_id; }
std::string KeyOutboxKey(const std::string& key_id) { return "q" + key_id; }
std::string UncompactedKey(const std::string& key_id) { return "j" + key_id; }
// The streams sealed under a key: what its destruction deletes the state of.
std::string KeyStreamKey(const std::string& key_id, const std::string& stored_stream) {
  return absl::StrCat(NamedPrefix("g", key_id), stored_stream);
}

std::string EncodeU64(uint64_t v) {
  std::string s;
  AppendBigEndian64(&s, v);
  return s;
}

// Where every detected alteration or loss is said: loudly, but never more than 30 lines a
// minute, whatever a damaged store makes every read find.
RateLimitedLog& DataLossLog() {
  static RateLimitedLog* log = new RateLimitedLog("store", logging::Level::kError, 30);
  return *log;
}

// Reads of `db` as of one moment: a snapshot, released with this.
class OneMoment {
 public:
  explicit OneMoment(rocksdb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) { options_.snapshot = snapshot_; }
  ~OneMoment() { db_->ReleaseSnapshot(snapshot_); }
  OneMoment(const OneMoment&) = delete;
  OneMoment& operator=(const OneMoment&) = delete;
  const rocksdb::ReadOptions& options() const { return options_; }

 private:
  rocksdb::DB* const db_;
  const rocksdb::Snapshot* const snapshot_;
  rocksdb::ReadOptions options_;
};

absl::StatusOr<std::optional<std::string>> GetValue(rocksdb::DB* db, const std::string& key, absl::string_view what,
                                                    const rocksdb::ReadOptions& ro = rocksdb::ReadOptions()) {
  std::string value;
  rocksdb::Status s = db->Get(ro, key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocksDb(s, what));
  return std::optional<std::string>(std::move(value));
}

}  // namespace

// How the streams' state is kept: each entry's name a keyed hash under its stream's
// pseudonym, its value sealed (AES-256-GCM, bound to where it is kept) under the store's
// state key, itself kept wrapped by the key vault. The state names the references the
// rules check (an order's, a case's enquirer...): a copy of the store shows none of them.
class EventStore::StateCipher {
 public:
  StateCipher(const crypto::KeyVault* vault, std::string key) : vault_(vault), key_(std::move(key)) {}

  std::string Key(const std::string& stored_stream, absl::string_view entry) const {
    const std::string mac = vault_->Mac(absl::StrCat("entry\n", entry));
    return absl::StrCat(NamedPrefix("x", stored_stream), "~", ToHex(std::string_view(mac).substr(0, 16)));
  }
  absl::StatusOr<std::string> Seal(const std::string& key, absl::string_view value) const {
    return crypto::Seal(key_, value, key);
  }
  absl::StatusOr<std::optional<std::string>> Open(const std::string& key, std::optional<std::string> sealed) const {
    if (!sealed.has_value()) return sealed;
    absl::StatusOr<std::string> value = crypto::Open(key_, *sealed, key);
    if (!value.ok()) return absl::DataLossError("a stream state entry does not open: altered, or moved");
    return std::optional<std::string>(*std::move(value));
  }

 private:
  const crypto::KeyVault* const vault_;
  const std::string key_;
};

namespace {

// The stream state a group of appends sees: the entries its earlier appends set, then
// the store's. Writer thread only.
class GroupState {
 public:
  GroupState(rocksdb::DB* db, const EventStore::StateCipher* cipher) : db_(db), cipher_(cipher) {}

  const EventStore::StateCipher& cipher() const { return *cipher_; }

  absl::StatusOr<std::optional<std::string>> Get(const std::string& key) {
    if (auto it = written_.find(key); it != written_.end()) return std::optional<std::string>(it->second);
    ASSIGN_OR_RETURN(std::optional<std::string> sealed, GetValue(db_, key, "read stream state"));
    return cipher_->Open(key, std::move(sealed));
  }
  absl::Status Put(const std::string& key, std::string value, rocksdb::WriteBatch* batch) {
    ASSIGN_OR_RETURN(const std::string sealed, cipher_->Seal(key, value));
    batch->Put(key, sealed);
    written_[key] = std::move(value);
    return absl::OkStatus();
  }
  void Clear() { written_.clear(); }

 private:
  rocksdb::DB* const db_;
  const EventStore::StateCipher* const cipher_;
  std::unordered_map<std::string, std::string> written_;
};

// One append's view of its stream's state: its own entries first, kept apart until the
// append is accepted (a refused command writes nothing).
class AppendState : public StreamState {
 public:
  AppendState(GroupState* group, std::string stream) : group_(group), stream_(std::move(stream)) {}

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view entry) const override {
    if (auto it = own_.find(std::string(entry)); it != own_.end()) return std::optional<std::string>(it->second);
    return group_->Get(group_->cipher().Key(stream_, entry));
  }
  void Put(absl::string_view entry, std::string value) override { own_[std::string(entry)] = std::move(value); }

  absl::Status Accept(rocksdb::WriteBatch* batch) {
    for (auto& [entry, value] : own_) {
      RETURN_IF_ERROR(group_->Put(group_->cipher().Key(stream_, entry), std::move(value), batch));
    }
    own_.clear();
    return absl::OkStatus();
  }

 private:
  GroupState* const group_;
  const std::string stream_;
  std::unordered_map<std::string, std::string> own_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(Options options) {
  if (options.keys == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("event store ", options.path, ": no data keys (Options::keys)"));
  }
  rocksdb::Options db_options = DatabaseOptions(options.path);
  db_options.statistics = options.statistics;
  if (options.env != nullptr) db_options.env = options.env;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::Open(db_options, options.path, &raw),
                              absl::StrCat("open event store at ", options.path)));
  std::unique_ptr<rocksdb::DB> db(raw);
  // Attached at once, so that a fault in what Open writes next is resumed too; released
  // before `db` on every return.
  std::shared_ptr<void> resumed = StorageHealth::Process().Attach(options.path, db.get());

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
  ASSIGN_OR_RETURN(std::optional<std::string> format, GetValue(db.get(), kFormatKey, "read the store's format"));
  if (!format.has_value() && last > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event store ", options.path, " holds ", last,
        " events stored before personal data was sealed per subject; this version does not open it "
        "(docs/security.md, \"Personal data sealed per subject\")"));
  }
  if (format.has_value() && *format != kFormat) {
    return absl::FailedPreconditionError(
        absl::StrCat("event store ", options.path, " is in format '", *format, "', which this version does not know"));
  }
  if (!format.has_value()) {
    rocksdb::WriteOptions synced;
    synced.sync = options.sync;
    RETURN_IF_ERROR(FromRocksDb(db->Put(synced, kFormatKey, kFormat), "write the store's format"));
  }
  // The key the streams' state is sealed under: made with the store, kept wrapped in it.
  std::string state_key;
  ASSIGN_OR_RETURN(std::optional<std::string> wrapped_state, GetValue(db.get(), kStateKeyKey, "read the state key"));
  if (wrapped_state.has_value()) {
    safeguard::v1::WrappedKey wrapped;
    if (!wrapped.ParseFromString(*wrapped_state)) return absl::DataLossError("the store's state key is unreadable");
    ASSIGN_OR_RETURN(state_key, options.keys->vault().Unwrap(wrapped, kStateKeyId));
    if (wrapped.kek_id() != options.keys->vault().current_kek_id()) {
      // A KEK was added since: wrapped again under it, so that the older can be retired.
      ASSIGN_OR_RETURN(const safeguard::v1::WrappedKey rewrapped, options.keys->vault().Wrap(state_key, kStateKeyId));
      rocksdb::WriteOptions synced;
      synced.sync = options.sync;
      RETURN_IF_ERROR(FromRocksDb(db->Put(synced, kStateKeyKey, rewrapped.SerializeAsString()), "re-wrap the state key"));
    }
  } else {
    ASSIGN_OR_RETURN(state_key, crypto::RandomBytes(crypto::kKeyBytes));
    ASSIGN_OR_RETURN(const safeguard::v1::WrappedKey wrapped, options.keys->vault().Wrap(state_key, kStateKeyId));
    rocksdb::WriteOptions synced;
    synced.sync = options.sync;
    RETURN_IF_ERROR(FromRocksDb(db->Put(synced, kStateKeyKey, wrapped.SerializeAsString()), "write the state key"));
  }
  auto cipher = std::make_unique<StateCipher>(&options.keys->vault(), std::move(state_key));
  std::string unused;
  const bool tree_missing = last > 0 && db->Get(rocksdb::ReadOptions(), NodeKey(0, last - 1), &unused).IsNotFound();
  merkle::TreeBuilder tree;
  if (tree_missing) {
    // A store written before the log was a Merkle tree: hash it once, from its events.
    logging::Info(absl::StrCat("event store ", options.path, ": building the Merkle tree of ", last, " events"));
    std::unique_ptr<rocksdb::Iterator> events(db->NewIterator(rocksdb::ReadOptions()));
    rocksdb::WriteBatch batch;
    for (events->Seek(EventKey(1)); events->Valid() && events->key().starts_with("e"); events->Next()) {
      for (const auto& n : tree.Append(merkle::LeafHash(absl::string_view(events->value().data(), events->value().size())))) {
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
    ASSIGN_OR_RETURN(tree, merkle::TreeBuilder::Resume(NodesIn(db.get()), last));
  }

  // Where the outbox starts: its marker, or (a store written before there was one) its
  // first entry, found once here rather than by every read of the outbox.
  uint64_t outbox_start = last + 1;
  ASSIGN_OR_RETURN(std::optional<std::string> marker, GetValue(db.get(), kOutboxStartKey, "read outbox start"));
  if (marker.has_value()) {
    outbox_start = DecodeBigEndian64(*marker);
  } else {
    std::unique_ptr<rocksdb::Iterator> outbox(db->NewIterator(rocksdb::ReadOptions()));
    outbox->Seek(OutboxKey(0));
    if (outbox->Valid() && outbox->key().starts_with("o")) {
      outbox_start = DecodeBigEndian64(outbox->key().ToStringView().substr(1));
    }
    RETURN_IF_ERROR(FromRocksDb(outbox->status(), "scan outbox"));
  }
  std::unique_ptr<EventStore> store(
      new EventStore(std::move(options), std::move(db), last, outbox_start, std::move(tree)));
  store->state_cipher_ = std::move(cipher);
  RETURN_IF_ERROR(store->RewrapKeys());
  RETURN_IF_ERROR(store->RefoldStreamState());
  store->resumed_ = std::move(resumed);
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

EventStore::EventStore(Options options, std::unique_ptr<rocksdb::DB> db, uint64_t last_sequence,
                       uint64_t outbox_start, merkle::TreeBuilder tree)
    : options_(std::move(options)),
      db_(std::move(db)),
      last_sequence_(last_sequence),
      outbox_start_(outbox_start),
      tree_(std::move(tree)) {}

absl::Status EventStore::RewrapKeys() {
  const crypto::KeyVault& vault = options_.keys->vault();
  ASSIGN_OR_RETURN(std::optional<std::string> checked, GetValue(db_.get(), kKeysKekKey, "read the keys' KEK"));
  if (checked == vault.current_kek_id()) return absl::OkStatus();  // every key made or re-wrapped under it since
  uint64_t rewrapped = 0, stranded = 0;
  rocksdb::WriteOptions synced;
  synced.sync = options_.sync;
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  bool all_current = true;
  for (it->Seek("d"); it->Valid() && it->key().starts_with("d"); it->Next()) {
    const std::string key_id(it->key().ToStringView().substr(1));
    safeguard::v1::DataKeyRecord record;
    absl::StatusOr<bool> changed = record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))
                                       ? crypto::RewrapUnderCurrentKek(vault, &record)
                                       : absl::DataLossError("its record is unreadable");
    if (!changed.ok()) {
      // One key that will not re-wrap stops nothing else; it is looked at again next start.
      all_current = false;
      if (absl::IsFailedPrecondition(changed.status())) {
        // Its KEK was retired before it was re-wrapped: what it seals cannot be read; said
        // at every start, and counted in the status, until the KEK is given back.
        ++stranded;
      } else {
        // Altered, or not this deployment's: what it seals is not served (each read says so).
        (void)DataLoss(absl::StrCat("data key ", key_id), std::string(changed.status().message()));
      }
      continue;
    }
    if (!*changed) continue;
    // Kept and published again: on the compacted keys topic it replaces the older record.
    batch.Put(it->key(), record.SerializeAsString());
    batch.Put(KeyOutboxKey(record.key_id()), "");
    if (++rewrapped % 1000 == 0) {
      RETURN_IF_ERROR(FromRocksDb(db_->Write(synced, &batch), "re-wrap data keys"));
      batch.Clear();
    }
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan the data keys"));
  if (all_current) batch.Put(kKeysKekKey, vault.current_kek_id());
  RETURN_IF_ERROR(FromRocksDb(db_->Write(synced, &batch), "re-wrap data keys"));
  keys_under_retired_keks_ = stranded;
  if (rewrapped > 0 || stranded > 0) {
    logging::Info(absl::StrCat("event store ", options_.path, ": ", rewrapped, " data keys re-wrapped under KEK ",
                               vault.current_kek_id()),
                  {{"rewrapped", rewrapped}, {"stranded", stranded}});
  }
  if (stranded > 0) {
    logging::Error(absl::StrCat("event store ", options_.path, ": ", stranded,
                                " data keys are wrapped under a KEK this key vault does not hold; the events they seal "
                                "cannot be read until it is given back (docs/security.md, \"Rotating the "
                                "key-encryption key\")"));
  }
  return absl::OkStatus();
}

absl::Status EventStore::RefoldStreamState() {
  const StreamFolder* folder = options_.folder;
  if (folder == nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<std::string> folded, GetValue(db_.get(), kFoldKey, "read stream state fold"));
  if (folded == folder->Version()) return absl::OkStatus();
  const uint64_t last = last_sequence_.load();
  if (last > 0) {
    logging::Info(absl::StrCat("event store ", options_.path, ": building the streams' state (", folder->Version(), ") from ", last, " events"));
  }
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocksDb(batch.DeleteRange("x", "y"), "clear stream state"));
  GroupState group(db_.get(), state_cipher_.get());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(EventKey(1)); it->Valid() && it->key().starts_with("e"); it->Next()) {
    // The rules will trust this state: it is built only from events as they were written.
    ASSIGN_OR_RETURN(EventEnvelope e, Verified(DecodeBigEndian64(it->key().ToStringView().substr(1)),
                                               absl::string_view(it->value().data(), it->value().size())));
    const std::string stored_stream = e.stream_id();
    RETURN_IF_ERROR(OpenStored(&e));
    if (crypto::IsSealed(e)) continue;  // erased: its stream's state went with its key
    AppendState state(&group, stored_stream);
    RETURN_IF_ERROR(folder->Apply(e, state));
    RETURN_IF_ERROR(state.Accept(&batch));
    if (batch.Count() >= 10000) {
      RETURN_IF_ERROR(FromRocksDb(db_->Write(rocksdb::WriteOptions(), &batch), "write stream state"));
      batch.Clear();
      group.Clear();  // what it held is in the database now
    }
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read events for the stream state"));
  batch.Put(kFoldKey, folder->Version());
  rocksdb::WriteOptions synced;
  synced.sync = options_.sync;
  return FromRocksDb(db_->Write(synced, &batch), "write stream state");
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

void EventStore::CommitGroup(std::vector<Pending>& group) {
  rocksdb::WriteBatch batch;
  std::vector<absl::StatusOr<CommandResult>> outcomes(group.size(), absl::UnknownError(""));
  std::vector<bool> written(group.size(), false);
  // For a command id repeated within the batch: the index of its first occurrence.
  std::vector<std::optional<size_t>> replay_of(group.size());
  std::unordered_map<std::string, uint64_t> versions;  // stream versions within the batch
  // Command ids within the batch: fingerprint and index of the first occurrence.
  std::unordered_map<std::string, std::pair<std::string, size_t>> batch_commands;
  GroupState state(db_.get(), state_cipher_.get());
  uint64_t seq = last_sequence_.load();
  const absl::Time now = options_.clock();
  merkle::TreeBuilder tree = tree_;  // kept only if the batch is written
  std::unordered_map<std::string, std::string> new_keys;  // data keys this batch creates
  // No key is made elsewhere (KeyFor) between this batch's making one and writing it.
  // Released before the callbacks, which may record reads (KeyFor) themselves.
  std::unique_lock<std::mutex> making_keys(key_mu_);

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

    const std::string stored_stream = StoredStreamId(cmd.stream_id);
    uint64_t current;
    if (auto v = versions.find(cmd.stream_id); v != versions.end()) {
      current = v->second;
    } else {
      absl::StatusOr<uint64_t> committed = StoredStreamVersion(stored_stream);
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
    AppendState stream_state(&state, stored_stream);
    if (cmd.rule) {
      if (absl::Status allowed = cmd.rule(stream_state); !allowed.ok()) {
        outcomes[i] = std::move(allowed);
        continue;
      }
    }

    const uint64_t version = current + 1;
    EventEnvelope& event = cmd.event;
    event.set_event_id(NewUuid());
    event.set_stream_id(cmd.stream_id);
    event.set_stream_version(version);
    event.set_log_sequence(seq + 1);
    *event.mutable_recorded_at() = ToProtoTimestamp(now);
    event.set_command_id(cmd.command_id);
    if (options_.folder != nullptr) {
      if (absl::Status folded = options_.folder->Apply(event, stream_state); !folded.ok()) {
        outcomes[i] = std::move(folded);
        continue;
      }
    }
    // The subject's data key: made by this batch, held, or new (written with the event).
    const std::string key_id = crypto::DataKeyIdFor(options_.keys->vault(), event);
    std::string data_key;
    if (auto made = new_keys.find(key_id); made != new_keys.end()) {
      data_key = made->second;
    } else {
      absl::StatusOr<std::optional<std::string>> held = HeldKey(key_id);
      if (!held.ok()) {
        outcomes[i] = absl::IsNotFound(held.status())
                          ? absl::FailedPreconditionError(absl::StrCat(
                                "the personal data of stream '", cmd.stream_id,
                                "' was erased and its key destroyed; nothing more can be recorded under it"))
                          : held.status();
        continue;
      }
      if (held->has_value()) {
        data_key = **std::move(held);
      } else {
        absl::StatusOr<crypto::KeyRing::NewKey> created = options_.keys->Create(key_id, event.agency(), now);
        if (!created.ok()) {
          outcomes[i] = created.status();
          continue;
        }
        batch.Put(DataKeyKey(key_id), created->record.SerializeAsString());
        batch.Put(KeyOutboxKey(key_id), "");
        data_key = created->key;
        new_keys.emplace(key_id, std::move(created->key));
      }
    }
    if (absl::Status sealed = crypto::SealEvent(options_.keys->vault(), key_id, data_key, &event); !sealed.ok()) {
      outcomes[i] = std::move(sealed);
      continue;
    }
    if (absl::Status accepted = stream_state.Accept(&batch); !accepted.ok()) {
      outcomes[i] = std::move(accepted);
      continue;
    }
    ++seq;

    CommandResult result;
    result.set_event_id(event.event_id());
    result.set_stream_id(cmd.stream_id);
    result.set_stream_version(version);
    result.set_log_sequence(seq);
    *result.mutable_recorded_at() = event.recorded_at();
    CommandRecord record;
    record.set_fingerprint(StoredFingerprint(cmd.fingerprint));
    *record.mutable_result() = result;
    record.mutable_result()->set_stream_id(stored_stream);  // the store names no one
    safeguard::v1::OutboxEntry outbox_entry;
    outbox_entry.set_bus_key(event.subject_key());

    std::string event_bytes;
    event.SerializeToString(&event_bytes);
    for (const auto& n : tree.Append(merkle::LeafHash(event_bytes))) batch.Put(NodeKey(n.level, n.index), n.hash);
    batch.Put(EventKey(seq), event_bytes);
    batch.Put(StreamEventKey(stored_stream, version), EncodeU64(seq));
    batch.Put(StreamVersionKey(stored_stream), EncodeU64(version));
    if (version == 1) batch.Put(KeyStreamKey(key_id, stored_stream), "");
    batch.Put(CommandKey(cmd.command_id), record.SerializeAsString());
    batch.Put(OutboxKey(seq), outbox_entry.SerializeAsString());

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
      events_written_ += seq - last_sequence_.load();
      ++synced_writes_;
      tree_ = std::move(tree);
      last_sequence_.store(seq);
      wrote_events = true;
      for (auto& [id, key] : new_keys) options_.keys->Hold(id, std::move(key));
    } else {
      // Nothing from this batch is durable: fail every command that would have written.
      for (size_t i = 0; i < group.size(); ++i) {
        if (written[i]) outcomes[i] = st;
      }
    }
  }

  making_keys.unlock();
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

absl::StatusOr<uint64_t> EventStore::Adopt(const std::vector<std::string>& published) {
  rocksdb::WriteBatch batch;
  GroupState state(db_.get(), state_cipher_.get());
  std::unordered_map<std::string, uint64_t> versions;
  uint64_t seq = last_sequence_.load();
  merkle::TreeBuilder tree = tree_;
  // The outbox runs without a gap from its start to the last event. With nothing waiting
  // in it, it simply starts after the events taken back; with events waiting (the
  // backup's outbox), those taken back wait behind them and are published again, which
  // consumers skip as already applied.
  const bool outbox_empty = outbox_start_.load() > seq;
  for (const std::string& bytes : published) {
    EventEnvelope event;
    if (!event.ParseFromString(bytes)) {
      return absl::FailedPreconditionError(absl::StrCat("event ", seq + 1, " on the bus is unreadable"));
    }
    if (event.log_sequence() != seq + 1) {
      return absl::FailedPreconditionError(absl::StrCat("the bus's next event of this log is ", event.log_sequence(),
                                                        ", not ", seq + 1, ": the log cannot be continued"));
    }
    uint64_t current;
    if (auto v = versions.find(event.stream_id()); v != versions.end()) {
      current = v->second;
    } else {
      ASSIGN_OR_RETURN(current, StreamVersion(event.stream_id()));
    }
    if (event.stream_version() != current + 1) {
      return absl::FailedPreconditionError(absl::StrCat("event ", event.log_sequence(), " is version ",
                                                        event.stream_version(), " of stream '", event.stream_id(),
                                                        "', which is at version ", current));
    }
    AppendState stream_state(&state, event.stream_id());
    EventEnvelope opened = event;
    if (absl::Status st = OpenStored(&opened); !st.ok()) {
      return absl::FailedPreconditionError(absl::StrCat("event ", event.log_sequence(), ": ", st.message()));
    }
    if (options_.folder != nullptr && !crypto::IsSealed(opened)) {
      if (absl::Status folded = options_.folder->Apply(opened, stream_state); !folded.ok()) {
        return absl::FailedPreconditionError(
            absl::StrCat("event ", event.log_sequence(), " breaks the agency's rules: ", folded.message()));
      }
    }
    ++seq;
    RETURN_IF_ERROR(stream_state.Accept(&batch));
    CommandResult result;
    result.set_event_id(event.event_id());
    result.set_stream_id(event.stream_id());
    result.set_stream_version(event.stream_version());
    result.set_log_sequence(seq);
    *result.mutable_recorded_at() = event.recorded_at();
    // The command's content is not in its event: an empty fingerprint answers any command
    // sent again under this id with the original result.
    CommandRecord record;
    *record.mutable_result() = result;
    for (const auto& n : tree.Append(merkle::LeafHash(bytes))) batch.Put(NodeKey(n.level, n.index), n.hash);
    batch.Put(EventKey(seq), bytes);
    batch.Put(StreamEventKey(event.stream_id(), event.stream_version()), EncodeU64(seq));
    batch.Put(StreamVersionKey(event.stream_id()), EncodeU64(event.stream_version()));
    if (event.stream_version() == 1) batch.Put(KeyStreamKey(event.sealed().key_id(), event.stream_id()), "");
    if (!event.command_id().empty()) batch.Put(CommandKey(event.command_id()), record.SerializeAsString());
    if (!outbox_empty) {
      safeguard::v1::OutboxEntry outbox_entry;
      outbox_entry.set_bus_key(event.subject_key());
      batch.Put(OutboxKey(seq), outbox_entry.SerializeAsString());
    }
    versions[event.stream_id()] = event.stream_version();
  }
  if (seq == last_sequence_.load()) return 0;
  batch.Put(kLastSequenceKey, EncodeU64(seq));
  if (outbox_empty) batch.Put(kOutboxStartKey, EncodeU64(seq + 1));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  RETURN_IF_ERROR(FromRocksDb(db_->Write(wo, &batch), "adopt events from the bus"));
  const uint64_t adopted = seq - last_sequence_.load();
  tree_ = std::move(tree);
  if (outbox_empty) outbox_start_.store(seq + 1);
  last_sequence_.store(seq);
  return adopted;
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
  // An empty stored fingerprint: an event taken back from the bus (Adopt).
  if (!record.fingerprint().empty() && record.fingerprint() != StoredFingerprint(fingerprint)) {
    return absl::AlreadyExistsError(
        absl::StrCat("command_id '", command_id, "' was already used for a different command"));
  }
  CommandResult result = record.result();
  result.set_idempotent_replay(true);
  // The store keeps the stream's pseudonym; the caller named the stream itself, which its
  // event holds sealed. (Once erased, the pseudonym is all there is.)
  if (absl::StatusOr<std::string> bytes = EventBytes(result.log_sequence()); bytes.ok()) {
    if (absl::StatusOr<EventEnvelope> e = Verified(result.log_sequence(), *bytes); e.ok() && OpenStored(&*e).ok() &&
                                                                                      !crypto::IsSealed(*e)) {
      result.set_stream_id(e->stream_id());
    }
  }
  return std::optional<CommandResult>(std::move(result));
}

uint64_t EventStore::LastSequence() const { return last_sequence_.load(); }

absl::StatusOr<uint64_t> EventStore::StreamVersion(const std::string& stream_id) {
  return StoredStreamVersion(StoredStreamId(stream_id));
}

absl::StatusOr<uint64_t> EventStore::StoredStreamVersion(const std::string& stored_stream) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), StreamVersionKey(stored_stream), &value);
  if (s.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocksDb(s, "read stream version"));
  return DecodeBigEndian64(value);
}

absl::StatusOr<std::vector<EventEnvelope>> EventStore::ReadStream(const std::string& named_stream,
                                                                  uint64_t from_version,
                                                                  size_t max) {
  std::vector<EventEnvelope> out;
  const std::string stream_id = StoredStreamId(named_stream);
  const std::string prefix = NamedPrefix("s", stream_id);
  // One moment: the stream's version and its index agree in it, so that an index entry
  // deleted (at the end as in the middle), or a version record deleted, is found.
  const OneMoment at(db_.get());
  const rocksdb::ReadOptions& ro = at.options();
  ASSIGN_OR_RETURN(const std::optional<std::string> version_record,
                   GetValue(db_.get(), StreamVersionKey(stream_id), "read stream version", ro));
  const uint64_t current = version_record.has_value() ? DecodeBigEndian64(*version_record) : 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  uint64_t expected = std::max<uint64_t>(from_version, 1);
  auto version_missing = [&] {
    return DataLoss(absl::StrCat("version ", expected, " of stream ", stream_id),
                    "it is missing from the stream's index: the stream's events cannot all be found");
  };
  for (it->Seek(StreamEventKey(stream_id, expected));
       it->Valid() && it->key().starts_with(prefix) && out.size() < max && expected <= current; it->Next(), ++expected) {
    const uint64_t seq = DecodeBigEndian64(it->value().ToStringView());
    const uint64_t version = DecodeBigEndian64(it->key().ToStringView().substr(prefix.size()));
    if (version != expected) return version_missing();
    std::string bytes;
    rocksdb::Status s = db_->Get(ro, EventKey(seq), &bytes);
    if (s.IsNotFound()) {
      return DataLoss(seq, absl::StrCat("it is missing, though version ", version, " of its stream points at it"));
    }
    RETURN_IF_ERROR(FromRocksDb(s, "read event"));
    ASSIGN_OR_RETURN(EventEnvelope e, Verified(seq, bytes, &stream_id, version));
    RETURN_IF_ERROR(OpenStored(&e));
    out.push_back(std::move(e));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan stream"));
  if (out.size() < max && expected <= current) return version_missing();
  if (out.size() < max && it->Valid() && it->key().starts_with(prefix)) {
    return DataLoss(absl::StrCat("stream ", stream_id),
                    absl::StrCat("its index holds events past its recorded version ", current));
  }
  return out;
}

absl::StatusOr<std::vector<EventEnvelope>> EventStore::ReadLog(uint64_t from_sequence,
                                                               size_t max) {
  std::vector<EventEnvelope> out;
  const uint64_t last = LastSequence();
  uint64_t expected = std::max<uint64_t>(from_sequence, 1);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(EventKey(expected)); it->Valid() && it->key().starts_with("e") && out.size() < max && expected <= last;
       it->Next(), ++expected) {
    const uint64_t seq = DecodeBigEndian64(it->key().ToStringView().substr(1));
    if (seq != expected) return DataLoss(expected, "it is missing from the log");
    ASSIGN_OR_RETURN(EventEnvelope e, Verified(seq, absl::string_view(it->value().data(), it->value().size())));
    RETURN_IF_ERROR(OpenStored(&e));
    out.push_back(std::move(e));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan log"));
  if (out.size() < max && expected <= last) return DataLoss(expected, "it is missing from the log");
  return out;
}

absl::StatusOr<std::vector<EventStore::StoredEvent>> EventStore::PendingOutbox(size_t max) {
  std::vector<StoredEvent> out;
  const uint64_t start = outbox_start_.load();
  const uint64_t last = last_sequence_.load();
  if (start > last) return out;
  // The entries below `start` are deleted; bounding the scan there means it never steps
  // over their tombstones.
  const std::string lower = OutboxKey(start);
  const std::string upper = OutboxKey(last + 1);
  rocksdb::Slice lower_bound(lower), upper_bound(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_bound;
  ro.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> outbox(db_->NewIterator(ro));
  std::unique_ptr<rocksdb::Iterator> events(db_->NewIterator(rocksdb::ReadOptions()));
  for (outbox->Seek(lower); outbox->Valid() && out.size() < max; outbox->Next()) {
    StoredEvent stored;
    stored.sequence = DecodeBigEndian64(outbox->key().ToStringView().substr(1));
    // The outbox runs without a gap from its start: an entry deleted would leave its event
    // never published.
    if (const uint64_t expected = start + out.size(); stored.sequence != expected) {
      if (!out.empty()) return out;
      return DataLoss(expected, "its outbox entry is missing, so it would never be published");
    }
    const std::string event_key = EventKey(stored.sequence);
    if (!events->Valid() || events->key() != event_key) events->Seek(event_key);
    if (!events->Valid() || events->key() != event_key) {
      RETURN_IF_ERROR(FromRocksDb(events->status(), "read outbox event"));
      if (!out.empty()) return out;
      return DataLoss(stored.sequence, "it is missing, though it waits in the outbox");
    }
    stored.bytes = events->value().ToString();
    safeguard::v1::OutboxEntry entry;
    if (!entry.ParseFromArray(outbox->value().data(), static_cast<int>(outbox->value().size()))) {
      if (!out.empty()) return out;
      return DataLoss(stored.sequence, "its outbox entry is unreadable");
    }
    stored.key = entry.bus_key();
    // Nothing altered is published: the bus copy is what auditors check against the tree.
    // The events before a bad one still go; the relay stops at it.
    absl::StatusOr<EventEnvelope> e = Verified(stored.sequence, stored.bytes);
    if (!e.ok()) {
      if (!out.empty()) return out;
      return e.status();
    }
    if (stored.key.empty()) stored.key = e->subject_key();  // an entry written before the outbox held its bus key
    stored.key_id = e->sealed().key_id();
    events->Next();
    out.push_back(std::move(stored));
  }
  RETURN_IF_ERROR(FromRocksDb(outbox->status(), "scan outbox"));
  return out;
}

uint64_t EventStore::OutboxPending() const {
  const uint64_t start = outbox_start_.load();
  const uint64_t last = last_sequence_.load();
  return start > last ? 0 : last - start + 1;
}

absl::Status EventStore::MarkPublished(const std::vector<uint64_t>& sequences) {
  if (sequences.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  uint64_t next = outbox_start_.load();
  for (uint64_t seq : sequences) {
    batch.Delete(OutboxKey(seq));
    next = std::max(next, seq + 1);
  }
  batch.Put(kOutboxStartKey, EncodeU64(next));
  RETURN_IF_ERROR(FromRocksDb(db_->Write(rocksdb::WriteOptions(), &batch), "mark outbox entries published"));
  outbox_start_.store(next);
  return absl::OkStatus();
}

namespace {

// A stream's committed state, read only.
class CommittedStreamState : public StreamState {
 public:
  CommittedStreamState(EventStore* store, std::string stream) : store_(store), stream_(std::move(stream)) {}
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view entry) const override {
    return store_->StreamEntry(stream_, entry);
  }
  // Never reached: the store hands this out as const.
  void Put(absl::string_view, std::string) override {}

 private:
  EventStore* const store_;
  const std::string stream_;
};

}  // namespace

std::unique_ptr<const StreamState> EventStore::CommittedState(const std::string& stream_id) {
  return std::make_unique<CommittedStreamState>(this, stream_id);
}

std::string EventStore::StoredFingerprint(const std::string& fingerprint) const {
  // A command's fingerprint is a hash of all it says, references included: kept only under
  // the vault's keyed hash, so that a copy of the store cannot confirm a guess.
  return options_.keys->vault().Mac(absl::StrCat("fingerprint\n", fingerprint));
}

std::string EventStore::StoredStreamId(const std::string& stream_id) const {
  return crypto::StreamPseudonym(options_.keys->vault(), stream_id);
}

absl::StatusOr<std::optional<safeguard::v1::DataKeyRecord>> EventStore::DataKey(const std::string& key_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, GetValue(db_.get(), DataKeyKey(key_id), "read a data key"));
  if (!stored.has_value()) return std::optional<safeguard::v1::DataKeyRecord>();
  safeguard::v1::DataKeyRecord record;
  if (!record.ParseFromString(*stored)) return absl::DataLossError(absl::StrCat("data key ", key_id, " is unreadable"));
  return std::optional<safeguard::v1::DataKeyRecord>(std::move(record));
}

absl::StatusOr<std::optional<std::string>> EventStore::HeldKey(const std::string& key_id) {
  if (std::optional<std::string> key = options_.keys->Find(key_id); key.has_value()) return key;
  ASSIGN_OR_RETURN(std::optional<safeguard::v1::DataKeyRecord> record, DataKey(key_id));
  if (!record.has_value()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string key, options_.keys->Unwrap(*record));
  return std::optional<std::string>(std::move(key));
}

absl::Status EventStore::OpenStored(EventEnvelope* event) {
  if (!crypto::IsSealed(*event)) return absl::OkStatus();
  absl::StatusOr<std::optional<std::string>> key = HeldKey(event->sealed().key_id());
  if (!key.ok() && absl::IsNotFound(key.status())) return absl::OkStatus();  // erased: it stays sealed
  // The vault lacks the key's KEK: nothing is lost, the vault is wrong; said as that.
  if (!key.ok() && absl::IsFailedPrecondition(key.status())) return key.status();
  if (!key.ok()) return DataLoss(event->log_sequence(), std::string(key.status().message()));
  if (!key->has_value()) {
    return DataLoss(event->log_sequence(), absl::StrCat("its data key ", event->sealed().key_id(), " is missing"));
  }
  if (absl::Status opened = crypto::OpenEvent(**key, event); !opened.ok()) {
    return DataLoss(event->log_sequence(), std::string(opened.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<EventStore::HeldDataKey> EventStore::KeyFor(safeguard::v1::Agency agency, const std::string& basis) {
  const std::string key_id = crypto::DataKeyId(options_.keys->vault(), agency, basis);
  // The usual case, a key in memory, waits for no one's write.
  if (std::optional<std::string> key = options_.keys->Find(key_id); key.has_value()) {
    return HeldDataKey{key_id, *std::move(key), ""};
  }
  std::lock_guard<std::mutex> making_keys(key_mu_);
  ASSIGN_OR_RETURN(std::optional<std::string> held, HeldKey(key_id));
  if (held.has_value()) return HeldDataKey{key_id, *std::move(held), ""};
  ASSIGN_OR_RETURN(crypto::KeyRing::NewKey created, options_.keys->Create(key_id, agency, options_.clock()));
  rocksdb::WriteBatch batch;
  batch.Put(DataKeyKey(key_id), created.record.SerializeAsString());
  batch.Put(KeyOutboxKey(key_id), "");
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  RETURN_IF_ERROR(FromRocksDb(db_->Write(wo, &batch), "make a data key"));
  options_.keys->Hold(key_id, created.key);
  if (commit_listener_) commit_listener_();  // the relay publishes it too
  return HeldDataKey{key_id, std::move(created.key), created.record.SerializeAsString()};
}

absl::StatusOr<std::vector<EventStore::StoredKey>> EventStore::PendingKeys(size_t max) {
  std::vector<StoredKey> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("q"); it->Valid() && it->key().starts_with("q") && out.size() < max; it->Next()) {
    StoredKey k;
    k.key_id = it->key().ToString().substr(1);
    ASSIGN_OR_RETURN(std::optional<std::string> record, GetValue(db_.get(), DataKeyKey(k.key_id), "read a data key"));
    if (!record.has_value()) return absl::DataLossError(absl::StrCat("data key ", k.key_id, " waits to be published but is missing"));
    k.record = *std::move(record);
    out.push_back(std::move(k));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan the keys' outbox"));
  return out;
}

void EventStore::RepublishIfDestroyed(const std::vector<std::string>& key_ids) {
  rocksdb::WriteBatch batch;
  for (const std::string& id : key_ids) {
    absl::StatusOr<std::optional<safeguard::v1::DataKeyRecord>> record = DataKey(id);
    if (record.ok() && record->has_value() && (*record)->has_destroyed()) batch.Put(KeyOutboxKey(id), "");
    if (!record.ok()) logging::Error(absl::StrCat("data key ", id, ": ", record.status().message()));
  }
  if (batch.Count() == 0) return;
  if (absl::Status queued = FromRocksDb(db_->Write(rocksdb::WriteOptions(), &batch), "queue a destroyed key again");
      !queued.ok()) {
    logging::Error(absl::StrCat("a destroyed key's record could not be queued to be published again: ", queued.message()));
    return;
  }
  if (commit_listener_) commit_listener_();
}

absl::StatusOr<uint64_t> EventStore::KeysAwaitingPublication() {
  uint64_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("q"); it->Valid() && it->key().starts_with("q"); it->Next()) ++n;
  RETURN_IF_ERROR(FromRocksDb(it->status(), "count the keys' outbox"));
  return n;
}

absl::StatusOr<std::optional<EventStore::StoredKey>> EventStore::PendingKey(const std::string& key_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> waiting, GetValue(db_.get(), KeyOutboxKey(key_id), "read the keys' outbox"));
  if (!waiting.has_value()) return std::optional<StoredKey>();
  ASSIGN_OR_RETURN(std::optional<std::string> record, GetValue(db_.get(), DataKeyKey(key_id), "read a data key"));
  if (!record.has_value()) return absl::DataLossError(absl::StrCat("data key ", key_id, " waits to be published but is missing"));
  return std::optional<StoredKey>(StoredKey{key_id, *std::move(record)});
}

absl::Status EventStore::MarkKeysPublished(const std::vector<std::string>& key_ids) {
  if (key_ids.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  for (const std::string& id : key_ids) batch.Delete(KeyOutboxKey(id));
  return FromRocksDb(db_->Write(rocksdb::WriteOptions(), &batch), "mark data keys published");
}

absl::Status EventStore::DestroyKey(const std::string& key_id, const safeguard::v1::KeyDestruction& destruction) {
  {
    // No event is sealed under it, nor a read's record, while it goes.
    std::lock_guard<std::mutex> making_keys(key_mu_);
    ASSIGN_OR_RETURN(std::optional<safeguard::v1::DataKeyRecord> record, DataKey(key_id));
    if (!record.has_value()) return absl::NotFoundError(absl::StrCat("this store holds no data key ", key_id));
    if (!record->has_destroyed()) {
      safeguard::v1::DataKeyRecord destroyed;
      destroyed.set_key_id(key_id);
      destroyed.set_agency(record->agency());
      *destroyed.mutable_created_at() = record->created_at();
      *destroyed.mutable_destroyed() = destruction;
      rocksdb::WriteBatch batch;
      batch.Put(DataKeyKey(key_id), destroyed.SerializeAsString());
      batch.Put(KeyOutboxKey(key_id), "");
      batch.Put(UncompactedKey(key_id), "");  // until every file is rid of it (below)
      ASSIGN_OR_RETURN(const auto states, StateRangesUnder(key_id));
      for (const auto& [begin, end] : states) {
        RETURN_IF_ERROR(FromRocksDb(batch.DeleteRange(begin, end), "delete an erased stream's state"));
      }
      rocksdb::WriteOptions synced;
      synced.sync = true;
      RETURN_IF_ERROR(FromRocksDb(db_->Write(synced, &batch), "destroy a data key"));
      options_.keys->Forget(key_id);
      if (commit_listener_) commit_listener_();  // the relay publishes that it is destroyed
    }
  }
  return CompactAway(key_id);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> EventStore::StateRangesUnder(
    const std::string& key_id) {
  std::vector<std::pair<std::string, std::string>> ranges;
  const std::string streams = NamedPrefix("g", key_id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(streams); it->Valid() && it->key().starts_with(streams); it->Next()) {
    const std::string state = NamedPrefix("x", it->key().ToStringView().substr(streams.size()));
    std::string end = state;
    end.back() = '\1';
    ranges.emplace_back(state, std::move(end));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "find the streams sealed under a key"));
  return ranges;
}

absl::Status EventStore::CompactAway(const std::string& key_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> pending, GetValue(db_.get(), UncompactedKey(key_id), "read a key's compaction"));
  if (!pending.has_value()) return absl::OkStatus();  // done already
  // Out of every table file: what was written is flushed, then each range rewritten
  // without what was deleted or replaced.
  using Ranges = std::vector<std::pair<std::string, std::string>>;
  ASSIGN_OR_RETURN(Ranges ranges, StateRangesUnder(key_id));
  ranges.emplace_back(DataKeyKey(key_id), DataKeyKey(key_id) + '\0');
  rocksdb::FlushOptions flush;
  flush.wait = true;
  RETURN_IF_ERROR(FromRocksDb(db_->Flush(flush), "flush after destroying a data key"));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (const auto& [begin, end] : ranges) {
    const rocksdb::Slice b(begin), e(end);
    RETURN_IF_ERROR(FromRocksDb(db_->CompactRange(compact, &b, &e), "compact after destroying a data key"));
  }
  rocksdb::WriteOptions synced;
  synced.sync = true;
  return FromRocksDb(db_->Delete(synced, UncompactedKey(key_id)), "note a destroyed key compacted away");
}

absl::Status EventStore::AdoptKeys(const std::vector<safeguard::v1::DataKeyRecord>& records) {
  rocksdb::WriteBatch batch;
  for (const safeguard::v1::DataKeyRecord& record : records) {
    ASSIGN_OR_RETURN(std::optional<safeguard::v1::DataKeyRecord> held, DataKey(record.key_id()));
    if (held.has_value() && (held->has_destroyed() || !record.has_destroyed())) continue;
    if (held.has_value()) {
      // Destroyed since the copy this store was restored from was made: destroyed here
      // too, its streams' state and every file's copy of it with it.
      RETURN_IF_ERROR(DestroyKey(record.key_id(), record.destroyed()));
      continue;
    }
    safeguard::v1::DataKeyRecord kept = record;
    absl::StatusOr<bool> rewrapped = crypto::RewrapUnderCurrentKek(options_.keys->vault(), &kept);
    if (!rewrapped.ok() && absl::IsFailedPrecondition(rewrapped.status())) {
      ++keys_under_retired_keks_;
      batch.Delete(kKeysKekKey);  // looked at again at the next open
    } else if (!rewrapped.ok()) {
      return rewrapped.status();
    } else if (*rewrapped) {
      batch.Put(KeyOutboxKey(record.key_id()), "");  // published again, under the newer KEK
    }
    batch.Put(DataKeyKey(record.key_id()), kept.SerializeAsString());
    if (record.has_destroyed()) options_.keys->Forget(record.key_id());
  }
  if (batch.Count() == 0) return absl::OkStatus();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocksDb(db_->Write(wo, &batch), "take back data keys");
}

absl::StatusOr<std::optional<std::string>> EventStore::StreamEntry(const std::string& named_stream,
                                                                   absl::string_view entry) {
  const std::string key = state_cipher_->Key(StoredStreamId(named_stream), entry);
  ASSIGN_OR_RETURN(std::optional<std::string> sealed, GetValue(db_.get(), key, "read stream state"));
  return state_cipher_->Open(key, std::move(sealed));
}

merkle::NodeSource EventStore::Nodes() { return NodesIn(db_.get()); }

namespace {
absl::Status WithinLog(uint64_t n, uint64_t last, absl::string_view what) {
  if (n > last) return absl::OutOfRangeError(absl::StrCat(what, " ", n, " is beyond the log's ", last, " events"));
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<std::string> EventStore::RootHash(uint64_t size) {
  RETURN_IF_ERROR(WithinLog(size, LastSequence(), "size"));
  return merkle::RootHash(Nodes(), size);
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
  return merkle::InclusionProof(Nodes(), sequence - 1, size);
}

absl::StatusOr<std::vector<std::string>> EventStore::ConsistencyProof(uint64_t size1, uint64_t size2) {
  RETURN_IF_ERROR(WithinLog(size2, LastSequence(), "size"));
  return merkle::ConsistencyProof(Nodes(), size1, size2);
}

absl::StatusOr<std::string> EventStore::EventBytes(uint64_t sequence) {
  RETURN_IF_ERROR(WithinLog(sequence, LastSequence(), "sequence"));
  if (sequence == 0) return absl::InvalidArgumentError("sequence: events are numbered from 1");
  std::string bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), EventKey(sequence), &bytes);
  if (s.IsNotFound()) return DataLoss(sequence, "it is missing from the log");
  RETURN_IF_ERROR(FromRocksDb(s, "read event"));
  RETURN_IF_ERROR(Verified(sequence, bytes).status());
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

absl::Status EventStore::DataLoss(uint64_t sequence, const std::string& problem) {
  return DataLoss(absl::StrCat("event ", sequence), problem);
}

absl::Status EventStore::DataLoss(const std::string& what, const std::string& problem) {
  const std::string message = absl::StrCat(what, " of this service's store: ", problem, "; nothing of it is served");
  ++data_loss_detected_;
  {
    std::lock_guard<std::mutex> lock(data_loss_mu_);
    if (first_data_loss_.empty()) first_data_loss_ = message;
  }
  DataLossLog().Write(absl::StrCat("DATA LOSS: ", options_.path, ": ", message,
                                   " (docs/operations.md, \"Runbook: data loss detected\")"));
  return absl::DataLossError(message);
}

std::string EventStore::first_data_loss() const {
  std::lock_guard<std::mutex> lock(data_loss_mu_);
  return first_data_loss_;
}

absl::StatusOr<EventEnvelope> EventStore::Verified(uint64_t sequence, absl::string_view bytes,
                                                   const std::string* stream, uint64_t version) {
  std::string leaf;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), NodeKey(0, sequence - 1), &leaf);
  if (s.IsNotFound()) return DataLoss(sequence, "its Merkle leaf is missing");
  RETURN_IF_ERROR(FromRocksDb(s, "read Merkle leaf"));
  if (leaf != merkle::LeafHash(bytes)) {
    return DataLoss(sequence, "it does not match its Merkle leaf: it was altered after it was written");
  }
  EventEnvelope e;
  if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return DataLoss(sequence, "it is unreadable");
  if (e.log_sequence() != sequence) {
    return DataLoss(sequence, absl::StrCat("it holds event ", e.log_sequence(), ": events were moved or swapped"));
  }
  if (stream != nullptr && (e.stream_id() != *stream || e.stream_version() != version)) {
    return DataLoss(sequence, absl::StrCat("the index of stream ", *stream, " points at it as version ", version,
                                           ", but it is version ", e.stream_version(), " of ", e.stream_id()));
  }
  return e;
}

namespace {

// The scrub of `db` (see EventStore::Scrub), as of one snapshot.
absl::StatusOr<EventStore::ScrubReport> ScrubDatabase(rocksdb::DB* db, const EventStore::CheckpointCheck& signed_by,
                                                       const std::function<bool()>& stopping) {
  const OneMoment at(db);
  const rocksdb::ReadOptions& ro = at.options();
  auto get = [&](const std::string& key) { return GetValue(db, key, "read the store", ro); };
  EventStore::ScrubReport report;
  auto bad = [&](uint64_t sequence, std::string problem) {
    report.first_bad_sequence = sequence;
    report.problem = std::move(problem);
    return report;
  };
  ASSIGN_OR_RETURN(const std::optional<std::string> last, get(kLastSequenceKey));
  report.last_sequence = last.has_value() ? DecodeBigEndian64(*last) : 0;

  std::vector<safeguard::v1::SignedCheckpoint> checkpoints;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    for (it->Seek("k"); it->Valid() && it->key().starts_with("k"); it->Next()) {
      safeguard::v1::SignedCheckpoint c;
      if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return bad(0, "a stored checkpoint is unreadable");
      }
      checkpoints.push_back(std::move(c));
    }
    RETURN_IF_ERROR(FromRocksDb(it->status(), "read checkpoints"));
  }
  if (!checkpoints.empty() && checkpoints.back().size() > report.last_sequence) {
    return bad(report.last_sequence + 1,
               absl::StrCat("a checkpoint signs ", checkpoints.back().size(), " events but the store counts ",
                            report.last_sequence, ": signed events are missing"));
  }
  const merkle::NodeSource nodes = [&](int level, uint64_t index) -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(std::optional<std::string> hash, get(NodeKey(level, index)));
    if (!hash.has_value()) return absl::DataLossError(absl::StrCat("Merkle node ", level, "/", index, " is missing"));
    return *std::move(hash);
  };

  merkle::TreeBuilder tree;
  size_t next_checkpoint = 0;
  while (next_checkpoint < checkpoints.size() && checkpoints[next_checkpoint].size() == 0) ++next_checkpoint;
  const std::string upper = EventKey(report.last_sequence + 1);
  rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions scan = ro;
  scan.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(scan));
  for (it->Seek(EventKey(1)); it->Valid(); it->Next()) {
    const uint64_t seq = DecodeBigEndian64(it->key().ToStringView().substr(1));
    const uint64_t expected = report.events + 1;
    if (stopping && expected % 10000 == 0 && stopping()) return absl::CancelledError("the scrub was stopped");
    if (seq != expected) {
      return bad(expected, absl::StrCat("event ", expected, " is missing (the next stored is ", seq, ")"));
    }
    const absl::string_view bytes(it->value().data(), it->value().size());
    EventEnvelope e;
    if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return bad(seq, absl::StrCat("event ", seq, " is unreadable"));
    }
    if (e.log_sequence() != seq) {
      return bad(seq, absl::StrCat("event ", seq, " holds event ", e.log_sequence(), ": events were moved or swapped"));
    }
    ASSIGN_OR_RETURN(const std::optional<std::string> indexed, get(StreamEventKey(e.stream_id(), e.stream_version())));
    if (indexed != EncodeU64(seq)) {
      return bad(seq, absl::StrCat("event ", seq, " is version ", e.stream_version(), " of ", e.stream_id(),
                                   ", but that stream's index does not point at it"));
    }
    for (const merkle::TreeBuilder::Node& n : tree.Append(merkle::LeafHash(bytes))) {
      ASSIGN_OR_RETURN(const std::optional<std::string> stored, get(NodeKey(n.level, n.index)));
      if (stored == n.hash) continue;
      if (n.level == 0) {
        return bad(seq, absl::StrCat("event ", seq, " does not match its Merkle leaf: it was altered after it was written"));
      }
      return bad(seq, absl::StrCat("the Merkle node over events ", (n.index << n.level) + 1, "-",
                                   (n.index + 1) << n.level, " is not the hash of those events: the tree was altered"));
    }
    ++report.events;
    // Every node up to `seq` is now checked, so the root the stored nodes give for a
    // checkpoint's size is the events' own.
    for (; next_checkpoint < checkpoints.size() && checkpoints[next_checkpoint].size() == seq; ++next_checkpoint) {
      const safeguard::v1::SignedCheckpoint& c = checkpoints[next_checkpoint];
      ASSIGN_OR_RETURN(const std::string root, merkle::RootHash(nodes, seq));
      if (root != c.root_hash()) {
        return bad(seq, absl::StrCat("the signed checkpoint of ", seq, " events does not match them"));
      }
      if (signed_by) {
        if (absl::Status st = signed_by(c); !st.ok()) {
          return bad(seq, absl::StrCat("the checkpoint of ", seq, " events: ", st.message()));
        }
      }
      ++report.checkpoints_verified;
      report.verified_size = seq;
    }
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan the log"));
  if (report.events < report.last_sequence) {
    return bad(report.events + 1, absl::StrCat("events ", report.events + 1, " to ", report.last_sequence,
                                               " are missing from the end of the log"));
  }
  return report;
}

}  // namespace

absl::StatusOr<EventStore::ScrubReport> EventStore::Scrub(const CheckpointCheck& signed_by,
                                                          const std::function<bool()>& stopping) {
  return ScrubDatabase(db_.get(), signed_by, stopping);
}

absl::StatusOr<EventStore::ScrubReport> EventStore::ScrubAt(const std::string& path, const CheckpointCheck& signed_by) {
  if (!std::filesystem::exists(std::filesystem::path(path) / "CURRENT")) {
    return absl::NotFoundError(absl::StrCat(path, ": no event store here"));
  }
  rocksdb::Options options = DatabaseOptions(path);
  options.create_if_missing = false;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::OpenForReadOnly(options, path, &raw), absl::StrCat("open ", path, " to read")));
  std::unique_ptr<rocksdb::DB> db(raw);
  return ScrubDatabase(db.get(), signed_by, nullptr);
}

}  // namespace safeguard
