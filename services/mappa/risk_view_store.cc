#include "services/mappa/risk_view_store.h"

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/keys.h"
#include "common/rocksdb_status.h"
#include "common/status_macros.h"
#include "services/mappa/identity.h"
#include "services/mappa/meeting.h"
#include "services/mappa/online_identifier.h"
#include "services/mappa/risk_projection.h"
#include "services/mappa/risk_view_store_keys.h"

namespace safeguard::mappa {
namespace {

using safeguard::v1::DisclosureCase;
using safeguard::v1::EventEnvelope;
using safeguard::v1::IdentityLink;
using safeguard::v1::RiskView;

// What one ApplyRecords call has read and written so far: reads see the batch's own
// writes, so several events of one stream, record or link in one batch see each other.
class PendingWrites {
 public:
  explicit PendingWrites(rocksdb::DB* db) : db_(db) {}

  absl::StatusOr<std::optional<std::string>> Get(const std::string& key) {
    if (auto it = overlay_.find(key); it != overlay_.end()) return it->second;
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value);
    if (s.IsNotFound()) return std::nullopt;
    RETURN_IF_ERROR(FromRocksDb(s, "read mappa state"));
    return value;
  }
  void Put(const std::string& key, std::string value) {
    batch_.Put(key, value);
    overlay_[key] = std::move(value);
  }
  void Delete(const std::string& key) {
    batch_.Delete(key);
    overlay_[key] = std::nullopt;
  }
  // The keys under `prefix`, stored or written in this batch, in order.
  absl::StatusOr<std::vector<std::string>> KeysWithPrefix(const std::string& prefix) {
    std::map<std::string, bool> keys;  // key -> present
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      keys[it->key().ToString()] = true;
    }
    RETURN_IF_ERROR(FromRocksDb(it->status(), "scan mappa state"));
    for (auto o = overlay_.lower_bound(prefix); o != overlay_.end() && o->first.starts_with(prefix); ++o) {
      keys[o->first] = o->second.has_value();
    }
    std::vector<std::string> out;
    for (auto& [key, present] : keys) {
      if (present) out.push_back(key);
    }
    return out;
  }
  rocksdb::WriteBatch* batch() { return &batch_; }

 private:
  rocksdb::DB* const db_;
  std::map<std::string, std::optional<std::string>> overlay_;
  rocksdb::WriteBatch batch_;
};

absl::StatusOr<IdentityLink> PendingLink(PendingWrites& p, const std::string& a, const std::string& b) {
  IdentityLink link;
  const std::string id = LinkIdFor(a, b);
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, p.Get(keys::Link(id)));
  if (bytes.has_value()) {
    if (!link.ParseFromString(*bytes)) return absl::DataLossError(absl::StrCat("stored link ", id, " is unreadable"));
    return link;
  }
  link.set_link_id(id);
  link.set_record_a(std::min(a, b));
  link.set_record_b(std::max(a, b));
  return link;
}

void StoreLink(PendingWrites& p, const IdentityLink& link) {
  p.Put(keys::Link(link.link_id()), link.SerializeAsString());
  p.Put(keys::RecordLink(link.record_a(), link.link_id()), "");
  p.Put(keys::RecordLink(link.record_b(), link.link_id()), "");
}

// A Provenance's place in recorded order (as keys::EventOrder, from what it carries).
std::tuple<int64_t, int32_t, int, std::string, uint64_t> RecordedOrder(const safeguard::v1::Provenance& p) {
  return {p.recorded_at().seconds(), p.recorded_at().nanos(), static_cast<int>(p.agency()), p.stream_id(),
          p.stream_version()};
}

// Indexes that `record`'s event `e` carries the index entry `key` (a reference or a name),
// keeping the earliest such event in recorded order. Returns that earliest event.
absl::StatusOr<safeguard::v1::Provenance> IndexEarliest(PendingWrites& p, const std::string& key,
                                                        const EventEnvelope& e) {
  safeguard::v1::Provenance now = ProvenanceOf(e);
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, p.Get(key));
  safeguard::v1::Provenance held;
  if (bytes.has_value() && held.ParseFromString(*bytes) && RecordedOrder(held) <= RecordedOrder(now)) {
    return held;
  }
  p.Put(key, now.SerializeAsString());
  return now;
}

absl::StatusOr<safeguard::v1::Provenance> IndexedEvent(PendingWrites& p, const std::string& key) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, p.Get(key));
  safeguard::v1::Provenance held;
  if (!bytes.has_value() || !held.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("identity index entry is unreadable"));
  }
  return held;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RiskViewStore>> RiskViewStore::OpenReadOnly(const std::string& path) {
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), path, &raw),
                              absl::StrCat("open mappa views at ", path, " to read")));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string format;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), keys::kFormatKey, &format);
  if (!s.ok() && !s.IsNotFound()) RETURN_IF_ERROR(FromRocksDb(s, "read mappa state format"));
  if (format != keys::kFormat) {
    return absl::FailedPreconditionError(absl::StrCat("mappa state at ", path, " is in layout '", format, "', not '",
                                                      keys::kFormat, "'; start mappa-service to rebuild it"));
  }
  return std::unique_ptr<RiskViewStore>(new RiskViewStore(std::move(db), SystemClock()));
}

absl::StatusOr<std::unique_ptr<RiskViewStore>> RiskViewStore::Open(const std::string& path,
                                                                   Clock clock) {
  rocksdb::Options options;
  options.create_if_missing = true;
  auto open = [&]() -> absl::StatusOr<std::unique_ptr<rocksdb::DB>> {
    rocksdb::DB* raw = nullptr;
    RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::Open(options, path, &raw), absl::StrCat("open mappa views at ", path)));
    return std::unique_ptr<rocksdb::DB>(raw);
  };
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db, open());

  // The views are derived from the log. State in an older layout is discarded and
  // rebuilt: the consumer then reads every topic from its start.
  std::string format;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), keys::kFormatKey, &format);
  if (!s.ok() && !s.IsNotFound()) RETURN_IF_ERROR(FromRocksDb(s, "read mappa state format"));
  if (format != keys::kFormat) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid()) {
      std::cerr << "mappa: state at " << path << " is in layout '" << format << "', not '" << keys::kFormat
                << "'; rebuilding it from the log" << std::endl;
      it.reset();
      db.reset();
      RETURN_IF_ERROR(FromRocksDb(rocksdb::DestroyDB(path, options), "discard old mappa state"));
      ASSIGN_OR_RETURN(db, open());
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    RETURN_IF_ERROR(FromRocksDb(db->Put(sync, keys::kFormatKey, keys::kFormat), "write mappa state format"));
  }

  auto store = std::unique_ptr<RiskViewStore>(new RiskViewStore(std::move(db), std::move(clock)));
  // The alert change log continues from its last entry.
  std::unique_ptr<rocksdb::Iterator> it(store->db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(keys::AlertChange(~uint64_t{0}));
  if (it->Valid() && it->key().starts_with(keys::kAlertChangePrefix)) {
    store->alert_sequence_ = DecodeBigEndian64(it->key().ToStringView().substr(1));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read alert change log"));
  return store;
}

RiskViewStore::RiskViewStore(std::unique_ptr<rocksdb::DB> db, Clock clock)
    : db_(std::move(db)), clock_(std::move(clock)) {}

absl::StatusOr<ApplyStats> RiskViewStore::ApplyRecords(const std::vector<BusRecord>& records) {
  ApplyStats stats;
  PendingWrites p(db_.get());
  // Parsed views this batch changed; written once at the end.
  std::unordered_map<std::string, RiskView> views;
  std::map<std::pair<std::string, int32_t>, int64_t> positions;
  std::set<std::string> touched;  // records whose person's alerts may have changed

  auto last_applied = [&](const std::string& stream) -> absl::StatusOr<uint64_t> {
    ASSIGN_OR_RETURN(std::optional<std::string> v, p.Get(keys::Applied(stream)));
    return v.has_value() ? DecodeBigEndian64(*v) : 0;
  };

  auto add_timeline = [&](const std::string& record, const EventEnvelope& e) {
    safeguard::v1::TimelineEntry entry;
    *entry.mutable_provenance() = ProvenanceOf(e);
    entry.set_summary(TimelineSummary(e));
    p.Put(keys::Timeline(record) + keys::TimelineSuffix(e), entry.SerializeAsString());
  };

  // A MAPPA user's decision on a link: the latest decision (by its stream's order) holds.
  auto apply_decision = [&](const EventEnvelope& e, const IdentityDecision& d) -> absl::Status {
    if (d.record_a.empty() || d.record_b.empty() || d.record_a == d.record_b ||
        d.link_id != LinkIdFor(d.record_a, d.record_b)) {
      std::cerr << "mappa: identity decision " << e.event_id() << " names link " << d.link_id
                << " inconsistently with its records; ignored" << std::endl;
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(IdentityLink link, PendingLink(p, d.record_a, d.record_b));
    link.set_decision(d.decision);
    link.set_decision_reason(d.reason);
    *link.mutable_decision_provenance() = ProvenanceOf(e);
    link.set_decisions(e.stream_version());
    StoreLink(p, link);
    add_timeline(link.record_a(), e);
    add_timeline(link.record_b(), e);
    touched.insert(link.record_a());
    touched.insert(link.record_b());
    return absl::OkStatus();
  };

  // Rebuilt at the end of the batch: records an event reached out of recorded order.
  std::set<std::string> refold;

  // An agency's fact: filed under the record of its own subject key. Every reference it
  // carries is indexed; another record carrying one of them is the same person, linked
  // automatically. The record's view is the fold of its events in recorded order, so it
  // does not depend on how the topics interleave.
  auto apply_fact = [&](const EventEnvelope& e) -> absl::Status {
    const std::string record = e.subject_key();
    touched.insert(record);
    std::vector<std::string> refs = {record};
    for (std::string& r : ReferencesOf(e.subject())) {
      if (std::find(refs.begin(), refs.end(), r) == refs.end()) refs.push_back(std::move(r));
    }
    // For each index entry (a reference or a name) this event carries: the records that
    // carry it too, with the earliest event on each side.
    auto share = [&](const std::string& prefix,
                     const std::function<void(IdentityLink*, const safeguard::v1::Provenance& a,
                                              const safeguard::v1::Provenance& b)>& note) -> absl::Status {
      ASSIGN_OR_RETURN(const safeguard::v1::Provenance mine, IndexEarliest(p, prefix + record, e));
      ASSIGN_OR_RETURN(std::vector<std::string> holders, p.KeysWithPrefix(prefix));
      for (const std::string& key : holders) {
        const std::string other = key.substr(prefix.size());
        if (other == record) continue;
        ASSIGN_OR_RETURN(const safeguard::v1::Provenance theirs, IndexedEvent(p, key));
        ASSIGN_OR_RETURN(IdentityLink link, PendingLink(p, record, other));
        const bool mine_is_a = link.record_a() == record;
        const std::string before = link.SerializeAsString();
        note(&link, mine_is_a ? mine : theirs, mine_is_a ? theirs : mine);
        if (link.SerializeAsString() == before) continue;  // nothing new: the usual case
        StoreLink(p, link);
        touched.insert(other);
      }
      return absl::OkStatus();
    };

    // A reference another record's events carry too: the same person, linked at once.
    for (const std::string& ref : refs) {
      RETURN_IF_ERROR(share(keys::RefPrefix(ref), [&](IdentityLink* link, const auto& a, const auto& b) {
        link->set_national_identifier_match(true);
        safeguard::v1::SharedReference* entry = nullptr;
        for (auto& r : *link->mutable_shared_references()) {
          if (r.reference() == ref) entry = &r;
        }
        if (entry == nullptr) {
          entry = link->add_shared_references();
          entry->set_reference(ref);
        }
        *entry->mutable_record_a_event() = a;
        *entry->mutable_record_b_event() = b;
        std::sort(link->mutable_shared_references()->begin(), link->mutable_shared_references()->end(),
                  [](const auto& x, const auto& y) { return x.reference() < y.reference(); });
      }));
    }

    // The same name and date of birth as another record's: proposed, never linked.
    for (const NameKey& name : NameKeysOf(e.subject())) {
      RETURN_IF_ERROR(share(keys::NamePrefix(name.date_of_birth, name.name),
                            [&](IdentityLink* link, const auto& a, const auto& b) {
                              link->set_name_match(true);
                              safeguard::v1::SharedName* entry = nullptr;
                              for (auto& n : *link->mutable_shared_names()) {
                                if (n.name() == name.name && n.date_of_birth() == name.date_of_birth) entry = &n;
                              }
                              if (entry == nullptr) {
                                entry = link->add_shared_names();
                                entry->set_name(name.name);
                                entry->set_date_of_birth(name.date_of_birth);
                              }
                              *entry->mutable_record_a_event() = a;
                              *entry->mutable_record_b_event() = b;
                              std::sort(link->mutable_shared_names()->begin(), link->mutable_shared_names()->end(),
                                        [](const auto& x, const auto& y) {
                                          return std::tie(x.date_of_birth(), x.name()) <
                                                 std::tie(y.date_of_birth(), y.name());
                                        });
                            }));
    }

    if (e.has_register_notification_recorded()) {
      // Indexed for screening; a check confirms against the latest notification, so an
      // identifier later dropped from the register stops matching without a delete here.
      for (const auto& id : e.register_notification_recorded().online_identifiers()) {
        absl::StatusOr<std::string> key = OnlineIdentifierKey(id.kind(), id.value(), id.platform(), "");
        if (key.ok()) p.Put(keys::OnlineIdentifier(*key, record), "");
      }
    }
    p.Put(keys::Event(record, e), e.SerializeAsString());
    add_timeline(record, e);

    // Folded in now when it comes after everything the record holds (the usual case),
    // else the record is refolded from its events at the end of the batch.
    const std::string order = keys::EventOrder(e);
    ASSIGN_OR_RETURN(std::optional<std::string> last, p.Get(keys::LastOrder(record)));
    if (refold.contains(record) || (last.has_value() && order < *last)) {
      refold.insert(record);
      return absl::OkStatus();
    }
    p.Put(keys::LastOrder(record), order);
    auto vit = views.find(record);
    if (vit == views.end()) {
      RiskView view;
      ASSIGN_OR_RETURN(std::optional<std::string> bytes, p.Get(keys::View(record)));
      if (bytes.has_value() && !view.ParseFromString(*bytes)) {
        return absl::DataLossError(absl::StrCat("stored view of ", record, " is unreadable"));
      }
      if (!bytes.has_value()) view.set_subject_key(record);
      vit = views.emplace(record, std::move(view)).first;
    }
    ApplyEvent(e, &vit->second);
    return absl::OkStatus();
  };

  // A step of a police disclosure case: folded into the case, never filed as a fact
  // about a person (the enquiry names the subject, but is not a fact about them, and the
  // subject is never told of it).
  std::unordered_map<std::string, DisclosureCase> cases;
  // The aggregate stored under `key`, from this batch's `cache` or the store (new if none).
  auto cached = [&](auto& cache, const std::string& ref, const std::string& key) -> auto {
    using Aggregate = typename std::decay_t<decltype(cache)>::mapped_type;
    using Result = absl::StatusOr<Aggregate*>;
    auto it = cache.find(ref);
    if (it != cache.end()) return Result(&it->second);
    Aggregate a;
    absl::StatusOr<std::optional<std::string>> bytes = p.Get(key);
    if (!bytes.ok()) return Result(bytes.status());
    if (bytes->has_value() && !a.ParseFromString(**bytes)) {
      return Result(absl::DataLossError(absl::StrCat("stored ", key, " is unreadable")));
    }
    return Result(&cache.emplace(ref, std::move(a)).first->second);
  };
  auto apply_case = [&](const EventEnvelope& e) -> absl::Status {
    const std::string ref = disclosure::CaseRefOf(e.stream_id());
    ASSIGN_OR_RETURN(DisclosureCase * c, cached(cases, ref, keys::Case(ref)));
    disclosure::ApplyStep(e, c);
    return absl::OkStatus();
  };

  // A record of a MAPPA meeting: folded into the meeting. A review of a subject is also a
  // fact about that subject (filed under the subject's record, its subject_key).
  std::unordered_map<std::string, safeguard::v1::MappaMeeting> meetings;
  auto apply_meeting = [&](const EventEnvelope& e) -> absl::Status {
    const std::string ref = MeetingRefOf(e.stream_id());
    ASSIGN_OR_RETURN(safeguard::v1::MappaMeeting * m, cached(meetings, ref, keys::Meeting(ref)));
    ApplyMeetingStep(e, m);
    if (e.has_mappa_subject_reviewed() && !e.subject_key().empty()) return apply_fact(e);
    return absl::OkStatus();
  };

  // Applies `e`, the next version of its stream.
  auto apply = [&](const EventEnvelope& e) -> absl::Status {
    p.Put(keys::Applied(e.stream_id()), keys::EncodeU64(e.stream_version()));
    // The gap this event closes, if one was reported, is closed.
    p.Delete(keys::StreamVersion(keys::kGapPrefix, e.stream_id(), e.stream_version()));
    ++stats.applied;
    if (std::optional<IdentityDecision> d = IdentityDecisionOf(e)) return apply_decision(e, *d);
    if (disclosure::IsCaseEvent(e)) return apply_case(e);
    if (IsMeetingEvent(e)) return apply_meeting(e);
    return apply_fact(e);
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
      const std::string key = keys::StreamVersion(keys::kParkedPrefix, e.stream_id(), e.stream_version());
      ASSIGN_OR_RETURN(std::optional<std::string> already, p.Get(key));
      if (already.has_value()) {
        ++stats.duplicates;
        continue;
      }
      p.Put(key, record.value);
      const std::string gap_key = keys::StreamVersion(keys::kGapPrefix, e.stream_id(), last + 1);
      ASSIGN_OR_RETURN(std::optional<std::string> known, p.Get(gap_key));
      if (!known.has_value()) {
        safeguard::v1::GapReport gap;
        gap.set_stream_id(e.stream_id());
        gap.set_expected_version(last + 1);
        gap.set_seen_version(e.stream_version());
        *gap.mutable_detected_at() = ToProtoTimestamp(clock_());
        p.Put(gap_key, gap.SerializeAsString());
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
      const std::string key = keys::StreamVersion(keys::kParkedPrefix, e.stream_id(), next);
      ASSIGN_OR_RETURN(std::optional<std::string> bytes, p.Get(key));
      if (!bytes.has_value()) break;
      EventEnvelope successor;
      if (!successor.ParseFromString(*bytes)) return absl::DataLossError("parked event is unreadable");
      RETURN_IF_ERROR(apply(successor));
      p.Delete(key);
      ++stats.released;
    }
  }

  for (const std::string& record : refold) {
    const std::string prefix = keys::EventPrefix(record);
    ASSIGN_OR_RETURN(std::vector<std::string> event_keys, p.KeysWithPrefix(prefix));
    RiskView view;
    view.set_subject_key(record);
    for (const std::string& key : event_keys) {
      ASSIGN_OR_RETURN(std::optional<std::string> bytes, p.Get(key));
      EventEnvelope e;
      if (!bytes.has_value() || !e.ParseFromString(*bytes)) return absl::DataLossError("stored event is unreadable");
      ApplyEvent(e, &view);
    }
    if (!event_keys.empty()) p.Put(keys::LastOrder(record), event_keys.back().substr(prefix.size()));
    views[record] = std::move(view);
  }
  for (const auto& [record, view] : views) p.Put(keys::View(record), view.SerializeAsString());
  for (const auto& [ref, c] : cases) p.Put(keys::Case(ref), c.SerializeAsString());
  for (const auto& [ref, m] : meetings) p.Put(keys::Meeting(ref), m.SerializeAsString());
  for (const auto& [tp, next] : positions) {
    p.Put(keys::Position(tp.first, tp.second), keys::EncodeU64(static_cast<uint64_t>(next)));
  }
  // The bus holds every event durably, so the view need not sync: after a power loss
  // RocksDB recovers a prefix of its writes, state and position together, and the
  // consumer re-reads from there.
  RETURN_IF_ERROR(FromRocksDb(db_->Write(rocksdb::WriteOptions(), p.batch()), "apply events"));
  counters_.applied += stats.applied;
  counters_.duplicates += stats.duplicates;
  counters_.parked += stats.parked;
  counters_.released += stats.released;
  counters_.unreadable += stats.unreadable;
  // Alerts follow the facts. Should this fail or the process stop first, the alerts are
  // recomputed for everyone when the consumer next starts (ReevaluateAllAlerts).
  RETURN_IF_ERROR(UpdateAlerts(touched));
  return stats;
}

absl::StatusOr<int64_t> RiskViewStore::Position(const std::string& topic, int32_t partition) {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), keys::Position(topic, partition), &v);
  if (s.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocksDb(s, "read position"));
  return static_cast<int64_t>(DecodeBigEndian64(v));
}

absl::StatusOr<std::string> RiskViewStore::ResolveReference(const std::string& reference) {
  // The record filed under this very key, else the best record whose events carried it.
  std::string unused;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), keys::View(reference), &unused);
  if (s.ok()) return reference;
  if (!s.IsNotFound()) RETURN_IF_ERROR(FromRocksDb(s, "resolve reference"));
  std::optional<std::string> best;
  const std::string prefix = keys::RefPrefix(reference);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string record = it->key().ToString().substr(prefix.size());
    if (!best || BetterRecordKey(record, *best)) best = std::move(record);
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "resolve reference"));
  if (!best) return absl::NotFoundError(absl::StrCat("no subject is known as ", reference));
  return *best;
}

absl::StatusOr<RiskView> RiskViewStore::GetView(const std::string& record_key) {
  std::string bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), keys::View(record_key), &bytes);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no view of ", record_key));
  RETURN_IF_ERROR(FromRocksDb(s, "read view"));
  RiskView view;
  if (!view.ParseFromString(bytes)) return absl::DataLossError("stored view is unreadable");
  return view;
}

absl::StatusOr<IdentityLink> RiskViewStore::LoadLink(const std::string& link_id) {
  IdentityLink link;
  std::string bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), keys::Link(link_id), &bytes);
  if (s.IsNotFound()) return link;
  RETURN_IF_ERROR(FromRocksDb(s, "read identity link"));
  if (!link.ParseFromString(bytes)) return absl::DataLossError(absl::StrCat("stored link ", link_id, " is unreadable"));
  return link;
}

absl::StatusOr<IdentityLink> RiskViewStore::GetLink(const std::string& link_id) {
  ASSIGN_OR_RETURN(IdentityLink link, LoadLink(link_id));
  if (link.link_id().empty()) return absl::NotFoundError(absl::StrCat("no identity link ", link_id));
  link.set_status(EffectiveStatus(link));
  return link;
}

absl::StatusOr<std::vector<std::string>> RiskViewStore::LinkIdsOf(const std::string& record_key) {
  std::vector<std::string> ids;
  const std::string prefix = keys::RecordLinkPrefix(record_key);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ids.push_back(it->key().ToString().substr(prefix.size()));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read record links"));
  return ids;
}

absl::StatusOr<std::vector<std::string>> RiskViewStore::PersonRecords(const std::string& record_key) {
  std::set<std::string> seen = {record_key};
  std::vector<std::string> queue = {record_key};
  while (!queue.empty()) {
    const std::string record = queue.back();
    queue.pop_back();
    ASSIGN_OR_RETURN(std::vector<std::string> ids, LinkIdsOf(record));
    for (const std::string& id : ids) {
      ASSIGN_OR_RETURN(IdentityLink link, LoadLink(id));
      if (EffectiveStatus(link) != safeguard::v1::LINKED) continue;
      const std::string& other = link.record_a() == record ? link.record_b() : link.record_a();
      if (seen.insert(other).second) queue.push_back(other);
    }
  }
  std::vector<std::string> records(seen.begin(), seen.end());
  std::sort(records.begin(), records.end(), BetterRecordKey);
  return records;
}

absl::StatusOr<RiskView> RiskViewStore::CombinedView(const std::vector<std::string>& records) {
  // Every event of every record, in the order Safeguard recorded them.
  std::vector<std::pair<std::string, std::string>> events;  // order suffix, envelope
  for (const std::string& record : records) {
    const std::string prefix = keys::EventPrefix(record);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      events.emplace_back(it->key().ToString().substr(prefix.size()), it->value().ToString());
    }
    RETURN_IF_ERROR(FromRocksDb(it->status(), "read record events"));
  }
  if (events.empty()) return absl::NotFoundError(absl::StrCat("no view of ", records.front()));
  std::sort(events.begin(), events.end());
  RiskView view;
  view.set_subject_key(records.front());
  for (const auto& [order, bytes] : events) {
    EventEnvelope e;
    if (!e.ParseFromString(bytes)) return absl::DataLossError("stored event is unreadable");
    ApplyEvent(e, &view);
  }
  return view;
}

absl::StatusOr<RiskView> RiskViewStore::FactsOf(const std::vector<std::string>& records) {
  RiskView view;
  if (records.size() == 1) {
    ASSIGN_OR_RETURN(view, GetView(records.front()));
  } else {
    ASSIGN_OR_RETURN(view, CombinedView(records));
  }
  view.set_subject_key(records.front());
  return view;
}

absl::StatusOr<RiskView> RiskViewStore::GetPersonView(const std::string& record_key) {
  ASSIGN_OR_RETURN(std::vector<std::string> records, PersonRecords(record_key));
  ASSIGN_OR_RETURN(RiskView view, FactsOf(records));
  std::set<std::string> link_ids;
  for (const std::string& record : records) {
    view.add_linked_records(record);
    ASSIGN_OR_RETURN(std::vector<std::string> ids, LinkIdsOf(record));
    link_ids.insert(ids.begin(), ids.end());
  }
  for (const std::string& id : link_ids) {
    ASSIGN_OR_RETURN(*view.add_identity_links(), GetLink(id));
  }
  return view;
}

absl::StatusOr<safeguard::v1::GetTimelineResponse> RiskViewStore::GetTimeline(
    const std::string& record_key, uint32_t page_size, const std::string& page_token) {
  std::string after;
  if (!page_token.empty()) {
    if (!absl::WebSafeBase64Unescape(page_token, &after) || after.size() != keys::kTimelineSuffixBytes) {
      return absl::InvalidArgumentError("page_token: not a token from a previous page");
    }
  }
  ASSIGN_OR_RETURN(std::vector<std::string> records, PersonRecords(record_key));
  // Each record's next page_size + 1 entries, merged by when things happened. An
  // identity decision appears in both records' timelines; it is shown once.
  std::map<std::string, std::string> merged;  // order suffix -> entry
  for (const std::string& record : records) {
    const std::string prefix = keys::Timeline(record);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    it->Seek(prefix + after);
    uint32_t taken = 0;
    for (; it->Valid() && it->key().starts_with(prefix) && taken <= page_size; it->Next()) {
      std::string suffix = it->key().ToString().substr(prefix.size());
      if (!after.empty() && suffix <= after) continue;
      merged.emplace(std::move(suffix), it->value().ToString());
      ++taken;
    }
    RETURN_IF_ERROR(FromRocksDb(it->status(), "read timeline"));
  }
  safeguard::v1::GetTimelineResponse response;
  response.set_subject_key(records.front());
  std::string last;
  for (const auto& [suffix, bytes] : merged) {
    if (response.entries_size() == static_cast<int>(page_size)) {
      response.set_next_page_token(absl::WebSafeBase64Escape(last));
      break;
    }
    if (!response.add_entries()->ParseFromString(bytes)) {
      return absl::DataLossError("stored timeline entry is unreadable");
    }
    last = suffix;
  }
  return response;
}

absl::StatusOr<safeguard::v1::ListIdentityLinksResponse> RiskViewStore::ListLinks(
    safeguard::v1::IdentityLinkStatus status, uint32_t page_size, const std::string& page_token) {
  safeguard::v1::ListIdentityLinksResponse response;
  auto identity_of = [&](const std::string& record, safeguard::v1::IdentityRecord* out) -> absl::Status {
    out->set_record_key(record);
    absl::StatusOr<RiskView> view = GetView(record);
    if (absl::IsNotFound(view.status())) return absl::OkStatus();  // decided before its events came
    RETURN_IF_ERROR(view.status());
    *out->mutable_identity() = view->identity();
    *out->mutable_references() = view->references();
    return absl::OkStatus();
  };
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix = keys::kLinkPrefix;
  it->Seek(page_token.empty() ? prefix : keys::Link(page_token));
  if (!page_token.empty() && it->Valid() && it->key() == keys::Link(page_token)) it->Next();
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    IdentityLink link;
    if (!link.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored identity link is unreadable");
    }
    link.set_status(EffectiveStatus(link));
    if (link.status() != status) continue;
    if (status == safeguard::v1::CANDIDATE) {
      ASSIGN_OR_RETURN(std::vector<std::string> person, PersonRecords(link.record_a()));
      if (std::find(person.begin(), person.end(), link.record_b()) != person.end()) continue;
    }
    if (response.links_size() == static_cast<int>(page_size)) {
      response.set_next_page_token(response.links(response.links_size() - 1).link().link_id());
      break;
    }
    safeguard::v1::IdentityLinkDetail* d = response.add_links();
    RETURN_IF_ERROR(identity_of(link.record_a(), d->mutable_record_a()));
    RETURN_IF_ERROR(identity_of(link.record_b(), d->mutable_record_b()));
    *d->mutable_link() = std::move(link);
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read identity links"));
  return response;
}

absl::StatusOr<DisclosureCase> RiskViewStore::GetCase(const std::string& case_ref) {
  std::string bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), keys::Case(case_ref), &bytes);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("case_ref: no disclosure case ", case_ref));
  RETURN_IF_ERROR(FromRocksDb(s, "read disclosure case"));
  DisclosureCase c;
  if (!c.ParseFromString(bytes)) return absl::DataLossError("stored disclosure case is unreadable");
  return c;
}

absl::Status RiskViewStore::VisitCases(const std::string& after,
                                       const std::function<bool(const DisclosureCase&)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix = keys::kCasePrefix;
  it->Seek(after.empty() ? prefix : keys::Case(after));
  if (!after.empty() && it->Valid() && it->key() == keys::Case(after)) it->Next();
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    DisclosureCase c;
    if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored disclosure case is unreadable");
    }
    if (!visit(c)) break;
  }
  return FromRocksDb(it->status(), "read disclosure cases");
}

absl::StatusOr<safeguard::v1::MappaMeeting> RiskViewStore::GetMeeting(const std::string& meeting_ref) {
  std::string bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), keys::Meeting(meeting_ref), &bytes);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("meeting_ref: no meeting ", meeting_ref));
  RETURN_IF_ERROR(FromRocksDb(s, "read meeting"));
  safeguard::v1::MappaMeeting m;
  if (!m.ParseFromString(bytes)) return absl::DataLossError("stored meeting is unreadable");
  return m;
}

absl::Status RiskViewStore::VisitMeetings(const std::function<bool(const safeguard::v1::MappaMeeting&)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(keys::kMeetingPrefix); it->Valid() && it->key().starts_with(keys::kMeetingPrefix); it->Next()) {
    safeguard::v1::MappaMeeting m;
    if (!m.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("stored meeting is unreadable");
    }
    if (!visit(m)) break;
  }
  return FromRocksDb(it->status(), "read meetings");
}

absl::Status RiskViewStore::VisitPeople(const std::string& after,
                                        const std::function<bool(const RiskView&)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix = keys::kViewPrefix;
  it->Seek(after.empty() ? prefix : keys::View(after));
  if (!after.empty() && it->Valid() && it->key() == keys::View(after)) it->Next();
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string record = it->key().ToString().substr(prefix.size());
    ASSIGN_OR_RETURN(std::vector<std::string> records, PersonRecords(record));
    if (records.front() != record) continue;  // visited under the person's key
    ASSIGN_OR_RETURN(RiskView view, FactsOf(records));
    for (const std::string& r : records) view.add_linked_records(r);
    if (!visit(view)) break;
  }
  return FromRocksDb(it->status(), "read views");
}

absl::StatusOr<std::vector<safeguard::v1::ConsumerPosition>> RiskViewStore::Positions() {
  std::vector<safeguard::v1::ConsumerPosition> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(keys::kPositionPrefix); it->Valid() && it->key().starts_with(keys::kPositionPrefix); it->Next()) {
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
  for (it->Seek(keys::kParkedPrefix); it->Valid() && it->key().starts_with(keys::kParkedPrefix); it->Next()) ++n;
  RETURN_IF_ERROR(FromRocksDb(it->status(), "count waiting events"));
  return n;
}

absl::StatusOr<std::vector<std::string>> RiskViewStore::SubjectsWithIdentifier(const std::string& key) {
  std::vector<std::string> out;
  const std::string prefix = keys::OnlineIdentifier(key, "");
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
  for (it->Seek(keys::kGapPrefix); it->Valid() && it->key().starts_with(keys::kGapPrefix); it->Next()) {
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
