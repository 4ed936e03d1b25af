#include "common/outbox/outbox_relay.h"

#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status_macros.h"

namespace safeguard {

OutboxRelay::OutboxRelay(EventStore* store, EventBus* bus, Options options)
    : store_(store), bus_(bus), options_(std::move(options)) {}

OutboxRelay::~OutboxRelay() { Stop(); }

absl::StatusOr<size_t> OutboxRelay::RelayOnce() {
  // The events waiting are read first, then the keys: a key is written in the same batch as
  // the first event sealed under it, so every key these events need is among the keys read
  // after them. The keys are published first: whoever reads an event can then open it.
  ASSIGN_OR_RETURN(std::vector<EventStore::StoredEvent> pending, store_->PendingOutbox(options_.batch_size));
  ASSIGN_OR_RETURN(std::vector<EventStore::StoredKey> keys, store_->PendingKeys(options_.batch_size));
  // However many keys wait (reads make some), those of these events go now.
  std::set<std::string> going;
  for (const auto& k : keys) going.insert(k.key_id);
  for (const auto& e : pending) {
    if (e.key_id.empty() || !going.insert(e.key_id).second) continue;
    ASSIGN_OR_RETURN(std::optional<EventStore::StoredKey> waiting, store_->PendingKey(e.key_id));
    if (waiting.has_value()) keys.push_back(*std::move(waiting));
  }
  if (!keys.empty()) {
    std::vector<BusMessage> messages;
    std::vector<std::string> ids;
    for (auto& k : keys) {
      ids.push_back(k.key_id);
      // A destroyed key's record replaces the one that carried the key: that one must go
      // from the bus's files too.
      safeguard::v1::DataKeyRecord record;
      const bool destroyed = record.ParseFromString(k.record) && record.has_destroyed();
      messages.push_back(BusMessage{options_.keys_topic, std::move(k.key_id), std::move(k.record), destroyed});
    }
    RETURN_IF_ERROR(bus_->Publish(std::move(messages)));
    RETURN_IF_ERROR(store_->MarkKeysPublished(ids));
  }
  if (pending.empty()) return keys.size() == options_.batch_size ? options_.batch_size : 0;
  std::vector<BusMessage> messages;
  std::vector<uint64_t> sequences;
  messages.reserve(pending.size());
  sequences.reserve(pending.size());
  // The stored bytes, exactly: the bus carries what the Merkle tree hashes.
  for (auto& stored : pending) {
    messages.push_back(BusMessage{options_.topic, std::move(stored.key), std::move(stored.bytes)});
    sequences.push_back(stored.sequence);
  }
  RETURN_IF_ERROR(bus_->Publish(std::move(messages)));
  RETURN_IF_ERROR(store_->MarkPublished(sequences));
  published_ += pending.size();
  return pending.size();
}

void OutboxRelay::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void OutboxRelay::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutboxRelay::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

void OutboxRelay::Loop() {
  absl::Duration backoff = absl::Milliseconds(50);
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      notified_ = false;
    }
    absl::StatusOr<size_t> n = RelayOnce();
    absl::Duration wait;
    if (!n.ok()) {
      logging::Warning(absl::StrCat("outbox relay (", options_.topic, "): ", n.status().ToString(), "; retrying in ",
                                    absl::FormatDuration(backoff)));
      wait = backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
    } else {
      backoff = absl::Milliseconds(50);
      if (*n == options_.batch_size) continue;  // more may be pending
      wait = options_.idle_poll;
    }
    std::unique_lock<std::mutex> lock(mu_);
    // After an error, only the backoff (or stop) ends the wait; a commit does not.
    const bool after_error = !n.ok();
    cv_.wait_for(lock, absl::ToChronoNanoseconds(wait),
                 [&] { return stopping_ || (!after_error && notified_); });
  }
}

}  // namespace safeguard
