#include "services/mappa/identity/identity_index.h"

#include <algorithm>
#include <iostream>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/keys.h"
#include "common/logging.h"
#include "common/provenance.h"
#include "common/status_macros.h"
#include "services/mappa/projection/record_events.h"
#include "services/mappa/projection/recorded_order.h"
#include "services/mappa/projection/risk_projection.h"
#include "services/mappa/identity/match.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;
using v1::IdentityLink;
using v1::IndexHolder;

std::string ReferenceKey(const std::string& reference) { return prefix::kReference + reference; }
std::string BlockKey(const std::string& key) { return prefix::kBlock + key; }
std::string LinkKey(const std::string& link_id) { return prefix::kLink + link_id; }
std::string RecordLinks(const std::string& record) { return NamedPrefix(prefix::kRecordLink, record); }
std::string StatusPrefix(v1::IdentityLinkStatus status) {
  return absl::StrCat(prefix::kLinkStatus, std::string(1, static_cast<char>('0' + status)));
}
std::string PersonKey(const std::string& record) { return prefix::kPerson + record; }
std::string IdentityKey(const std::string& record) { return prefix::kRecordIdentity + record; }

Person Alone(const std::string& record) { return Person{record, {record}}; }

absl::StatusOr<Person> StoredPerson(const StateReader& state, const std::string& record) {
  ASSIGN_OR_RETURN(std::optional<v1::PersonRecords> stored,
                   GetMessage<v1::PersonRecords>(state, PersonKey(record), "person"));
  if (!stored.has_value() || stored->records().empty()) return Alone(record);
  return Person{stored->records(0), {stored->records().begin(), stored->records().end()}};
}

// Which list a link appears in: its status, but a candidate only while its records are
// still two persons.
v1::IdentityLinkStatus Listed(const IdentityLink& link, bool one_person) {
  const v1::IdentityLinkStatus status = EffectiveStatus(link);
  if (status == v1::CANDIDATE && one_person) return v1::IDENTITY_LINK_STATUS_UNSPECIFIED;
  return status;
}

bool Holds(const IdentityLink& link) { return EffectiveStatus(link) == v1::LINKED; }

// A link nothing holds up: no evidence, no decision. It is deleted.
bool Empty(const IdentityLink& link) {
  return !link.national_identifier_match() && !link.name_match() &&
         link.decision() == v1::IDENTITY_LINK_STATUS_UNSPECIFIED;
}

// A block's members beyond this are not compared: a key that many records share says
// nothing (no date of birth, nor family name sound and year, comes near it in practice).
constexpr int kMaxBlockMembers = 2000;

}  // namespace

namespace {

// The references `e`, filed under `record`, carries: the record's own key, and each its
// subject names.
std::vector<std::string> CarriedReferences(const std::string& record, const v1::EventEnvelope& e) {
  std::vector<std::string> references = {record};
  for (std::string& r : ReferencesOf(e.subject())) {
    if (std::find(references.begin(), references.end(), r) == references.end()) references.push_back(std::move(r));
  }
  return references;
}

// Notes on a link that its records share `reference`, with the earliest event of each.
auto SharedReferenceNote(const std::string& reference) {
  return [reference](IdentityLink* link, const IndexHolder& a, const IndexHolder& b) {
    link->set_national_identifier_match(true);
    v1::SharedReference* entry = nullptr;
    for (auto& r : *link->mutable_shared_references()) {
      if (r.reference() == reference) entry = &r;
    }
    if (entry == nullptr) {
      entry = link->add_shared_references();
      entry->set_reference(reference);
    }
    *entry->mutable_record_a_event() = a.event();
    *entry->mutable_record_b_event() = b.event();
    std::sort(link->mutable_shared_references()->begin(), link->mutable_shared_references()->end(),
              [](const auto& x, const auto& y) { return x.reference() < y.reference(); });
  };
}

}  // namespace

absl::StatusOr<IdentityFolder::CachedEntry*> IdentityFolder::Entry(const std::string& key) {
  auto it = entries_.find(key);
  if (it != entries_.end()) return &it->second;
  ASSIGN_OR_RETURN(std::optional<v1::IndexEntry> stored, GetMessage<v1::IndexEntry>(*txn_, key, "identity index entry"));
  CachedEntry entry;
  if (stored.has_value()) entry.entry = std::move(*stored);
  return &entries_.emplace(key, std::move(entry)).first->second;
}

absl::StatusOr<IdentityFolder::CachedLink*> IdentityFolder::Link(const std::string& a, const std::string& b) {
  const std::string id = LinkIdFor(a, b);
  auto it = links_.find(id);
  if (it != links_.end()) return &it->second;
  ASSIGN_OR_RETURN(std::optional<IdentityLink> stored, GetMessage<IdentityLink>(*txn_, LinkKey(id), "identity link"));
  CachedLink link;
  if (stored.has_value()) {
    link.link = std::move(*stored);
  } else {
    link.link.set_link_id(id);
    link.link.set_record_a(std::min(a, b));
    link.link.set_record_b(std::max(a, b));
    link.is_new = true;
  }
  return &links_.emplace(id, std::move(link)).first->second;
}

absl::StatusOr<Person> IdentityFolder::PersonOf(const std::string& record) {
  auto it = persons_.find(record);
  if (it != persons_.end()) return it->second;
  ASSIGN_OR_RETURN(Person person, StoredPerson(*txn_, record));
  return persons_.emplace(record, std::move(person)).first->second;
}

void IdentityFolder::Changed(const IdentityLink& before, const IdentityLink& after) {
  if (Holds(before) == Holds(after)) return;
  reshape_.insert(after.record_a());
  reshape_.insert(after.record_b());
}

absl::Status IdentityFolder::Carry(const std::string& key, const std::string& record, const std::string& order,
                                   const v1::EventEnvelope& e, const Note& note) {
  ASSIGN_OR_RETURN(CachedIdentity * identity, Identity(record));
  auto& carried = *identity->state.mutable_carried();
  if (auto it = carried.find(key); it != carried.end() && it->second <= order) {
    return absl::OkStatus();  // the record already carried it, as early: the usual case
  }
  carried[key] = order;
  identity->dirty = true;
  ASSIGN_OR_RETURN(CachedEntry * cached, Entry(key));
  auto* holders = cached->entry.mutable_holders();
  auto pos = std::lower_bound(holders->begin(), holders->end(), record,
                              [](const IndexHolder& h, const std::string& r) { return h.record() < r; });
  if (pos != holders->end() && pos->record() == record && pos->order() <= order) {
    return absl::OkStatus();  // the record already carried it, as early: the usual case
  }
  int index = static_cast<int>(pos - holders->begin());
  if (pos == holders->end() || pos->record() != record) {
    // A new holder, kept in record order: added at the end, moved into its place.
    holders->Add()->set_record(record);
    for (int i = holders->size() - 1; i > index; --i) holders->SwapElements(i, i - 1);
  }
  IndexHolder* holder = holders->Mutable(index);
  holder->set_order(order);
  *holder->mutable_event() = ProvenanceOf(e);
  cached->dirty = true;
  const IndexHolder mine = *holder;
  for (const IndexHolder& other : cached->entry.holders()) {
    if (other.record() == record) continue;
    ASSIGN_OR_RETURN(CachedLink * link, Link(record, other.record()));
    const IdentityLink before = link->link;
    const bool mine_is_a = link->link.record_a() == record;
    note(&link->link, mine_is_a ? mine : other, mine_is_a ? other : mine);
    link->dirty = true;
    Changed(before, link->link);
    unscored_.emplace(link->link.record_a(), link->link.record_b());
  }
  return absl::OkStatus();
}

absl::StatusOr<IdentityFolder::CachedIdentity*> IdentityFolder::Identity(const std::string& record) {
  auto it = identities_.find(record);
  if (it == identities_.end()) {
    ASSIGN_OR_RETURN(std::optional<v1::RecordIdentityState> stored,
                     GetMessage<v1::RecordIdentityState>(*txn_, IdentityKey(record), "record identity"));
    CachedIdentity cached;
    if (stored.has_value()) {
      cached.state = std::move(*stored);
    } else {
      cached.state.mutable_record()->set_record_key(record);
    }
    it = identities_.emplace(record, std::move(cached)).first;
  }
  return &it->second;
}

absl::Status IdentityFolder::Remember(const std::string& record, const v1::EventEnvelope& e, const std::string& order) {
  ASSIGN_OR_RETURN(CachedIdentity * identity, Identity(record));
  CachedIdentity& cached = *identity;
  if (cached.refold) return absl::OkStatus();
  if (order < cached.state.folded_to()) {
    cached.refold = true;  // merged again from the record's events, in order, at Flush
    return absl::OkStatus();
  }
  MergeIdentity(e.subject(), cached.state.mutable_record()->mutable_identity(),
                cached.state.mutable_record()->mutable_references());
  cached.state.set_folded_to(order);
  cached.dirty = true;
  return absl::OkStatus();
}

absl::Status IdentityFolder::Index(const std::string& record, const v1::EventEnvelope& e) {
  if (e.has_fact_corrected()) {
    // What the record carries, its profile and what it is known by are derived again from
    // its facts as corrected; the correction's own header is not evidence of who it is.
    ASSIGN_OR_RETURN(CachedIdentity * identity, Identity(record));
    identity->reindex = true;
    identity->dirty = true;
    return absl::OkStatus();
  }
  const std::string order = RecordedOrderKey(e);
  // A reference another record's events carry too: the same person, linked at once.
  for (const std::string& reference : CarriedReferences(record, e)) {
    RETURN_IF_ERROR(Carry(ReferenceKey(reference), record, order, e, SharedReferenceNote(reference)));
  }
  // Names, dates of birth, addresses: scored against other records at Flush.
  ASSIGN_OR_RETURN(CachedIdentity * identity, Identity(record));
  const v1::IdentityProfile before = identity->state.profile();
  if (AddToProfile(e, identity->state.mutable_profile())) {
    profiled_.emplace(record, before);  // the first profile of the batch is kept
    identity->rescore = true;
    identity->dirty = true;
  }
  return Remember(record, e, order);
}

absl::Status IdentityFolder::Rederive(const std::string& record) {
  ASSIGN_OR_RETURN(CachedIdentity * identity, Identity(record));
  identity->reindex = true;
  identity->dirty = true;
  return absl::OkStatus();
}

absl::Status IdentityFolder::Decide(const v1::EventEnvelope& e, const IdentityDecision& d) {
  if (d.record_a.empty() || d.record_b.empty() || d.record_a == d.record_b ||
      d.link_id != LinkIdFor(d.record_a, d.record_b)) {
    logging::Warning(absl::StrCat("mappa: identity decision ", e.event_id(), " names link ", d.link_id,
                                  " inconsistently with its records; ignored"));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(CachedLink * link, Link(d.record_a, d.record_b));
  const IdentityLink before = link->link;
  link->link.set_decision(d.decision);
  link->link.set_decision_reason(d.reason);
  *link->link.mutable_decision_provenance() = ProvenanceOf(e);
  link->link.set_decisions(e.stream_version());
  link->dirty = true;
  Changed(before, link->link);
  return absl::OkStatus();
}

absl::Status IdentityFolder::Uncarry(const std::string& key, const std::string& record) {
  ASSIGN_OR_RETURN(CachedEntry * cached, Entry(key));
  auto* holders = cached->entry.mutable_holders();
  auto pos = std::find_if(holders->begin(), holders->end(), [&](const IndexHolder& h) { return h.record() == record; });
  if (pos == holders->end()) return absl::OkStatus();
  holders->erase(pos);
  cached->dirty = true;
  const std::string reference = key.substr(std::string_view(prefix::kReference).size());
  for (const IndexHolder& other : cached->entry.holders()) {
    ASSIGN_OR_RETURN(CachedLink * link, Link(record, other.record()));
    const IdentityLink before = link->link;
    auto* shared = link->link.mutable_shared_references();
    shared->erase(std::remove_if(shared->begin(), shared->end(),
                                 [&](const v1::SharedReference& r) { return r.reference() == reference; }),
                  shared->end());
    link->link.set_national_identifier_match(!shared->empty());
    link->dirty = true;
    Changed(before, link->link);
    unscored_.emplace(link->link.record_a(), link->link.record_b());
  }
  return absl::OkStatus();
}

absl::Status IdentityFolder::Reindex(const std::string& record, CachedIdentity* identity) {
  // The record's facts as corrected (this batch's are written by now), in recorded order.
  ASSIGN_OR_RETURN(const std::vector<v1::EventEnvelope> recorded, EventsOf(*txn_, {record}));
  const std::vector<v1::EventEnvelope> events = CorrectedEvents(recorded);
  std::map<std::string, std::pair<std::string, const v1::EventEnvelope*>> carries;  // key -> earliest
  // The record is known by its own key from its first event, whatever became of it: a
  // record all of whose facts were retracted still answers, with its corrections.
  if (!recorded.empty()) {
    carries.emplace(ReferenceKey(record), std::make_pair(RecordedOrderKey(recorded.front()), &recorded.front()));
  }
  v1::IdentityProfile profile;
  for (const v1::EventEnvelope& e : events) {
    for (const std::string& reference : CarriedReferences(record, e)) {
      carries.emplace(ReferenceKey(reference), std::make_pair(RecordedOrderKey(e), &e));
    }
    AddToProfile(e, &profile);
  }
  // What it carried and no longer does, or no longer as early, is taken away; then what
  // it carries is noted again from its earliest fact.
  auto* carried = identity->state.mutable_carried();
  std::vector<std::string> keys;
  for (const auto& [key, order] : *carried) keys.push_back(key);
  for (const std::string& key : keys) {
    auto now = carries.find(key);
    if (now != carries.end() && now->second.first == (*carried)[key]) continue;
    RETURN_IF_ERROR(Uncarry(key, record));
    carried->erase(key);
  }
  for (const auto& [key, earliest] : carries) {
    if (carried->contains(key)) continue;
    const std::string reference = key.substr(std::string_view(prefix::kReference).size());
    RETURN_IF_ERROR(Carry(key, record, earliest.first, *earliest.second, SharedReferenceNote(reference)));
  }
  if (!profiled_.contains(record)) profiled_.emplace(record, identity->state.profile());
  *identity->state.mutable_profile() = std::move(profile);
  identity->refold = true;
  identity->rescore = true;
  identity->dirty = true;
  return absl::OkStatus();
}

absl::StatusOr<v1::BlockMembers*> IdentityFolder::Block(const std::string& key) {
  auto it = blocks_.find(key);
  if (it == blocks_.end()) {
    ASSIGN_OR_RETURN(std::optional<v1::BlockMembers> stored,
                     GetMessage<v1::BlockMembers>(*txn_, BlockKey(key), "identity block"));
    it = blocks_.emplace(key, stored.value_or(v1::BlockMembers())).first;
  }
  return &it->second;
}

absl::Status IdentityFolder::Rescore(const std::string& record, const v1::IdentityProfile& before) {
  ASSIGN_OR_RETURN(CachedIdentity * identity, Identity(record));
  const v1::IdentityProfile profile = identity->state.profile();
  const std::vector<std::string> keys = BlockingKeys(profile);
  std::set<std::string> others;
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(v1::BlockMembers * block, Block(key));
    auto* members = block->mutable_records();
    auto pos = std::lower_bound(members->begin(), members->end(), record);
    if (pos == members->end() || *pos != record) {
      if (members->size() >= kMaxBlockMembers) {
        // Full: the record is not compared within it (its other blocks still serve). Which
        // records a full block holds depends on which came first: said, not hidden.
        // The key is made of names and dates: the log names it by a digest, never itself.
        logging::Warning(absl::StrCat("mappa: an identity block is full (", kMaxBlockMembers, " records); record ", record,
                                      " is not compared within it"),
                         {{"block_sha256", ToHex(Sha256(key)).substr(0, 16)}});
        continue;
      }
      const int index = static_cast<int>(pos - members->begin());
      members->Add(std::string(record));
      for (int i = members->size() - 1; i > index; --i) members->SwapElements(i, i - 1);
    }
    for (const std::string& other : *members) {
      if (other != record) others.insert(other);
    }
  }
  // Blocks its profile no longer gives (a corrected fact took a date of birth away).
  for (const std::string& key : BlockingKeys(before)) {
    if (std::binary_search(keys.begin(), keys.end(), key)) continue;
    ASSIGN_OR_RETURN(v1::BlockMembers * block, Block(key));
    auto* members = block->mutable_records();
    members->erase(std::remove(members->begin(), members->end(), record), members->end());
  }
  // Every record it has a link with is scored again too: a link proposed on what the
  // record no longer shows must stop being proposed.
  const std::string p = RecordLinks(record);
  std::vector<std::string> stored_links;
  RETURN_IF_ERROR(txn_->Scan(p, "", [&](std::string_view key, std::string_view) {
    std::string id(key.substr(p.size()));
    if (!links_.contains(id)) stored_links.push_back(std::move(id));  // cached ones: below
    return true;
  }));
  for (const std::string& id : stored_links) {
    ASSIGN_OR_RETURN(std::optional<IdentityLink> link, GetMessage<IdentityLink>(*txn_, LinkKey(id), "identity link"));
    if (link.has_value()) others.insert(link->record_a() == record ? link->record_b() : link->record_a());
  }
  for (const auto& [id, cached] : links_) {
    if (cached.link.record_a() == record) others.insert(cached.link.record_b());
    if (cached.link.record_b() == record) others.insert(cached.link.record_a());
  }
  for (const std::string& other : others) {
    ASSIGN_OR_RETURN(CachedIdentity * theirs, Identity(other));
    const std::string a = std::min(record, other), b = std::max(record, other);
    // Scored in the link's own order, so that either record's rescoring gives the same.
    const v1::MatchScore score = a == record ? Score(profile, theirs->state.profile())
                                             : Score(theirs->state.profile(), profile);
    const std::string id = LinkIdFor(a, b);
    bool exists = links_.contains(id);
    if (!exists) {
      ASSIGN_OR_RETURN(const std::optional<std::string> bytes, txn_->Get(LinkKey(id)));
      exists = bytes.has_value();
    }
    if (!exists && !Proposes(score)) continue;  // nothing to note: no link, none proposed
    ASSIGN_OR_RETURN(CachedLink * link, Link(a, b));
    SetScore(link, score);
    unscored_.erase({a, b});
  }
  return absl::OkStatus();
}

void IdentityFolder::SetScore(CachedLink* link, const v1::MatchScore& score) {
  const IdentityLink before = link->link;
  *link->link.mutable_match() = score;
  link->link.set_name_match(Proposes(score));
  link->link.clear_shared_names();
  link->dirty = true;
  Changed(before, link->link);
}

absl::Status IdentityFolder::ScoreLink(const std::string& a, const std::string& b) {
  ASSIGN_OR_RETURN(CachedIdentity * x, Identity(a));
  ASSIGN_OR_RETURN(CachedIdentity * y, Identity(b));
  const v1::MatchScore score = Score(x->state.profile(), y->state.profile());
  ASSIGN_OR_RETURN(CachedLink * link, Link(a, b));
  SetScore(link, score);
  return absl::OkStatus();
}

absl::StatusOr<Reshaped> IdentityFolder::Flush() {
  // Corrected records first (what they carry, and their profiles), then every record
  // whose profile changed is scored: both before anything is written.
  std::vector<std::string> corrected;
  for (auto& [record, cached] : identities_) {
    if (cached.reindex) corrected.push_back(record);
  }
  for (const std::string& record : corrected) RETURN_IF_ERROR(Reindex(record, &identities_[record]));
  std::vector<std::string> changed;
  for (auto& [record, cached] : identities_) {
    if (cached.rescore) changed.push_back(record);
  }
  std::sort(changed.begin(), changed.end());
  for (const std::string& record : changed) {
    auto before = profiled_.find(record);
    RETURN_IF_ERROR(Rescore(record, before == profiled_.end() ? v1::IdentityProfile() : before->second));
    identities_[record].rescore = false;
  }
  for (const auto& [a, b] : unscored_) RETURN_IF_ERROR(ScoreLink(a, b));
  unscored_.clear();
  // An entry or a block no record holds any more goes: the state depends only on the events.
  for (auto& [key, members] : blocks_) {
    if (members.records_size() == 0) {
      txn_->Delete(BlockKey(key));
    } else {
      txn_->Put(BlockKey(key), members.SerializeAsString());
    }
  }

  for (auto& [key, cached] : entries_) {
    if (!cached.dirty) continue;
    if (cached.entry.holders_size() == 0) {
      txn_->Delete(key);
    } else {
      txn_->Put(key, cached.entry.SerializeAsString());
    }
  }
  for (auto& [record, cached] : identities_) {
    if (cached.refold) {
      // The record's events (this batch's are written by now), merged in recorded order,
      // as corrected.
      ASSIGN_OR_RETURN(const std::vector<v1::EventEnvelope> recorded, EventsOf(*txn_, {record}));
      const std::vector<v1::EventEnvelope> events = CorrectedEvents(recorded);
      cached.state.clear_record();
      cached.state.clear_folded_to();
      cached.state.mutable_record()->set_record_key(record);
      for (const v1::EventEnvelope& e : recorded) cached.state.set_folded_to(RecordedOrderKey(e));
      for (const v1::EventEnvelope& e : events) {
        MergeIdentity(e.subject(), cached.state.mutable_record()->mutable_identity(),
                      cached.state.mutable_record()->mutable_references());
      }
      cached.dirty = true;
      if (recorded.empty()) {
        // No event of it is left (all erased): nothing of it is kept.
        txn_->Delete(IdentityKey(record));
        continue;
      }
    }
    if (cached.dirty) txn_->Put(IdentityKey(record), cached.state.SerializeAsString());
  }
  // New links are findable from both records before the persons are walked.
  for (auto& [id, cached] : links_) {
    if (!cached.is_new || Empty(cached.link)) continue;
    txn_->Put(RecordLinks(cached.link.record_a()) + id, "");
    txn_->Put(RecordLinks(cached.link.record_b()) + id, "");
  }
  auto link_of = [&](const std::string& id) -> absl::StatusOr<std::optional<IdentityLink>> {
    if (auto it = links_.find(id); it != links_.end()) return std::optional<IdentityLink>(it->second.link);
    return GetMessage<IdentityLink>(*txn_, LinkKey(id), "identity link");
  };
  auto link_ids_of = [&](const std::string& record) -> absl::StatusOr<std::vector<std::string>> {
    std::vector<std::string> ids;
    const std::string p = RecordLinks(record);
    RETURN_IF_ERROR(txn_->Scan(p, "", [&](std::string_view key, std::string_view) {
      ids.emplace_back(key.substr(p.size()));
      return true;
    }));
    return ids;
  };

  // The persons of every record whose links changed, walked again over the links that hold.
  Reshaped out;
  std::map<std::string, std::string> person_now;  // record -> its person's key, where it changed
  std::set<std::string> old_keys;
  for (const std::string& start : reshape_) {
    if (person_now.contains(start)) continue;
    std::set<std::string> seen = {start};
    std::vector<std::string> queue = {start};
    while (!queue.empty()) {
      const std::string record = queue.back();
      queue.pop_back();
      ASSIGN_OR_RETURN(std::vector<std::string> ids, link_ids_of(record));
      for (const std::string& id : ids) {
        ASSIGN_OR_RETURN(std::optional<IdentityLink> link, link_of(id));
        if (!link.has_value() || !Holds(*link)) continue;
        const std::string& other = link->record_a() == record ? link->record_b() : link->record_a();
        if (seen.insert(other).second) queue.push_back(other);
      }
    }
    Person person;
    person.records.assign(seen.begin(), seen.end());
    std::sort(person.records.begin(), person.records.end(), BetterRecordKey);
    person.key = person.records.front();
    v1::PersonRecords stored;
    for (const std::string& r : person.records) stored.add_records(r);
    for (const std::string& record : person.records) {
      ASSIGN_OR_RETURN(const Person before, PersonOf(record));
      old_keys.insert(before.key);
      if (person.records.size() > 1) {
        txn_->Put(PersonKey(record), stored.SerializeAsString());
      } else if (before.records.size() > 1) {
        txn_->Delete(PersonKey(record));
      }
      person_now[record] = person.key;
    }
    out.persons.push_back(std::move(person));
  }
  for (const Person& p : out.persons) old_keys.erase(p.key);
  out.gone.assign(old_keys.begin(), old_keys.end());

  // Which list each link appears in: every changed link, and every link of a reshaped
  // person (a candidate whose records became one person leaves the candidates' list).
  std::set<std::string> relist;
  for (const auto& [id, cached] : links_) {
    if (cached.dirty) relist.insert(id);
  }
  for (const Person& p : out.persons) {
    for (const std::string& record : p.records) {
      ASSIGN_OR_RETURN(std::vector<std::string> ids, link_ids_of(record));
      relist.insert(ids.begin(), ids.end());
    }
  }
  auto key_now = [&](const std::string& record) -> absl::StatusOr<std::string> {
    if (auto it = person_now.find(record); it != person_now.end()) return it->second;
    ASSIGN_OR_RETURN(const Person p, PersonOf(record));
    return p.key;
  };
  for (const std::string& id : relist) {
    ASSIGN_OR_RETURN(std::optional<IdentityLink> link, link_of(id));
    if (!link.has_value()) continue;
    if (Empty(*link)) {
      // Nothing holds it up any more (its evidence was a retracted fact's, or a score that
      // fell): it goes, as if it had never been noted.
      if (auto it = links_.find(id); it != links_.end() && it->second.is_new) continue;
      if (link->status() != v1::IDENTITY_LINK_STATUS_UNSPECIFIED) txn_->Delete(StatusPrefix(link->status()) + id);
      txn_->Delete(LinkKey(id));
      txn_->Delete(RecordLinks(link->record_a()) + id);
      txn_->Delete(RecordLinks(link->record_b()) + id);
      continue;
    }
    ASSIGN_OR_RETURN(const std::string a, key_now(link->record_a()));
    ASSIGN_OR_RETURN(const std::string b, key_now(link->record_b()));
    const v1::IdentityLinkStatus listed = Listed(*link, a == b);
    const bool dirty = links_.contains(id) && links_[id].dirty;
    if (listed == link->status() && !dirty) continue;
    if (link->status() != v1::IDENTITY_LINK_STATUS_UNSPECIFIED && listed != link->status()) {
      txn_->Delete(StatusPrefix(link->status()) + id);
    }
    if (listed != v1::IDENTITY_LINK_STATUS_UNSPECIFIED) txn_->Put(StatusPrefix(listed) + id, "");
    link->set_status(listed);  // stored: the list it is in
    txn_->Put(LinkKey(id), link->SerializeAsString());
  }
  for (const Person& p : out.persons) {
    for (const std::string& record : p.records) persons_[record] = p;
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> ResolveReference(const StateReader& state, const std::string& reference) {
  ASSIGN_OR_RETURN(std::optional<v1::IndexEntry> entry,
                   GetMessage<v1::IndexEntry>(state, ReferenceKey(reference), "identity index entry"));
  if (!entry.has_value() || entry->holders().empty()) return std::optional<std::string>();
  std::optional<std::string> best;
  for (const IndexHolder& h : entry->holders()) {
    if (h.record() == reference) return std::optional<std::string>(reference);
    if (!best || BetterRecordKey(h.record(), *best)) best = h.record();
  }
  return best;
}

absl::StatusOr<Person> PersonOf(const StateReader& state, const std::string& record) {
  return StoredPerson(state, record);
}

absl::StatusOr<std::optional<Person>> FindPerson(const StateReader& state, const std::string& reference) {
  ASSIGN_OR_RETURN(std::optional<std::string> record, ResolveReference(state, reference));
  if (!record.has_value()) return std::optional<Person>();
  ASSIGN_OR_RETURN(Person person, PersonOf(state, *record));
  return std::optional<Person>(std::move(person));
}

absl::StatusOr<std::optional<IdentityLink>> GetLink(const StateReader& state, const std::string& link_id) {
  ASSIGN_OR_RETURN(std::optional<IdentityLink> link, GetMessage<IdentityLink>(state, LinkKey(link_id), "identity link"));
  if (link.has_value()) link->set_status(EffectiveStatus(*link));
  return link;
}

absl::StatusOr<std::vector<IdentityLink>> LinksOf(const StateReader& state, const std::vector<std::string>& records) {
  std::set<std::string> ids;
  for (const std::string& record : records) {
    const std::string p = RecordLinks(record);
    RETURN_IF_ERROR(state.Scan(p, "", [&](std::string_view key, std::string_view) {
      ids.emplace(key.substr(p.size()));
      return true;
    }));
  }
  std::vector<IdentityLink> links;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(std::optional<IdentityLink> link, GetLink(state, id));
    if (link.has_value()) links.push_back(std::move(*link));
  }
  return links;
}

absl::StatusOr<std::optional<v1::IdentityRecord>> RecordIdentityOf(const StateReader& state, const std::string& record) {
  ASSIGN_OR_RETURN(std::optional<v1::RecordIdentityState> stored,
                   GetMessage<v1::RecordIdentityState>(state, IdentityKey(record), "record identity"));
  if (!stored.has_value()) return std::optional<v1::IdentityRecord>();
  return std::optional<v1::IdentityRecord>(std::move(*stored->mutable_record()));
}

absl::StatusOr<std::vector<std::string>> RecordsWithFacts(const StateReader& state, const std::string& after,
                                                          size_t max) {
  std::vector<std::string> records;
  if (max == 0) return records;
  // Every record a fact was filed under has its identity merged from its events.
  RETURN_IF_ERROR(state.Scan(prefix::kRecordIdentity, after.empty() ? "" : IdentityKey(after),
                             [&](std::string_view key, std::string_view) {
                               std::string_view record = key.substr(1);
                               if (!after.empty() && record == after) return true;
                               records.emplace_back(record);
                               return records.size() < max;
                             }));
  return records;
}

absl::StatusOr<bool> HasFacts(const StateReader& state, const std::string& record) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, state.Get(IdentityKey(record)));
  return stored.has_value();
}

absl::StatusOr<v1::ListIdentityLinksResponse> ListLinks(const StateReader& state, v1::IdentityLinkStatus status,
                                                        uint32_t page_size, const std::string& page_token) {
  v1::ListIdentityLinksResponse response;
  const std::string p = StatusPrefix(status);
  std::vector<std::string> ids;
  RETURN_IF_ERROR(state.Scan(p, page_token.empty() ? "" : p + page_token, [&](std::string_view key, std::string_view) {
    std::string id(key.substr(p.size()));
    if (id == page_token) return true;
    ids.push_back(std::move(id));
    return ids.size() <= page_size;
  }));
  if (ids.size() > page_size) {
    ids.resize(page_size);
    response.set_next_page_token(ids.back());
  }
  auto identity_of = [&](const std::string& record, v1::IdentityRecord* out) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<v1::IdentityRecord> known, RecordIdentityOf(state, record));
    if (known.has_value()) *out = std::move(*known);  // none yet: decided before its events came
    out->set_record_key(record);
    return absl::OkStatus();
  };
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(std::optional<IdentityLink> link, GetLink(state, id));
    if (!link.has_value()) return absl::DataLossError(absl::StrCat("listed identity link ", id, " is missing"));
    v1::IdentityLinkDetail* d = response.add_links();
    RETURN_IF_ERROR(identity_of(link->record_a(), d->mutable_record_a()));
    RETURN_IF_ERROR(identity_of(link->record_b(), d->mutable_record_b()));
    *d->mutable_link() = std::move(*link);
  }
  return response;
}

absl::StatusOr<std::vector<ScoredRecord>> CompareWithRecords(const StateReader& state,
                                                             const v1::IdentityProfile& profile, double min_weight) {
  std::set<std::string> records;
  for (const std::string& key : BlockingKeys(profile)) {
    ASSIGN_OR_RETURN(std::optional<v1::BlockMembers> members,
                     GetMessage<v1::BlockMembers>(state, BlockKey(key), "identity block"));
    if (members.has_value()) records.insert(members->records().begin(), members->records().end());
  }
  std::vector<ScoredRecord> out;
  for (const std::string& record : records) {
    ASSIGN_OR_RETURN(std::optional<v1::RecordIdentityState> stored,
                     GetMessage<v1::RecordIdentityState>(state, IdentityKey(record), "record identity"));
    if (!stored.has_value()) continue;
    v1::MatchScore score = Score(profile, stored->profile());
    if (!score.ruled_out().empty() || score.weight() < min_weight) continue;
    out.push_back(ScoredRecord{record, std::move(score)});
  }
  std::sort(out.begin(), out.end(), [](const ScoredRecord& a, const ScoredRecord& b) {
    return a.score.weight() != b.score.weight() ? a.score.weight() > b.score.weight() : a.record < b.record;
  });
  return out;
}

}  // namespace safeguard::mappa
