#include "common/audit/checkpointer.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status_macros.h"

namespace safeguard::audit {

Checkpointer::Checkpointer(EventStore* store, const SigningKey* key, Options options)
    : store_(store), key_(key), options_(std::move(options)) {}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Checkpointer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (auto last = CheckpointNow(); !last.ok()) {
    logging::Warning(absl::StrCat(options_.origin, ": final checkpoint failed: ", last.status().ToString()));
  }
}

void Checkpointer::Loop() {
  for (;;) {
    if (auto c = CheckpointNow(); !c.ok()) {
      logging::Warning(absl::StrCat(options_.origin, ": checkpoint failed (retried next interval): ", c.status().ToString()));
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.interval), [this] { return stopping_; })) return;
  }
}

absl::StatusOr<safeguard::v1::SignedCheckpoint> Checkpointer::CheckpointNow() {
  std::lock_guard<std::mutex> lock(sign_mu_);
  const uint64_t size = store_->LastSequence();
  ASSIGN_OR_RETURN(std::optional<safeguard::v1::SignedCheckpoint> latest, store_->Checkpoint(0));
  if (latest.has_value() && latest->size() >= size) return *latest;
  ASSIGN_OR_RETURN(std::string root, store_->RootHash(size));
  ASSIGN_OR_RETURN(safeguard::v1::SignedCheckpoint c,
                   SignCheckpoint(*key_, options_.origin, size, root, options_.clock()));
  RETURN_IF_ERROR(store_->StoreCheckpoint(c));
  return c;
}

}  // namespace safeguard::audit
