#include "services/mappa/projection/person_views.h"

#include <algorithm>

#include "common/status_macros.h"
#include "services/mappa/projection/recorded_order.h"
#include "services/mappa/projection/risk_projection.h"
#include "services/mappa/state/prefixes.h"

namespace safeguard::mappa {
namespace {

namespace v1 = safeguard::v1;

std::string ViewKey(const std::string& person) { return prefix::kPersonView + person; }
std::string DueKey(const std::string& person) { return prefix::kDisclosureDue + person; }

// The person's entry on the s.327A list, if `facts` put them on it.
std::optional<v1::DisclosureNotConsidered> DueEntry(const v1::RiskView& facts) {
  const v1::DisclosureConsideration d = DisclosureConsiderationOf(facts);
  if (!d.duty_applies() || d.considered_at_latest_review()) return std::nullopt;
  v1::DisclosureNotConsidered s;
  s.set_subject_key(facts.subject_key());
  *s.mutable_identity() = facts.identity();
  if (facts.has_latest_mappa_review()) {
    s.set_category(facts.latest_mappa_review().review().category());
    s.set_level(facts.latest_mappa_review().review().level());
  } else if (facts.has_mappa_proposal()) {
    s.set_category(facts.mappa_proposal().proposal().category());
    s.set_level(facts.mappa_proposal().proposal().level());
  } else {
    s.set_category(1);  // by statute (d.statutory_reason says why); no level set yet
  }
  *s.mutable_consideration() = d;
  return s;
}

// Drops all but the newest `keep` entries of `list`, except the newest entry older than
// those for which `pinned` holds when none of those kept does (so a flag that any entry
// raises stays raised). Returns how many were dropped.
template <typename T, typename Pinned>
uint32_t KeepNewest(google::protobuf::RepeatedPtrField<T>* list, int keep, Pinned pinned) {
  const int drop = list->size() - keep;
  if (drop <= 0) return 0;
  int pin = -1;
  if (std::none_of(list->begin() + drop, list->end(), pinned)) {
    for (int i = drop - 1; i >= 0; --i) {
      if (pinned(list->Get(i))) {
        pin = i;
        break;
      }
    }
  }
  if (pin < 0) {
    list->DeleteSubrange(0, drop);
    return static_cast<uint32_t>(drop);
  }
  list->DeleteSubrange(pin + 1, drop - pin - 1);
  list->DeleteSubrange(0, pin);
  return static_cast<uint32_t>(drop - 1);
}

// Shortens the picture's growing lists to their newest kKeptPerList entries, counting in
// its `dropped` what was left out.
void ShortenGrowingLists(v1::StoredPicture* picture) {
  v1::RiskView* view = picture->mutable_facts();
  auto none = [](const auto&) { return false; };
  auto count = [picture](v1::RiskViewSection section, uint32_t n) {
    if (n > 0) (*picture->mutable_dropped())[section] += n;
  };
  count(v1::INTELLIGENCE, KeepNewest(view->mutable_intelligence(), kKeptPerList, [](const v1::IntelligenceFact& i) {
          return i.intelligence().concerns_children();
        }));
  count(v1::CONCERNS, KeepNewest(view->mutable_concerns(), kKeptPerList, none));
  count(v1::REFERRALS, KeepNewest(view->mutable_referrals(), kKeptPerList, none));
}

// The facts a stored picture holds, naming each list it holds only the newest of.
v1::RiskView FactsOf(v1::StoredPicture stored) {
  v1::RiskView facts = std::move(*stored.mutable_facts());
  facts.clear_shortened_sections();
  // In section order (a protobuf map's order is unspecified, and the audit's replay
  // compares pictures byte for byte).
  for (const v1::RiskViewSection section : {v1::INTELLIGENCE, v1::CONCERNS, v1::REFERRALS}) {
    const auto it = stored.dropped().find(section);
    if (it == stored.dropped().end() || it->second == 0) continue;
    const uint32_t dropped = it->second;
    v1::SectionShown* shown = facts.add_shortened_sections();
    shown->set_section(section);
    const int size = section == v1::INTELLIGENCE ? facts.intelligence_size()
                     : section == v1::CONCERNS   ? facts.concerns_size()
                                                 : facts.referrals_size();
    shown->set_shown(static_cast<uint32_t>(size));
    shown->set_total(static_cast<uint32_t>(size) + dropped);
  }
  return facts;
}

}  // namespace

absl::StatusOr<PersonFolder::Picture*> PersonFolder::Load(const std::string& person_key) {
  auto it = pictures_.find(person_key);
  if (it != pictures_.end()) return &it->second;
  Picture p;
  ASSIGN_OR_RETURN(std::optional<v1::StoredPicture> stored,
                   GetMessage<v1::StoredPicture>(*txn_, ViewKey(person_key), "picture"));
  if (stored.has_value()) {
    p.stored = std::move(*stored);
    p.was_due = DueEntry(p.view()).has_value();
  } else {
    p.view().set_subject_key(person_key);
  }
  return &pictures_.emplace(person_key, std::move(p)).first->second;
}

absl::Status PersonFolder::Apply(const std::string& record, const v1::EventEnvelope& e, std::string_view bytes) {
  events_.File(record, e, bytes);
  if (mode_ == Mode::kFileOnly) return absl::OkStatus();
  ASSIGN_OR_RETURN(const Person person, identity_->PersonOf(record));
  ASSIGN_OR_RETURN(Picture * p, Load(person.key));
  if (p->refold) return absl::OkStatus();
  const std::string order = RecordedOrderKey(e);
  // A correction changes a fact folded already: the picture is folded again at the end.
  if (e.has_fact_corrected() || (!p->stored.folded_to().empty() && order < p->stored.folded_to())) {
    p->refold = true;  // earlier than what the picture holds: folded again at the end
    return absl::OkStatus();
  }
  ApplyEvent(e, &p->view());
  p->stored.set_folded_to(order);
  p->dirty = true;
  return absl::OkStatus();
}

absl::Status PersonFolder::Refold(const std::string& record) {
  if (mode_ == Mode::kFileOnly) return absl::OkStatus();  // every picture is folded once the filing ends
  ASSIGN_OR_RETURN(const Person person, identity_->PersonOf(record));
  ASSIGN_OR_RETURN(Picture * p, Load(person.key));
  p->refold = true;
  return absl::OkStatus();
}

absl::StatusOr<PictureChanges> PersonFolder::Flush(const Reshaped& reshaped) {
  PictureChanges changes;
  std::map<std::string, std::vector<std::string>> records_of;
  for (const Person& person : reshaped.persons) {
    ASSIGN_OR_RETURN(Picture * p, Load(person.key));
    p->refold = true;
    records_of[person.key] = person.records;
  }
  for (const std::string& key : reshaped.gone) {
    ASSIGN_OR_RETURN(Picture * p, Load(key));
    txn_->Delete(ViewKey(key));
    if (p->was_due) txn_->Delete(DueKey(key));
    pictures_.erase(key);
    changes.gone.push_back(key);
  }
  for (auto& [key, p] : pictures_) {
    if (!records_of.contains(key)) {
      ASSIGN_OR_RETURN(const Person person, identity_->PersonOf(key));
      records_of[key] = person.records;
    }
    const std::vector<std::string>& records = records_of[key];
    if (p.refold) {
      ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events, EventsOf(*txn_, records));
      p.stored.Clear();
      p.view().set_subject_key(key);
      FoldEvents(events, &p.view());
      if (!events.empty()) p.stored.set_folded_to(RecordedOrderKey(events.back()));
      if (events.empty()) {
        // Records decided upon before any of their events arrived: no picture yet.
        txn_->Delete(ViewKey(key));
        if (p.was_due) txn_->Delete(DueKey(key));
        changes.gone.push_back(key);
        continue;
      }
      p.dirty = true;
    }
    if (!p.dirty) continue;
    v1::RiskView& view = p.view();
    view.set_subject_key(key);
    view.clear_linked_records();
    for (const std::string& r : records) view.add_linked_records(r);
    ShortenGrowingLists(&p.stored);
    txn_->Put(ViewKey(key), p.stored.SerializeAsString());
    if (std::optional<v1::DisclosureNotConsidered> due = DueEntry(view)) {
      txn_->Put(DueKey(key), due->SerializeAsString());
    } else if (p.was_due) {
      txn_->Delete(DueKey(key));
    }
    changes.changed[key] = &view;
  }
  return changes;
}

absl::StatusOr<std::optional<v1::RiskView>> PersonFacts(const StateReader& state, const std::string& person_key) {
  ASSIGN_OR_RETURN(std::optional<v1::StoredPicture> stored,
                   GetMessage<v1::StoredPicture>(state, ViewKey(person_key), "picture"));
  if (!stored.has_value()) return std::nullopt;
  return FactsOf(std::move(*stored));
}

absl::StatusOr<std::optional<v1::RiskView>> PersonFactsInFull(const StateReader& state, const std::string& person_key,
                                                             const std::vector<std::string>& records) {
  ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events, EventsOf(state, records));
  if (events.empty()) return std::nullopt;
  v1::RiskView facts;
  FoldEvents(events, &facts);
  facts.set_subject_key(person_key);
  for (const std::string& r : records) facts.add_linked_records(r);
  return facts;
}

absl::Status VisitPeople(const StateReader& state, const std::string& after,
                         const std::function<bool(const v1::RiskView&)>& visit) {
  absl::Status parsed;
  RETURN_IF_ERROR(state.Scan(prefix::kPersonView, after.empty() ? "" : ViewKey(after),
                             [&](std::string_view key, std::string_view value) {
                               if (!after.empty() && key.substr(1) == after) return true;
                               v1::StoredPicture stored;
                               if (!stored.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                                 parsed = absl::DataLossError("stored picture is unreadable");
                                 return false;
                               }
                               return visit(FactsOf(std::move(stored)));
                             }));
  return parsed;
}

absl::StatusOr<v1::ListDisclosureNotConsideredResponse> DisclosureNotConsidered(const StateReader& state,
                                                                              uint32_t page_size,
                                                                              const std::string& page_token) {
  v1::ListDisclosureNotConsideredResponse response;
  absl::Status parsed;
  RETURN_IF_ERROR(state.Scan(prefix::kDisclosureDue, page_token.empty() ? "" : DueKey(page_token),
                             [&](std::string_view key, std::string_view value) {
                               if (!page_token.empty() && key.substr(1) == page_token) return true;
                               if (response.subjects_size() == static_cast<int>(page_size)) {
                                 response.set_next_page_token(
                                     response.subjects(response.subjects_size() - 1).subject_key());
                                 return false;
                               }
                               if (!response.add_subjects()->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                                 parsed = absl::DataLossError("stored s.327A entry is unreadable");
                                 return false;
                               }
                               return true;
                             }));
  RETURN_IF_ERROR(parsed);
  return response;
}

}  // namespace safeguard::mappa
