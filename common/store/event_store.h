// An agency's event store on RocksDB.
//
// Events belong to streams (one aggregate each, e.g. the police record of one subject)
// and to the agency's log, numbered 1, 2, 3... without gaps. Appends are:
//  - optimistic: a command may name the stream version it expects; on a mismatch the
//    append fails with kAborted and nothing is written;
//  - ruled: a command may carry a rule over its stream's state (common/store/
//    stream_state.h), which the writer checks against the committed state and the
//    group's earlier appends; the entries each event establishes are written with it;
//  - idempotent: the caller's command id is stored with the result in the same write, so
//    a repeated command id returns the original result and writes nothing, across
//    restarts; a command id reused for different content fails with kAlreadyExists;
//  - durable: acknowledged only after the WAL is synced. One writer thread gathers every
//    append that arrives while the previous sync is in flight into one WriteBatch (group
//    commit), so concurrent writers share syncs;
//  - published through an outbox: each event's outbox entry is in the same WriteBatch,
//    and the relay deletes it once the bus holds the event (the outbox is read from the
//    first entry not yet published, never from the start of its range);
//  - sealed: every event's personal part (subject, subject key, stream id, payload) is
//    sealed under its subject's data key before it is stored (common/crypto/sealing.h),
//    its stream id and subject key stored as pseudonyms; a new subject's data key is
//    created, wrapped by the key vault, in the same WriteBatch as its first event, and
//    published (on the agency's keys topic) before it. Callers name streams as they are
//    ("police/pnc:..."); everything read back is opened again;
//  - tamper-evident: the log is an RFC 6962 Merkle tree whose leaves are the stored bytes
//    of each event, in log order; the nodes each append completes are written in the same
//    WriteBatch (common/merkle/merkle.h), so a root or proof can be given for any size;
//  - self-verifying: every event read (a stream, the log, the outbox, the stream state
//    rebuilt at open) is checked against its Merkle leaf (one SHA-256) and against the
//    place it was read from (its sequence, stream and version, with no version or outbox
//    entry skipped). A mismatch, or an event missing, is kDataLoss naming it, logged and
//    counted, and nothing of it is served. That catches damage, and any edit that leaves
//    the leaf as it was; an edit that rewrites the leaf too is caught by Scrub(), which
//    recomputes every node above it and checks the signed checkpoints.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/merkle/merkle.h"
#include "common/store/stream_state.h"
#include "common/time_util.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"
#include "safeguard/v1/audit.pb.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/common.pb.h"
#include "safeguard/v1/keys.pb.h"

namespace safeguard {

namespace crypto {
class KeyRing;
}

class EventStore {
 public:
  struct Options {
    std::string path;                // RocksDB directory, created if missing
    bool sync = true;                // false only for benchmarks that measure without fsync
    size_t max_group_size = 1024;    // most appends one synced write may carry
    Clock clock = SystemClock();
    // How the agency's events shape its streams' state; nullptr: the store keeps none.
    // Must outlive the store.
    const StreamFolder* folder = nullptr;
    // RocksDB's counters for this database, when a caller wants them (tests, metrics).
    std::shared_ptr<rocksdb::Statistics> statistics;
    // The environment RocksDB runs in; nullptr: the default (tests inject faults here).
    rocksdb::Env* env = nullptr;
    // Required: the data keys every event is sealed under, and the vault that wraps them.
    // Must outlive the store.
    crypto::KeyRing* keys = nullptr;
  };

  // One command's append.
  struct AppendCommand {
    std::string stream_id;
    std::optional<uint64_t> expected_version;  // 0 = the stream must not exist yet
    std::string command_id;
    std::string fingerprint;         // identifies the command's content (e.g. SHA-256)
    // Filled by the caller except event_id, stream_id, stream_version, log_sequence and
    // recorded_at, which the store assigns.
    safeguard::v1::EventEnvelope event;
    // The command's precondition over the stream's state; empty for none.
    StreamRule rule;
  };

  using AppendDone = std::function<void(absl::StatusOr<safeguard::v1::CommandResult>)>;

  // Opens (or creates) the store at options.path and starts its writer thread.
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(Options options);

  // How the streams' state is kept at rest (event_store.cc).
  class StateCipher;

  // Stops the writer; appends still queued complete with kUnavailable.
  ~EventStore();

  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Queues `command`; `done` runs on the writer thread once the outcome is durable:
  // the result (with idempotent_replay set when the command id was seen before, even if
  // the rule would now refuse it), kAborted when the caller's expected_version does not
  // match, the rule's refusal, kAlreadyExists when the command id was used for a
  // different command, kResourceExhausted when the disk is full, kUnavailable when the disk write failed
  // otherwise. `done` must not block.
  // Thread-safe.
  void AppendAsync(AppendCommand command, AppendDone done);

  // Blocking form of AppendAsync. Thread-safe.
  absl::StatusOr<safeguard::v1::CommandResult> Append(AppendCommand command);

  // The original result of `command_id` (idempotent_replay set) when it was already
  // applied with the same `fingerprint`; nullopt when it was never seen; kAlreadyExists
  // when it was applied to a different command. Thread-safe.
  absl::StatusOr<std::optional<safeguard::v1::CommandResult>> LookupCommand(
      const std::string& command_id, const std::string& fingerprint);

  // Current version of `stream_id`; 0 when it has no events. Thread-safe.
  absl::StatusOr<uint64_t> StreamVersion(const std::string& stream_id);

  // The committed value of `entry` in the state of `stream_id` (see StreamFolder);
  // nullopt when absent. For checks a command makes before it is queued; its rule checks
  // again on the writer. Thread-safe.
  absl::StatusOr<std::optional<std::string>> StreamEntry(const std::string& stream_id, absl::string_view entry);
  // The committed state of `stream_id` as a StreamState to read (the folders' readers
  // take one). Valid while the store is. Thread-safe.
  std::unique_ptr<const StreamState> CommittedState(const std::string& stream_id);

  // Up to `max` events of `stream_id` from version `from_version` (1-based), opened: an
  // event whose data key was destroyed stays sealed, and has no payload. Thread-safe.
  absl::StatusOr<std::vector<safeguard::v1::EventEnvelope>> ReadStream(
      const std::string& stream_id, uint64_t from_version, size_t max);

  // Up to `max` events of the agency log from sequence `from_sequence` (1-based), opened.
  absl::StatusOr<std::vector<safeguard::v1::EventEnvelope>> ReadLog(uint64_t from_sequence,
                                                                    size_t max);

  // The name stream `stream_id` is stored and published under (a pseudonym).
  std::string StoredStreamId(const std::string& stream_id) const;
  // What the store keeps of a command's fingerprint: a keyed hash of it.
  std::string StoredFingerprint(const std::string& fingerprint) const;

  // The record of data key `key_id`; nullopt when the store has none. Thread-safe.
  absl::StatusOr<std::optional<safeguard::v1::DataKeyRecord>> DataKey(const std::string& key_id);

  // Destroys data key `key_id`, as an erasure decision (`destruction`) orders: its record
  // keeps only that it was destroyed, when and why, and waits to be published (its keys
  // topic is compacted: the record replaces the one that carried the key); the state of
  // every stream sealed under it is deleted; the memtables are flushed and the ranges that
  // held them compacted, so that no table file of the store holds the wrapped key or that
  // state any more. The events stay, sealed, in their places in the log and the Merkle tree:
  // read back, they have no payload. A command about the same stream is refused from then
  // on. kNotFound when the store has no such key. Destroyed already, it finishes what a
  // crash may have left undone (the flush and compaction), else does nothing. Thread-safe.
  absl::Status DestroyKey(const std::string& key_id, const safeguard::v1::KeyDestruction& destruction);

  // Takes back data keys the store lacks: after a restore from a backup, the keys it
  // created (and published) after its copy, read from its keys topic. Records of keys it
  // holds already are skipped, unless they say the key was destroyed: then it is
  // destroyed here as DestroyKey does (an erasure made after the copy). Call before Adopt.
  absl::Status AdoptKeys(const std::vector<safeguard::v1::DataKeyRecord>& records);

  // The highest log sequence committed so far (0 when empty). Thread-safe.
  uint64_t LastSequence() const;

  // Where the store is (its RocksDB directory).
  const std::string& path() const { return options_.path; }

  // An event waiting in the outbox: its log sequence, its bus key (the subject key), and
  // the exact bytes its Merkle leaf hashes (which the relay publishes, so that a copy of
  // the bus can be checked against the tree).
  struct StoredEvent {
    uint64_t sequence = 0;
    std::string key;
    std::string bytes;
    std::string key_id;  // the data key it is sealed under
  };

  // A data key's record waiting to be published on the keys topic (serialized
  // DataKeyRecord): every key the store makes waits there from the write that makes it,
  // and the relay publishes the keys waiting before the events.
  struct StoredKey {
    std::string key_id;
    std::string record;
  };
  // Up to `max` keys waiting. Thread-safe.
  absl::StatusOr<std::vector<StoredKey>> PendingKeys(size_t max);
  // Key `key_id` when it waits; nullopt when it does not. Thread-safe.
  absl::StatusOr<std::optional<StoredKey>> PendingKey(const std::string& key_id);
  // They are on the bus. Not synced: should a crash undo it, they are published again.
  absl::Status MarkKeysPublished(const std::vector<std::string>& key_ids);

  // The data key of `basis` (a subject key, or another reference) for records `agency`
  // makes other than its events: the access records of reads (common/access/access_log.h).
  // The same key its events about that subject are sealed under; made (durably, and
  // waiting to be published) when there is none. kNotFound when it was destroyed.
  // Thread-safe.
  struct HeldDataKey {
    std::string key_id;
    std::string key;
    // When this call made it: its record (serialized DataKeyRecord), for the caller to
    // publish with what it seals (it waits for the relay too).
    std::string new_record;
  };
  absl::StatusOr<HeldDataKey> KeyFor(safeguard::v1::Agency agency, const std::string& basis);

  // Up to `max` committed events not yet marked published, in log order, read from the
  // first one not yet published. Stops before an event that is altered, out of place or
  // missing: kDataLoss when that is the first. Thread-safe.
  absl::StatusOr<std::vector<StoredEvent>> PendingOutbox(size_t max);

  // How many committed events wait in the outbox. Thread-safe.
  uint64_t OutboxPending() const;

  // Removes the outbox entries of the first `sequences` pending, which must be the
  // oldest (the relay publishes in log order). Not synced: should a crash undo it, the
  // events are published again, which consumers dedupe. Thread-safe with the writer; one
  // caller at a time.
  absl::Status MarkPublished(const std::vector<uint64_t>& sequences);

  // Counters since open: how many events were written and in how many synced writes.
  // Their ratio is the group-commit factor. Thread-safe.
  struct Stats {
    uint64_t events_written = 0;
    uint64_t synced_writes = 0;
  };
  Stats stats() const { return Stats{events_written_.load(), synced_writes_.load()}; }

  // --- The log as a Merkle tree (RFC 6962) ---
  // kOutOfRange when a size or sequence is beyond LastSequence(). Thread-safe.

  // The root hash of the log's first `size` events.
  absl::StatusOr<std::string> RootHash(uint64_t size);
  // The leaf hash of event `sequence` (1-based): SHA-256(0x00 || its stored bytes).
  absl::StatusOr<std::string> LeafHash(uint64_t sequence);
  // The audit path of event `sequence` in the tree of the first `size` events.
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t sequence, uint64_t size);
  // That the tree of the first `size2` events extends that of the first `size1`.
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t size1, uint64_t size2);
  // The stored bytes of event `sequence`, exactly as hashed.
  absl::StatusOr<std::string> EventBytes(uint64_t sequence);

  // Signed checkpoints of this log (common/audit/checkpoint.h), kept with it (synced).
  absl::Status StoreCheckpoint(const safeguard::v1::SignedCheckpoint& checkpoint);
  // The checkpoint of `size` (0: the latest); nullopt when there is none.
  absl::StatusOr<std::optional<safeguard::v1::SignedCheckpoint>> Checkpoint(uint64_t size);
  // Up to `max` checkpoints of sizes above `after_size`, smallest first.
  absl::StatusOr<std::vector<safeguard::v1::SignedCheckpoint>> Checkpoints(uint64_t after_size, size_t max);

  // Takes back events the bus holds and the store does not: after a restore from a
  // backup, the events the service published between the backup and the loss of its
  // disk. `published` are their stored bytes exactly as the relay published them (so
  // their Merkle leaves, and the roots already signed, are unchanged), continuing the
  // log: the first's sequence must be LastSequence() + 1 and each the next, each
  // continuing its stream, and each passing the agency's rules (the folder). They are
  // written with their command ids, so that a client sending a command again gets its
  // original result; as published when the outbox is empty, else queued behind what it
  // holds (published again, which consumers skip). Returns how many were taken;
  // kFailedPrecondition naming the first that does not continue the log or its stream,
  // and then nothing is written. Call before the store serves any append.
  absl::StatusOr<uint64_t> Adopt(const std::vector<std::string>& published);

  // `listener` runs on the writer thread after every commit that wrote events (the outbox
  // relay uses it to wake). Set once, before appends begin.
  void SetCommitListener(std::function<void()> listener);

  // --- Integrity ---

  // What a scrub found: how far it got and the first problem, if any.
  struct ScrubReport {
    uint64_t events = 0;                // events checked, from sequence 1
    uint64_t last_sequence = 0;         // the store's own count of its events
    uint64_t checkpoints_verified = 0;  // signed roots the store's events reproduce
    uint64_t verified_size = 0;         // the largest of them: events after it are not yet signed
    std::optional<uint64_t> first_bad_sequence;
    std::string problem;                // empty when every check passed
    bool ok() const { return problem.empty(); }
  };
  // Checks every event of the store in order: none missing or out of place (each holds
  // its own sequence, and its stream's index points at it), each matching its Merkle leaf
  // and every Merkle node recomputed from the events equal to the stored one, and the root
  // of each checkpoint's size equal to its signed root. `signed_by`, when given, checks
  // each checkpoint's signature too (common/audit/checkpoint.h's VerifyCheckpoint with
  // the log's public key); a refusal is the problem. Stops at the first problem, naming
  // it. Holds one event at a time. Thread-safe; appends go on meanwhile, and the scrub
  // covers the events committed when it began. `stopping`, asked every 10,000 events,
  // ends it early with kCancelled.
  using CheckpointCheck = std::function<absl::Status(const safeguard::v1::SignedCheckpoint&)>;
  absl::StatusOr<ScrubReport> Scrub(const CheckpointCheck& signed_by = nullptr,
                                    const std::function<bool()>& stopping = nullptr);
  // The same over the store at `path`, opened read-only: a stopped store, or a live one as
  // it stands at this moment. kNotFound when there is no store there.
  static absl::StatusOr<ScrubReport> ScrubAt(const std::string& path, const CheckpointCheck& signed_by = nullptr);

  // Reads that found an event altered, out of place or missing since open, and the first
  // such problem (empty when none). Thread-safe.
  uint64_t data_loss_detected() const { return data_loss_detected_.load(); }
  std::string first_data_loss() const;

  // Data keys held wrapped under a KEK the vault no longer holds (retired before they were
  // re-wrapped): what they seal cannot be read. 0 once every key is re-wrapped, which each
  // open does for keys wrapped under an older KEK the vault still holds. Thread-safe.
  uint64_t keys_under_retired_keks() const { return keys_under_retired_keks_.load(); }
  // Queues, to be published again, the record of each of `key_ids` that says it was
  // destroyed: an older record of it was published after the destruction (AccessLog), and
  // on the compacted keys topic the later replaces the earlier. Failures are logged (the
  // key stays destroyed in the store, and at mappa-service, whatever the topic says).
  // Thread-safe; does not wait for the disk's sync.
  void RepublishIfDestroyed(const std::vector<std::string>& key_ids);
  // Data keys whose latest record (made, re-wrapped or destroyed) is not yet on the bus.
  absl::StatusOr<uint64_t> KeysAwaitingPublication();

 private:
  // The flush and compaction a destroyed key's record and state are still waiting for, if
  // any (noted in the write that destroyed it).
  absl::Status CompactAway(const std::string& key_id);
  // The key ranges holding the state of every stream sealed under `key_id`.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> StateRangesUnder(const std::string& key_id);
  struct Pending {
    AppendCommand command;
    AppendDone done;
  };

  EventStore(Options options, std::unique_ptr<rocksdb::DB> db, uint64_t last_sequence, uint64_t outbox_start,
             merkle::TreeBuilder tree);
  // Rebuilds every stream's state from the log when it was folded otherwise (or never).
  absl::Status RefoldStreamState();
  // StreamVersion of a stream by its stored name (StoredStreamId).
  absl::StatusOr<uint64_t> StoredStreamVersion(const std::string& stored_stream);
  // Re-wraps, and queues to publish again, every data key an older KEK wraps (the vault
  // gained a newer one): an open's work, after which the older KEK can be retired.
  absl::Status RewrapKeys();

  // Stored Merkle nodes, read for roots and proofs.
  merkle::NodeSource Nodes();

  void WriterLoop();
  void CommitGroup(std::vector<Pending>& group);
  // kDataLoss (logged and counted) unless `bytes`, read as event `sequence`, match its
  // Merkle leaf and parse to an event of that sequence (and, when given, of `stream` at
  // `version`); the parsed event otherwise.
  absl::StatusOr<safeguard::v1::EventEnvelope> Verified(uint64_t sequence, absl::string_view bytes,
                                                        const std::string* stream = nullptr, uint64_t version = 0);
  // Opens `event` (verified) under its data key: held in the ring, or unwrapped from the
  // store's record. A destroyed key leaves it sealed; kDataLoss when it does not open.
  absl::Status OpenStored(safeguard::v1::EventEnvelope* event);
  // The data key `key_id` as the ring holds it or the store records it; nullopt when the
  // store has no record; kNotFound when the key was destroyed.
  absl::StatusOr<std::optional<std::string>> HeldKey(const std::string& key_id);
  // kDataLoss, logged and counted, for `problem` with event `sequence` (or `what`, e.g.
  // "version 3 of stream police/pnc:...").
  absl::Status DataLoss(uint64_t sequence, const std::string& problem);
  absl::Status DataLoss(const std::string& what, const std::string& problem);

  const Options options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<void> resumed_;  // StorageHealth resumes db_ after a fault; released first

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_

  // Writer-thread state.
  std::atomic<uint64_t> last_sequence_;
  std::atomic<uint64_t> outbox_start_;  // the first sequence not yet published
  std::atomic<uint64_t> events_written_{0};
  std::atomic<uint64_t> synced_writes_{0};
  std::function<void()> commit_listener_;
  merkle::TreeBuilder tree_;  // the Merkle tree's frontier at last_sequence_

  std::mutex key_mu_;  // held while a data key is made: one key per id, ever
  std::unique_ptr<StateCipher> state_cipher_;  // set by Open, before the writer starts

  std::atomic<uint64_t> data_loss_detected_{0};
  std::atomic<uint64_t> keys_under_retired_keks_{0};
  mutable std::mutex data_loss_mu_;
  std::string first_data_loss_;  // guarded by data_loss_mu_

  std::thread writer_;
};

}  // namespace safeguard
