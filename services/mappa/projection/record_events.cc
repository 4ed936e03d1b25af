#include "services/mappa/projection/record_events.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/keys.h"
#include "common/provenance.h"
#include "common/status_macros.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "services/mappa/projection/recorded_order.h"
#include "services/mappa/projection/risk_projection.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;

// A timeline entry's place: when it happened, then agency and log sequence.
constexpr size_t kTimelinePlaceBytes = 24;

std::string EventKey(const std::string& record, std::string_view order) {
  std::string k = NamedPrefix(prefix::kEvent, record);
  k.append(order);
  return k;
}

// Where the corrections of the fact `event_id`, filed under `record`, are noted: this
// prefix, then each correction's recorded order.
std::string CorrectionsKey(const std::string& record, const std::string& event_id) {
  return absl::StrCat(NamedPrefix(prefix::kCorrection, record), event_id, absl::string_view("\0", 1));
}

// What became of `fact` (filed under `record`), if it was corrected: its latest correction,
// with the fact as first recorded and as all its corrections leave it.
absl::Status NoteCorrection(const StateReader& state, const std::string& record, const v1::EventEnvelope& fact,
                            v1::TimelineEntry* entry) {
  std::vector<std::string> orders;
  const std::string p = CorrectionsKey(record, fact.event_id());
  RETURN_IF_ERROR(state.Scan(p, "", [&](std::string_view key, std::string_view) {
    orders.emplace_back(key.substr(p.size()));
    return true;
  }));
  std::optional<v1::EventEnvelope> standing = fact;
  std::optional<v1::EventEnvelope> latest;
  for (const std::string& order : orders) {
    ASSIGN_OR_RETURN(const std::optional<std::string> bytes, state.Get(EventKey(record, order)));
    v1::EventEnvelope correction;
    if (!bytes.has_value() || !correction.ParseFromString(*bytes)) {
      return absl::DataLossError("a fact's correction is missing from its record");
    }
    if (!standing.has_value() || !Corrects(correction, fact)) continue;
    standing = Correct(standing, correction.fact_corrected());
    latest = std::move(correction);
  }
  if (latest.has_value()) *entry->mutable_correction() = CorrectionFactOf(*latest, fact, standing);
  return absl::OkStatus();
}

std::string TimelinePlace(const v1::EventEnvelope& e) {
  std::string s;
  const auto& t = e.occurred_at();
  AppendBigEndian64(&s, OrderedFromSigned(t.seconds() * 1000000 + t.nanos() / 1000));
  AppendBigEndian64(&s, static_cast<uint64_t>(e.agency()));
  AppendBigEndian64(&s, e.log_sequence());
  return s;
}

}  // namespace

void RecordEventsWriter::File(const std::string& record, const v1::EventEnvelope& e, std::string_view bytes) {
  const std::string order = RecordedOrderKey(e);
  txn_->Put(EventKey(record, order), bytes);
  if (e.has_fact_corrected()) txn_->Put(CorrectionsKey(record, e.fact_corrected().corrected_event_id()) + order, "");
  v1::TimelineItem item;
  item.set_order(order);
  txn_->PutUnread(NamedPrefix(prefix::kTimeline, record) + TimelinePlace(e), item.SerializeAsString());
}

void RecordEventsWriter::Mention(const std::string& record, const v1::EventEnvelope& e, std::string_view bytes) {
  v1::TimelineItem item;
  item.set_event(std::string(bytes));
  txn_->PutUnread(NamedPrefix(prefix::kTimeline, record) + TimelinePlace(e), item.SerializeAsString());
}

absl::StatusOr<std::vector<v1::EventEnvelope>> UnfileAgencyEvents(Transaction* txn, const std::string& record,
                                                                  v1::Agency agency) {
  std::vector<v1::EventEnvelope> removed;
  bool others = false;
  absl::Status parsed;
  const std::string p = NamedPrefix(prefix::kEvent, record);
  std::vector<std::string> keys;
  RETURN_IF_ERROR(txn->Scan(p, "", [&](std::string_view key, std::string_view value) {
    v1::EventEnvelope e;
    if (!e.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parsed = absl::DataLossError("stored event is unreadable");
      return false;
    }
    if (e.agency() != agency) {
      others = true;
      return true;
    }
    keys.emplace_back(key);
    removed.push_back(std::move(e));
    return true;
  }));
  RETURN_IF_ERROR(parsed);
  for (const std::string& key : keys) txn->Delete(key);
  const std::string timeline = NamedPrefix(prefix::kTimeline, record);
  if (!others) {
    // Nothing of the record is left: its timeline goes whole, with what mentioned it.
    std::vector<std::string> entries;
    RETURN_IF_ERROR(txn->Scan(timeline, "", [&](std::string_view key, std::string_view) {
      entries.emplace_back(key);
      return true;
    }));
    for (const std::string& key : entries) txn->Delete(key);
  }
  for (const v1::EventEnvelope& e : removed) {
    txn->Delete(timeline + TimelinePlace(e));
    if (e.has_fact_corrected()) {
      txn->Delete(CorrectionsKey(record, e.fact_corrected().corrected_event_id()) + RecordedOrderKey(e));
    }
  }
  return removed;
}

absl::StatusOr<std::vector<v1::EventEnvelope>> EventsOf(const StateReader& state,
                                                        const std::vector<std::string>& records) {
  // Each record's events come in recorded order; several records' are merged by it.
  std::vector<std::pair<std::string, v1::EventEnvelope>> all;
  absl::Status parsed;
  for (const std::string& record : records) {
    const std::string p = NamedPrefix(prefix::kEvent, record);
    RETURN_IF_ERROR(state.Scan(p, "", [&](std::string_view key, std::string_view value) {
      v1::EventEnvelope e;
      if (!e.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        parsed = absl::DataLossError("stored event is unreadable");
        return false;
      }
      all.emplace_back(std::string(key.substr(p.size())), std::move(e));
      return true;
    }));
    RETURN_IF_ERROR(parsed);
  }
  if (records.size() > 1) {
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  std::vector<v1::EventEnvelope> events;
  events.reserve(all.size());
  for (auto& [order, e] : all) events.push_back(std::move(e));
  return events;
}

absl::StatusOr<v1::GetTimelineResponse> TimelineOf(const StateReader& state, const std::vector<std::string>& records,
                                                  uint32_t page_size, const std::string& page_token) {
  std::string after;
  if (!page_token.empty()) {
    if (!absl::WebSafeBase64Unescape(page_token, &after) || after.size() != kTimelinePlaceBytes) {
      return absl::InvalidArgumentError("page_token: not a token from a previous page");
    }
  }
  // Each record's next page_size + 1 entries, merged by when things happened.
  std::map<std::string, std::string> merged;  // place -> item
  for (const std::string& record : records) {
    const std::string p = NamedPrefix(prefix::kTimeline, record);
    uint32_t taken = 0;
    RETURN_IF_ERROR(state.Scan(p, after.empty() ? "" : p + after, [&](std::string_view key, std::string_view value) {
      std::string place(key.substr(p.size()));
      if (!after.empty() && place <= after) return true;
      merged.emplace(std::move(place), std::string(value));
      return ++taken <= page_size;
    }));
  }
  v1::GetTimelineResponse response;
  response.set_subject_key(records.front());
  std::string last;
  for (const auto& [place, bytes] : merged) {
    if (response.entries_size() == static_cast<int>(page_size)) {
      response.set_next_page_token(absl::WebSafeBase64Escape(last));
      break;
    }
    v1::TimelineItem item;
    if (!item.ParseFromString(bytes)) return absl::DataLossError("stored timeline entry is unreadable");
    std::optional<std::string> event_bytes;
    const std::string* holder = nullptr;  // the record whose own event it is
    if (item.has_event()) {
      event_bytes = item.event();
    } else {
      // The record's own event, by its order; one of `records` holds it.
      for (const std::string& record : records) {
        ASSIGN_OR_RETURN(event_bytes, state.Get(EventKey(record, item.order())));
        holder = &record;
        if (event_bytes.has_value()) break;
      }
      if (!event_bytes.has_value()) return absl::DataLossError("a timeline entry's event is missing");
    }
    v1::EventEnvelope e;
    if (!e.ParseFromString(*event_bytes)) return absl::DataLossError("stored event is unreadable");
    v1::TimelineEntry* entry = response.add_entries();
    *entry->mutable_provenance() = ProvenanceOf(e);
    entry->set_summary(TimelineSummary(e));
    // The history is kept as recorded; a corrected fact says what became of it.
    if (holder != nullptr) RETURN_IF_ERROR(NoteCorrection(state, *holder, e, entry));
    last = place;
  }
  return response;
}

}  // namespace safeguard::mappa
