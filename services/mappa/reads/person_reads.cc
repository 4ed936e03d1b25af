#include "services/mappa/reads/person_reads.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/reflection.h"
#include "common/enum_name.h"
#include "common/security/access_policy.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/mappa/alerts/alert_rules.h"
#include "services/mappa/identity/identity_index.h"
#include "services/mappa/identity/match.h"
#include "services/mappa/ingest/erasure.h"
#include "services/mappa/projection/person_views.h"
#include "services/mappa/projection/record_events.h"
#include "services/mappa/projection/risk_projection.h"
#include "services/mappa/reads/paging.h"
#include "services/mappa/reads/subject_lookup.h"

namespace safeguard::mappa {
namespace {

namespace v = safeguard::validation;
namespace v1 = safeguard::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr char kRiskView[] = "mappa.RiskView";
constexpr char kChildInContact[] = "mappa.RiskView/child-in-contact";
constexpr char kTimeline[] = "mappa.Timeline";
constexpr char kFindPerson[] = "mappa.FindPerson";
constexpr uint32_t kDefaultResults = 10;
constexpr uint32_t kMaxResults = 50;

// The RiskView list each section is.
const FieldDescriptor* SectionField(v1::RiskViewSection section) {
  static constexpr std::pair<v1::RiskViewSection, const char*> kFields[] = {
      {v1::CONVICTIONS, "convictions"},
      {v1::ORDERS, "orders"},
      {v1::UNMATCHED_BREACHES, "unmatched_breaches"},
      {v1::INTELLIGENCE, "intelligence"},
      {v1::SUPERVISIONS, "supervisions"},
      {v1::RISK_ASSESSMENTS, "risk_assessments"},
      {v1::CHILDREN_IN_CONTACT, "children_in_contact"},
      {v1::CONCERNS, "concerns"},
      {v1::REFERRALS, "referrals"},
      {v1::SECTION47_ENQUIRIES, "section47_enquiries"},
      {v1::CHILD_PROTECTION_PLANS, "child_protection_plans"},
      {v1::IDENTITY_LINKS, "identity_links"},
  };
  for (const auto& [s, name] : kFields) {
    if (s == section) return v1::RiskView::descriptor()->FindFieldByName(name);
  }
  return nullptr;
}

int SizeOf(const v1::RiskView& view, v1::RiskViewSection section) {
  return view.GetReflection()->FieldSize(view, SectionField(section));
}

const Message& EntryOf(const v1::RiskView& view, v1::RiskViewSection section, int i) {
  return view.GetReflection()->GetRepeatedMessage(view, SectionField(section), i);
}

size_t BytesOf(const v1::RiskView& view, v1::RiskViewSection section) {
  size_t bytes = 0;
  for (int i = 0; i < SizeOf(view, section); ++i) bytes += EntryOf(view, section, i).ByteSizeLong();
  return bytes;
}

// Keeps the last (most recent) `n` entries of the section.
void KeepLast(v1::RiskView* view, v1::RiskViewSection section, int n) {
  const int size = SizeOf(*view, section);
  if (size <= n) return;
  google::protobuf::MutableRepeatedFieldRef<Message> list =
      view->GetReflection()->GetMutableRepeatedFieldRef<Message>(view, SectionField(section));
  const int drop = size - n;
  for (int i = 0; i < n; ++i) list.SwapElements(i, i + drop);
  for (int i = 0; i < drop; ++i) list.RemoveLast();
}

// What a read of a person finds: who, by which reference, and their picture as of today.
struct Found {
  std::string reference;
  std::optional<v1::RiskView> view;  // nullopt: no one is held under the reference
  std::vector<std::string> children_consulted;
  std::vector<v1::RecordRestriction> restricted;  // restrictions on the person's records
};

// Refused: a restricted record of the person's, and who may read it.
absl::Status Restricted(const std::vector<v1::RecordRestriction>& restrictions) {
  const v1::RecordRestriction& r = restrictions.front();
  const std::string agency = security::AgencyName(r.agency());
  return absl::PermissionDeniedError(absl::StrCat(agency, "'s record of this person is ", r.notice(), " (decision ",
                                                  r.decision_id(), "): only ", agency,
                                                  "'s data protection officer may read it, through ", agency));
}

absl::StatusOr<Found> FindPicture(const StateReader& state, const crypto::KeyVault* vault, const v1::SubjectRef& subject,
                                  absl::CivilDay today) {
  Found found;
  ASSIGN_OR_RETURN(found.reference, LookupReference(subject, "subject"));
  ASSIGN_OR_RETURN(std::optional<Person> person, FindPerson(state, found.reference));
  if (!person.has_value()) return found;
  ASSIGN_OR_RETURN(found.restricted, RestrictionsOf(state, vault, person->records));
  if (!found.restricted.empty()) return found;  // nothing of them is read
  ASSIGN_OR_RETURN(found.view, PersonFacts(state, person->key));
  if (!found.view.has_value()) return found;
  v1::RiskView& view = *found.view;
  ComputeAsOf(today, &view);
  // Each child in contact brings its own record's open child protection plans.
  for (v1::ChildInContact& c : *view.mutable_children_in_contact()) {
    if (!c.current() || c.child().childrens_case_id().empty()) continue;
    ASSIGN_OR_RETURN(std::optional<Person> child, FindPerson(state, absl::StrCat("childrens:", c.child().childrens_case_id())));
    if (!child.has_value()) continue;  // children's services hold no record
    ASSIGN_OR_RETURN(const std::vector<v1::RecordRestriction> restricted, RestrictionsOf(state, vault, child->records));
    if (!restricted.empty()) continue;  // the child's record is restricted: none of it is read
    ASSIGN_OR_RETURN(std::optional<v1::RiskView> facts, PersonFacts(state, child->key));
    if (!facts.has_value()) continue;
    found.children_consulted.insert(found.children_consulted.end(), child->records.begin(), child->records.end());
    for (const auto& plan : facts->child_protection_plans()) {
      if (!plan.has_ending()) *c.add_open_plans() = plan;
    }
    if (c.open_plans_size() > 0) view.mutable_flags()->set_child_in_contact_has_open_protection_plan(true);
  }
  ASSIGN_OR_RETURN(std::vector<v1::IdentityLink> links,
                   LinksOf(state, {view.linked_records().begin(), view.linked_records().end()}));
  for (v1::IdentityLink& link : links) *view.add_identity_links() = std::move(link);
  return found;
}

// The records the answer about `found` holds, as consultations of `view`.
std::vector<Consultation> Consulted(const Found& found, const std::string& view) {
  if (!found.view.has_value()) return {Consultation{.view = view, .subjects = {found.reference}}};
  std::vector<Consultation> consulted = {
      Consultation{.view = view, .subjects = {found.view->linked_records().begin(), found.view->linked_records().end()}}};
  if (!found.children_consulted.empty()) {
    consulted.push_back(Consultation{.view = kChildInContact, .subjects = found.children_consulted});
  }
  return consulted;
}

absl::Status NotHeld(const std::string& reference) {
  return absl::NotFoundError(absl::StrCat("no subject is known as ", reference));
}

// Not held: and if an agency erased what it held under `reference`, when and why.
absl::StatusOr<absl::Status> NotHeldOrErased(const StateReader& state, const crypto::KeyVault* vault,
                                             const std::string& reference) {
  ASSIGN_OR_RETURN(const std::vector<v1::DataProtectionNotice> erased, ErasuresOf(state, vault, {reference}));
  if (erased.empty()) return NotHeld(reference);
  std::vector<std::string> said;
  for (const v1::DataProtectionNotice& n : erased) {
    said.push_back(absl::StrCat(security::AgencyName(n.agency()), "'s record was ", n.notice()));
  }
  return absl::NotFoundError(absl::StrCat("no subject is known as ", reference, ": ", absl::StrJoin(said, "; ")));
}


}  // namespace

static_assert(kKeptPerList >= kMaxShownPerSection, "a stored picture holds at least what GetRiskView shows");

void ShortenLongLists(v1::RiskView* view) {
  std::vector<v1::RiskViewSection> sections;
  for (int s = v1::CONVICTIONS; s <= v1::IDENTITY_LINKS; ++s) sections.push_back(static_cast<v1::RiskViewSection>(s));
  std::map<v1::RiskViewSection, int> total;
  for (v1::RiskViewSection s : sections) total[s] = SizeOf(*view, s);
  // A list the stored picture already holds only the newest of counts its whole.
  for (const v1::SectionShown& stored : view->shortened_sections()) total[stored.section()] = static_cast<int>(stored.total());
  for (v1::RiskViewSection s : sections) KeepLast(view, s, kMaxShownPerSection);
  // Within the byte budget: the longest list (in bytes) halves until the whole fits.
  while (view->ByteSizeLong() > kMaxRiskViewBytes) {
    v1::RiskViewSection largest = v1::RISK_VIEW_SECTION_UNSPECIFIED;
    size_t largest_bytes = 0;
    for (v1::RiskViewSection s : sections) {
      if (SizeOf(*view, s) <= 1) continue;
      const size_t bytes = BytesOf(*view, s);
      if (bytes > largest_bytes) {
        largest = s;
        largest_bytes = bytes;
      }
    }
    if (largest == v1::RISK_VIEW_SECTION_UNSPECIFIED) break;  // one entry of each: as small as it gets
    KeepLast(view, largest, SizeOf(*view, largest) / 2);
  }
  view->clear_shortened_sections();
  for (v1::RiskViewSection s : sections) {
    const int shown = SizeOf(*view, s);
    if (shown == total[s]) continue;
    v1::SectionShown* entry = view->add_shortened_sections();
    entry->set_section(s);
    entry->set_total(static_cast<uint32_t>(total[s]));
    entry->set_shown(static_cast<uint32_t>(shown));
  }
}

absl::StatusOr<RecordedAnswer<v1::RiskView>> PersonReads::Answer(const v1::GetRiskViewRequest& request) {
  v::Violations problems;
  problems.Check(LookupReference(request.subject(), "subject").status());
  CheckPurpose(request.purpose(), &problems);
  RETURN_IF_ERROR(problems.status());
  const absl::CivilDay today = DayOf(clock_());
  const Snapshot snapshot = state_->Read();
  ASSIGN_OR_RETURN(Found found, FindPicture(snapshot, vault_, request.subject(), today));
  RecordedAnswer<v1::RiskView> recorded;
  recorded.purpose = request.purpose();
  recorded.consulted = Consulted(found, kRiskView);
  if (!found.restricted.empty()) {
    recorded.answer = Restricted(found.restricted);
    return recorded;
  }
  if (!found.view.has_value()) {
    ASSIGN_OR_RETURN(recorded.answer, NotHeldOrErased(snapshot, vault_, found.reference));
    return recorded;
  }
  v1::RiskView& view = *found.view;
  ASSIGN_OR_RETURN(std::vector<v1::DataProtectionNotice> erased,
                   ErasuresOf(snapshot, vault_, {view.linked_records().begin(), view.linked_records().end()}));
  for (v1::DataProtectionNotice& n : erased) *view.add_data_protection() = std::move(n);
  for (v1::Alert& alert : ComputeAlerts(view)) *view.add_alerts() = std::move(alert);
  ShortenLongLists(&view);
  recorded.answer = std::move(view);
  return recorded;
}

absl::StatusOr<RecordedAnswer<v1::RiskViewSectionPage>> PersonReads::Answer(
    const v1::GetRiskViewSectionRequest& request) {
  v::Violations problems;
  problems.Check(LookupReference(request.subject(), "subject").status());
  CheckPurpose(request.purpose(), &problems);
  problems.Check(v::RequireEnum("section", request.section(), v1::RiskViewSection_descriptor()));
  const std::optional<uint32_t> page_size = problems.Take(PageSize(request.page_size(), kMaxSectionPage));
  RETURN_IF_ERROR(problems.status());
  // The token is the index (from the oldest) the next page ends before: new entries,
  // added at the end, do not move a page already given.
  std::optional<int> end;
  if (!request.page_token().empty()) {
    int parsed = 0;
    if (!absl::SimpleAtoi(request.page_token(), &parsed) || parsed <= 0) {
      return v::FieldError("page_token", "is not a token from a previous page");
    }
    end = parsed;
  }
  const Snapshot snapshot = state_->Read();
  ASSIGN_OR_RETURN(Found found, FindPicture(snapshot, vault_, request.subject(), DayOf(clock_())));
  const std::string view_name =
      absl::StrCat(kRiskView, "/", absl::AsciiStrToLower(EnumName(request.section())));
  RecordedAnswer<v1::RiskViewSectionPage> recorded;
  recorded.purpose = request.purpose();
  recorded.consulted = Consulted(found, view_name);
  if (request.section() != v1::CHILDREN_IN_CONTACT && recorded.consulted.size() > 1) recorded.consulted.resize(1);
  if (!found.restricted.empty()) {
    recorded.answer = Restricted(found.restricted);
    return recorded;
  }
  if (!found.view.has_value()) {
    ASSIGN_OR_RETURN(recorded.answer, NotHeldOrErased(snapshot, vault_, found.reference));
    return recorded;
  }
  // A list the stored picture holds only the newest of is folded again whole, from the
  // same snapshot (so of exactly the records recorded as consulted).
  std::optional<v1::RiskView> in_full;
  for (const v1::SectionShown& stored : found.view->shortened_sections()) {
    if (stored.section() != request.section()) continue;
    ASSIGN_OR_RETURN(in_full, PersonFactsInFull(snapshot, found.view->subject_key(),
                                                {found.view->linked_records().begin(), found.view->linked_records().end()}));
  }
  const v1::RiskView& all = in_full.has_value() ? *in_full : *found.view;
  const int total = SizeOf(all, request.section());
  const int stop = std::min(end.value_or(total), total);
  const int start = std::max(0, stop - static_cast<int>(*page_size));
  v1::RiskViewSectionPage page;
  page.set_subject_key(found.view->subject_key());
  page.set_section(request.section());
  page.set_total(static_cast<uint32_t>(total));
  v1::RiskView* entries = page.mutable_entries();
  for (int i = stop - 1; i >= start; --i) {  // most recent first
    entries->GetReflection()->AddMessage(entries, SectionField(request.section()))->CopyFrom(EntryOf(all, request.section(), i));
  }
  if (start > 0) page.set_next_page_token(absl::StrCat(start));
  recorded.answer = std::move(page);
  return recorded;
}

absl::StatusOr<RecordedAnswer<v1::GetTimelineResponse>> PersonReads::Answer(const v1::GetTimelineRequest& request) {
  v::Violations problems;
  const std::optional<uint32_t> page_size = problems.Take(PageSize(request.page_size()));
  const std::optional<std::string> found = problems.Take(LookupReference(request.subject(), "subject"));
  CheckPurpose(request.purpose(), &problems);
  RETURN_IF_ERROR(problems.status());
  const std::string& reference = *found;
  const Snapshot snapshot = state_->Read();
  RecordedAnswer<v1::GetTimelineResponse> recorded;
  recorded.purpose = request.purpose();
  ASSIGN_OR_RETURN(std::optional<Person> person, FindPerson(snapshot, reference));
  if (!person.has_value()) {
    ASSIGN_OR_RETURN(recorded.answer, NotHeldOrErased(snapshot, vault_, reference));
    recorded.consulted = {Consultation{.view = kTimeline, .subjects = {reference}}};
    return recorded;
  }
  ASSIGN_OR_RETURN(const std::vector<v1::RecordRestriction> restricted, RestrictionsOf(snapshot, vault_, person->records));
  if (!restricted.empty()) {
    recorded.answer = Restricted(restricted);
    recorded.consulted = {Consultation{.view = kTimeline, .subjects = person->records}};
    return recorded;
  }
  recorded.answer = TimelineOf(snapshot, person->records, *page_size, request.page_token());
  if (!recorded.answer.ok() && !absl::IsNotFound(recorded.answer.status())) return recorded.answer.status();
  recorded.consulted = {Consultation{.view = kTimeline, .subjects = person->records}};
  return recorded;
}

absl::StatusOr<RecordedAnswer<v1::FindPersonResponse>> PersonReads::Answer(const v1::FindPersonRequest& request) {
  v::Violations problems;
  const v1::SubjectRef& s = request.subject();
  const absl::CivilDay today = DayOf(clock_());
  // A name is searched by its letters: one with none would leave the date of birth alone
  // to search by, and list everyone born that day.
  auto name = [&](const std::string& field, const std::string& written, bool required) {
    const bool ok = problems.Check(required ? v::RequireText(field, written, v::kNameMax)
                                            : v::OptionalText(field, written, v::kNameMax));
    if (ok && !written.empty() && !HasName(written)) problems.Add(field, "must hold a name: it has no letters");
  };
  name("subject.family_name", s.family_name(), true);
  name("subject.given_name", s.given_name(), false);
  v1::SubjectRef searched;
  searched.set_given_name(s.given_name());
  searched.set_family_name(s.family_name());
  if (problems.Check(v::MaxCount("subject.aliases", s.aliases_size(), 20))) {
    for (int i = 0; i < s.aliases_size(); ++i) {
      name(v::Element("subject.aliases", i), s.aliases(i), true);
      searched.add_aliases(s.aliases(i));
    }
  }
  if (!s.date_of_birth().empty() && request.year_of_birth() != 0) {
    problems.Add("year_of_birth", "must be empty when subject.date_of_birth is given");
  } else if (!s.date_of_birth().empty()) {
    if (problems.Take(v::RequirePastDate("subject.date_of_birth", s.date_of_birth(), today))) {
      searched.set_date_of_birth(s.date_of_birth());
    }
  } else if (request.year_of_birth() != 0) {
    if (request.year_of_birth() < 1900 || request.year_of_birth() > today.year()) {
      problems.Add("year_of_birth", absl::StrCat("must be a year from 1900 to ", today.year()));
    } else {
      // Only the year known: searched as 1 January of it, as agencies record such a date.
      searched.set_date_of_birth(absl::StrCat(request.year_of_birth(), "-01-01"));
    }
  } else {
    problems.Add("subject.date_of_birth", "is required (YYYY-MM-DD), or year_of_birth when only the year is known");
  }
  for (const char* reference : {"pnc_id", "visor_ref", "probation_case_ref", "childrens_case_id"}) {
    const auto* f = v1::SubjectRef::descriptor()->FindFieldByName(reference);
    if (!s.GetReflection()->GetString(s, f).empty()) {
      problems.Add(absl::StrCat("subject.", reference), "is not searched: GetRiskView reads a person by reference");
    }
  }
  CheckPurpose(request.purpose(), &problems);
  if (request.max_results() > kMaxResults) problems.Add("max_results", absl::StrCat("must be at most ", kMaxResults));
  RETURN_IF_ERROR(problems.status());
  const uint32_t limit = request.max_results() == 0 ? kDefaultResults : request.max_results();

  const Snapshot snapshot = state_->Read();
  ASSIGN_OR_RETURN(const std::vector<ScoredRecord> scored,
                   CompareWithRecords(snapshot, ProfileOf(searched), kSearchWeight));
  v1::FindPersonResponse response;
  std::set<std::string> people;
  Consultation consulted{.view = kFindPerson,
                         .query = absl::StrCat("name and date of birth: ", searched.given_name(), " ",
                                               searched.family_name(), ", ", searched.date_of_birth(),
                                               request.year_of_birth() != 0 ? " (year only)" : "",
                                               searched.aliases().empty() ? "" : "; also known as ",
                                               absl::StrJoin(searched.aliases(), "; "))};
  for (const ScoredRecord& r : scored) {
    if (response.candidates_size() == static_cast<int>(limit)) break;
    ASSIGN_OR_RETURN(const Person person, PersonOf(snapshot, r.record));
    if (!people.insert(person.key).second) continue;  // the person's best record is listed already
    v1::PersonCandidate* c = response.add_candidates();
    c->set_person_key(person.key);
    for (const std::string& record : person.records) {
      c->add_linked_records(record);
      consulted.subjects.push_back(record);
    }
    c->set_record_key(r.record);
    ASSIGN_OR_RETURN(const std::vector<v1::RecordRestriction> restricted, RestrictionsOf(snapshot, vault_, person.records));
    if (!restricted.empty()) {
      // Listed, so that no one concludes there is no record; nothing of it shown.
      for (const v1::RecordRestriction& x : restricted) {
        v1::DataProtectionNotice* n = c->add_data_protection();
        n->set_agency(x.agency());
        n->set_notice(x.notice());
      }
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<v1::IdentityRecord> known, RecordIdentityOf(snapshot, r.record));
    if (known.has_value()) *c->mutable_identity() = known->identity();
    *c->mutable_match() = r.score;
  }
  RecordedAnswer<v1::FindPersonResponse> recorded;
  recorded.purpose = request.purpose();
  recorded.consulted = {std::move(consulted)};
  recorded.answer = std::move(response);
  return recorded;
}

void PersonReads::Handle(const v1::FindPersonRequest& request, const CallContext& call,
                         Reply<v1::FindPersonResponse> reply) {
  GiveWhenRecorded(*access_, call, Answer(request), std::move(reply));
}

void PersonReads::Handle(const v1::GetRiskViewRequest& request, const CallContext& call, Reply<v1::RiskView> reply) {
  GiveWhenRecorded(*access_, call, Answer(request), std::move(reply));
}
void PersonReads::Handle(const v1::GetRiskViewSectionRequest& request, const CallContext& call,
                         Reply<v1::RiskViewSectionPage> reply) {
  GiveWhenRecorded(*access_, call, Answer(request), std::move(reply));
}
void PersonReads::Handle(const v1::GetTimelineRequest& request, const CallContext& call,
                         Reply<v1::GetTimelineResponse> reply) {
  GiveWhenRecorded(*access_, call, Answer(request), std::move(reply));
}

}  // namespace safeguard::mappa
