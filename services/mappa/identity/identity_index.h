// The identity index: which agency records are one person (the rules are in identity.h
// and docs/identity.md).
//
// Every reference an event carries is indexed with the records that carried it, and the
// earliest such event of each: two records sharing a reference are linked automatically.
// Every name, date of birth, postcode and national identifier a record's facts give is
// kept as its profile; each record is filed under its profile's blocking keys, and when
// its profile changes it is scored against the records that share a key with it, or a
// link (identity/match.h): a score high enough proposes a candidate link, with its
// reasons. A MAPPA user's decision on a link overrides its evidence. A person is a set of
// records joined by links that hold; its key is the best of their keys, and the membership
// of each record of a person of several is stored, so that a read finds a record's person
// with one look-up, not a walk over links.
//
// A correction of a record's fact (a retraction, an amended subject) re-derives what the
// record carries and its profile from its facts as corrected: a reference or a name only
// a retracted fact gave stops being evidence, and the links it made go.
//
// Per event the work is bounded: one look-up per reference it carries, and nothing
// written unless it is new evidence (the usual case: the record already carried it); a
// record whose profile changes is compared only with its blocks' members. Links, and the
// persons they join, change only when evidence or a decision does; a link with no
// evidence and no decision left is deleted, so the state depends only on the events.
#pragma once

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "services/mappa/identity/identity.h"
#include "services/mappa/state/state_reader.h"
#include "services/mappa/state/transaction.h"

namespace safeguard::mappa {

// A person: the records linked into one, best key first; `key` is the first.
struct Person {
  std::string key;
  std::vector<std::string> records;
  bool operator==(const Person& o) const { return records == o.records; }
};

// How a batch changed who is who.
struct Reshaped {
  std::vector<Person> persons;    // persons whose records changed, as they are now
  std::vector<std::string> gone;  // person keys that are no longer any person's
};

// Applies a batch's evidence and decisions, in its transaction. Not thread-safe.
class IdentityFolder {
 public:
  // Works in `txn`, which must outlive the folder.
  explicit IdentityFolder(Transaction* txn) : txn_(txn) {}

  // Indexes what `e`, an event filed under `record`, carries: its references (evidence of
  // links), what the record is known by, and its profile. A correction has the record's
  // identity re-derived from its facts as corrected (at Flush).
  absl::Status Index(const std::string& record, const safeguard::v1::EventEnvelope& e);

  // Applies a MAPPA user's decision on a link (recorded by `e`). A decision that names
  // its link inconsistently with its records is reported and ignored.
  absl::Status Decide(const safeguard::v1::EventEnvelope& e, const IdentityDecision& decision);

  // Erasure (ingest/erasure.h): some of `record`'s events were taken out of it this batch.
  // What it carries and its profile are derived again from those left (at Flush), as for
  // a correction; a record with none left is forgotten: it carries nothing, is in no
  // block, and nothing of it is kept but a link a MAPPA user decided.
  absl::Status Rederive(const std::string& record);

  // The person `record` belongs to, as the batch began (Flush says how that changed).
  absl::StatusOr<Person> PersonOf(const std::string& record);

  // Re-derives what corrected records carry, scores every record whose profile changed
  // against its blocks' members and its links, writes what changed, brings the membership
  // of every record whose links changed up to date, and says which persons that reshaped.
  absl::StatusOr<Reshaped> Flush();

 private:
  struct CachedEntry {
    safeguard::v1::IndexEntry entry;
    bool dirty = false;
  };
  struct CachedLink {
    safeguard::v1::IdentityLink link;
    bool dirty = false;
    bool is_new = false;
  };
  struct CachedIdentity {
    safeguard::v1::RecordIdentityState state;
    bool dirty = false;
    bool refold = false;   // an event came earlier in recorded order than what is merged
    bool reindex = false;  // a fact was corrected: re-derive what it carries and its profile
    bool rescore = false;  // its profile changed: compare it again
  };

  absl::StatusOr<CachedEntry*> Entry(const std::string& key);
  // What `record` is known by, as this batch has it so far.
  absl::StatusOr<CachedIdentity*> Identity(const std::string& record);
  absl::StatusOr<CachedLink*> Link(const std::string& a, const std::string& b);
  // Notes that `record`'s event (recorded-order key `order`) carries the index entry
  // `key`; `note` records the evidence on each link to another record carrying it.
  using Note = std::function<void(safeguard::v1::IdentityLink* link, const safeguard::v1::IndexHolder& a,
                                  const safeguard::v1::IndexHolder& b)>;
  absl::Status Carry(const std::string& key, const std::string& record, const std::string& order,
                     const safeguard::v1::EventEnvelope& e, const Note& note);
  // Removes `record` from the holders of index entry `key`, and the evidence the entry
  // gave its links (a reference only a retracted fact carried).
  absl::Status Uncarry(const std::string& key, const std::string& record);
  // The members of blocking key `key`, as this batch has them so far.
  absl::StatusOr<safeguard::v1::BlockMembers*> Block(const std::string& key);
  // Re-derives what `record` carries and its profile from its facts as corrected.
  absl::Status Reindex(const std::string& record, CachedIdentity* identity);
  // Files `record` under its profile's blocking keys (out of those `before` gave and it no
  // longer does) and scores it against every record it shares a block or a link with.
  absl::Status Rescore(const std::string& record, const safeguard::v1::IdentityProfile& before);
  // Sets `link`'s comparison to `score`, and whether it proposes the link.
  void SetScore(CachedLink* link, const safeguard::v1::MatchScore& score);
  // Scores the link between `a` and `b` (a < b) on the records' profiles as they stand.
  absl::Status ScoreLink(const std::string& a, const std::string& b);
  // Marks `link`'s records for a new membership if whether it holds changed.
  void Changed(const safeguard::v1::IdentityLink& before, const safeguard::v1::IdentityLink& after);
  // Merges what `e` says of its subject into what `record` is known by, in recorded order.
  absl::Status Remember(const std::string& record, const safeguard::v1::EventEnvelope& e, const std::string& order);

  Transaction* const txn_;
  std::unordered_map<std::string, CachedEntry> entries_;
  std::map<std::string, CachedLink> links_;  // by link id
  std::unordered_map<std::string, safeguard::v1::BlockMembers> blocks_;  // changed, by key
  std::map<std::string, safeguard::v1::IdentityProfile> profiled_;  // records rescored: profile before
  std::unordered_map<std::string, CachedIdentity> identities_;
  std::unordered_map<std::string, Person> persons_;  // as the batch began
  std::set<std::string> reshape_;                    // records whose membership may change
  // Links a shared reference made or unmade this batch: scored at Flush, so that a link
  // has its comparison whichever of its records' events came first.
  std::set<std::pair<std::string, std::string>> unscored_;
};

// --- Reads, of a snapshot (or a transaction) ---

// The record a reference belongs to: the record filed under that very key, else the best
// record whose events carried it; nullopt when none did.
absl::StatusOr<std::optional<std::string>> ResolveReference(const StateReader& state, const std::string& reference);

// The person `record` belongs to (just the record, when it is linked to none).
absl::StatusOr<Person> PersonOf(const StateReader& state, const std::string& record);

// The person of the record `reference` belongs to (ResolveReference, then PersonOf);
// nullopt when no record is known by it.
absl::StatusOr<std::optional<Person>> FindPerson(const StateReader& state, const std::string& reference);

// One link with its status as it holds now; nullopt when nothing has mentioned it.
absl::StatusOr<std::optional<safeguard::v1::IdentityLink>> GetLink(const StateReader& state, const std::string& link_id);

// Every link touching any of `records`, by link id, each with its status as it holds now.
absl::StatusOr<std::vector<safeguard::v1::IdentityLink>> LinksOf(const StateReader& state,
                                                                const std::vector<std::string>& records);

// What one record is known by: its identity and references, merged from its events.
absl::StatusOr<std::optional<safeguard::v1::IdentityRecord>> RecordIdentityOf(const StateReader& state,
                                                                             const std::string& record);

// Up to `max` records after `after` (empty: from the start), in key order, under which
// any fact was filed.
absl::StatusOr<std::vector<std::string>> RecordsWithFacts(const StateReader& state, const std::string& after,
                                                          size_t max);

// Whether any fact was filed under `record`.
absl::StatusOr<bool> HasFacts(const StateReader& state, const std::string& record);

// A record compared with a profile searched for.
struct ScoredRecord {
  std::string record;
  safeguard::v1::MatchScore score;
};

// The records that compare with `profile` as records are compared with each other (its
// blocking keys' members, scored: identity/match.h), those scoring at least `min_weight`
// and not ruled out, best first.
absl::StatusOr<std::vector<ScoredRecord>> CompareWithRecords(const StateReader& state,
                                                             const safeguard::v1::IdentityProfile& profile,
                                                             double min_weight);

// Links with `status` (CANDIDATE: only those whose records are not already one person),
// by link id, up to `page_size` after `page_token`, each with its records' identities.
absl::StatusOr<safeguard::v1::ListIdentityLinksResponse> ListLinks(const StateReader& state,
                                                                  safeguard::v1::IdentityLinkStatus status,
                                                                  uint32_t page_size, const std::string& page_token);

}  // namespace safeguard::mappa
