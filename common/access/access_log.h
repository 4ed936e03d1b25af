// The record of processing (Data Protection Act 2018 s.62): every consultation and
// disclosure of personal data, written to the audit topic, durably, before anything is
// given. One AccessRecord per subject consulted; one publish per read, so that a read's
// records are durable together or not at all. Concurrent reads share the bus's durable
// writes (common/bus/event_bus.h), and no thread waits for them: the caller is told
// through a callback. Thread-safe.
#pragma once

#include "common/validation.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/bus/event_bus.h"
#include "common/crypto/key_vault.h"
#include "common/store/event_store.h"
#include "common/grpc/caller.h"
#include "common/time_util.h"
#include "safeguard/v1/common.pb.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard {

// What one read consulted of one view: the subjects whose data the answer holds, and,
// for a disclosure or a screening check, what was given to whom.
struct Consultation {
  std::string view;                   // e.g. "mappa.RiskView"
  std::vector<std::string> subjects;  // subject keys ("pnc:...", "disclosure:...")
  // A disclosure: who received information, the words given, the event recording it.
  std::vector<std::string> recipients;
  std::string disclosed;
  std::string event_id;
  // A screening check: the identifier asked about and the platform's reference; a check
  // that matched nobody is recorded once, under `query`, with no subject.
  std::string query;
  std::string query_ref;
  bool disclosed_match = false;
};

class AccessLog {
 public:
  using Done = std::function<void(absl::Status)>;

  // How a service seals its records' personal fields (common/crypto/sealing.h): the vault
  // names subjects by pseudonym, and `key_for` gives the data key of a subject key (the
  // recording service's store's: EventStore::KeyFor), made when there is none.
  struct Sealing {
    const crypto::KeyVault* vault = nullptr;
    std::function<absl::StatusOr<EventStore::HeldDataKey>(const std::string& basis)> key_for;
    // Where a key made for a record is published, in the same publish as the record (so
    // the record is never on the bus without its key).
    std::string keys_topic;
    // Called once a publish that carried keys made for its records is acknowledged, with
    // their ids. A key destroyed meanwhile (an erasure racing the read) was published
    // destroyed before this older record of it; on a compacted topic the later replaces the
    // earlier, so the destruction must be published again (EventStore::RepublishIfDestroyed).
    std::function<void(const std::vector<std::string>& key_ids)> keys_published;
  };

  // Records go to `audit_topic` on `bus`, which must outlive this object; sealed, with
  // `sealing` (every service's), or not (an auditor's rebuilt view, recorded on a scratch
  // bus of its own).
  AccessLog(EventBus* bus, std::string audit_topic, Clock clock = SystemClock(),
            std::optional<Sealing> sealing = std::nullopt);

  // Records that `call` consulted each of `consultations` for `purpose`. `done` runs once
  // every record is durable (OK), or with kUnavailable when they could not be written:
  // then the caller gives nothing. `done` runs on the bus's thread and must not block.
  void Record(const CallContext& call, const safeguard::v1::Purpose& purpose,
              std::vector<Consultation> consultations, Done done);

  // The blocking form, for callers on a thread that may wait (tools, tests).
  absl::Status RecordNow(const CallContext& call, const safeguard::v1::Purpose& purpose,
                         std::vector<Consultation> consultations);

  absl::Time Now() const { return clock_(); }

 private:
  EventBus* const bus_;
  const std::string audit_topic_;
  const Clock clock_;
  const std::optional<Sealing> sealing_;
};

// kInvalidArgument naming purpose.code or purpose.detail (or both) unless both are given.
absl::Status CheckPurpose(const safeguard::v1::Purpose& purpose);
// The same, adding what is wrong to the request's other problems.
void CheckPurpose(const safeguard::v1::Purpose& purpose, validation::Violations* problems);

// An answer, and what giving it consults: the answer is given only once the consultation
// is recorded. `answer` may be an error that is recorded all the same (a look-up of a
// subject that is not held is a consultation too).
template <typename Response>
struct RecordedAnswer {
  absl::StatusOr<Response> answer;
  safeguard::v1::Purpose purpose;
  std::vector<Consultation> consulted;  // nothing to record when empty
};

// Records `recorded`'s consultations on `log`, then runs `done` with its answer (or with
// kUnavailable if the record could not be written).
template <typename Response>
void GiveWhenRecorded(AccessLog& log, const CallContext& call, RecordedAnswer<Response> recorded,
                      std::function<void(absl::StatusOr<Response>)> done) {
  bool any = false;
  for (const Consultation& c : recorded.consulted) any = any || !c.subjects.empty() || !c.query.empty();
  if (!any) return done(std::move(recorded.answer));
  auto answer = std::make_shared<absl::StatusOr<Response>>(std::move(recorded.answer));
  log.Record(call, recorded.purpose, std::move(recorded.consulted),
             [answer, done = std::move(done)](absl::Status st) {
               if (!st.ok()) return done(std::move(st));
               done(std::move(*answer));
             });
}

// The same for an answer that may not exist: a request refused before anything was read
// (a malformed field) is given as it is, and nothing is recorded.
template <typename Response>
void GiveWhenRecorded(AccessLog& log, const CallContext& call, absl::StatusOr<RecordedAnswer<Response>> recorded,
                      std::function<void(absl::StatusOr<Response>)> done) {
  if (!recorded.ok()) return done(recorded.status());
  GiveWhenRecorded(log, call, std::move(*recorded), std::move(done));
}

}  // namespace safeguard
