// The identity rules (identity.h) and the identity index (identity_index.h): automatic links
// on a shared national identifier, name and date of birth only proposed, MAPPA decisions
// combining and separating pictures, and replay reproducing all of it.
#include "services/mappa/identity/identity.h"
#include "services/mappa/identity/match.h"

#include <algorithm>
#include <iterator>

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "tests/testing/mappa_test_state.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;
using google::protobuf::util::MessageDifferencer;
using safeguard::testing::EventFactory;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kProbation[] = "probation:X123456";
constexpr char kChildrens[] = "childrens:CS-2001";
constexpr char kPolice[] = "pnc:2019/0012345X";

TEST(NormaliseNameTest, IgnoresCaseSpacesPunctuationAndDiacritics) {
  EXPECT_EQ(NormaliseName("John O'Neill"), "johnoneill");
  EXPECT_EQ(NormaliseName("  JOHN   O NEILL "), "johnoneill");
  EXPECT_EQ(NormaliseName("John O\u2019Neill"), "johnoneill");          // curly apostrophe
  EXPECT_EQ(NormaliseName("Zoë Brontë-Łukasz"), "zoebrontelukasz");
  EXPECT_EQ(NormaliseName("Zoe\u0308 Bronte\u0308"), "zoebronte");       // decomposed accents
  EXPECT_EQ(NormaliseName("Søren Ærø Straße"), "sorenaerostrasse");
  EXPECT_EQ(NormaliseName("José Álvarez"), NormaliseName("JOSE ALVAREZ"));
  EXPECT_EQ(NormaliseName("Иван Петров"), "ИванПетров");                 // another script kept
  EXPECT_EQ(NormaliseName("Mary-Jane\u00a0Watson (2)"), "maryjanewatson");
  EXPECT_NE(NormaliseName("John Smith"), NormaliseName("John Smyth"));
}

TEST(LinkIdTest, SameForEitherOrderDifferentForDifferentPairs) {
  EXPECT_EQ(LinkIdFor(kProbation, kChildrens), LinkIdFor(kChildrens, kProbation));
  EXPECT_NE(LinkIdFor(kProbation, kChildrens), LinkIdFor(kProbation, kPolice));
  EXPECT_THAT(LinkIdFor(kProbation, kChildrens), ::testing::MatchesRegex("link-[0-9a-f]{20}"));
}

TEST(EffectiveStatusTest, TheLatestDecisionOverridesTheEvidence) {
  IdentityLink link;
  EXPECT_EQ(EffectiveStatus(link), IDENTITY_LINK_STATUS_UNSPECIFIED);
  link.set_name_match(true);
  EXPECT_EQ(EffectiveStatus(link), CANDIDATE);
  link.set_national_identifier_match(true);
  EXPECT_EQ(EffectiveStatus(link), LINKED);
  link.set_decision(UNLINKED);
  EXPECT_EQ(EffectiveStatus(link), UNLINKED);
}

// A person's facts spread over probation and children's services under local references.
class IdentityIndexTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Open(dir_); }

  static std::unique_ptr<testing::MappaTestState> Open(const TempDir& dir) {
    return std::make_unique<testing::MappaTestState>(
        dir.path(), [] { return absl::FromCivil(absl::CivilDay(2024, 7, 15), absl::UTCTimeZone()); });
  }

  static SubjectRef Person(const std::string& given, const std::string& family, const std::string& dob) {
    SubjectRef s;
    s.set_given_name(given);
    s.set_family_name(family);
    s.set_date_of_birth(dob);
    return s;
  }

  // Probation: a licence forbidding unsupervised contact with children, under CRN X123456.
  std::vector<EventEnvelope> ProbationLicence(SubjectRef who) {
    who.set_probation_case_ref("X123456");
    auto start = f_.About(AGENCY_PROBATION, kProbation, who, "2023-01-09", [](EventEnvelope* e) {
      auto* s = e->mutable_supervision_started();
      s->set_supervision_ref("LIC-1");
      s->set_kind(LICENCE);
      s->set_start_date("2023-01-09");
    });
    auto conditions = f_.About(AGENCY_PROBATION, kProbation, who, "2023-01-09", [](EventEnvelope* e) {
      auto* c = e->mutable_licence_conditions_set();
      c->set_supervision_ref("LIC-1");
      auto* k = c->add_conditions();
      k->set_condition_ref("C1");
      k->set_kind(NO_UNSUPERVISED_CONTACT_WITH_CHILDREN);
    });
    return {start, conditions};
  }

  // Children's services: the adult (case CS-2001) regularly visits child CS-1001.
  EventEnvelope ChildrensVisit(SubjectRef who) {
    who.set_childrens_case_id("CS-2001");
    return f_.About(AGENCY_CHILDRENS_SERVICES, kChildrens, who, "2024-06-01", [](EventEnvelope* e) {
      auto* m = e->mutable_household_membership_recorded();
      m->set_membership_ref("HH-1");
      m->mutable_child()->set_childrens_case_id("CS-1001");
      m->set_contact(REGULARLY_VISITS);
      m->set_from_date("2024-06-01");
    });
  }

  std::vector<BusRecord> Records(const std::vector<EventEnvelope>& events) {
    std::vector<BusRecord> out;
    for (const auto& e : events) {
      out.push_back(BusRecord{.topic = "test.events", .partition = 0, .offset = next_offset_++,
                              .key = e.subject_key(), .value = e.SerializeAsString()});
    }
    return out;
  }
  void Apply(testing::MappaTestState* store, const std::vector<EventEnvelope>& events) {
    ASSERT_THAT(store->ApplyRecords(Records(events)), IsOk());
  }

  std::vector<std::string> Person(const std::string& record) { return *store_->PersonRecords(record); }

  // `replayed` holds what store_ does: each record's person's picture, and every link.
  void ExpectSamePicturesAndLinks(testing::MappaTestState& replayed) {
    for (const char* record : {kPolice, kProbation, kChildrens}) {
      auto original = store_->GetPersonView(record);
      auto again = replayed.GetPersonView(record);
      ASSERT_THAT(again, IsOk());
      EXPECT_TRUE(MessageDifferencer::Equals(*original, *again)) << record << "\n"
                                                                 << original->DebugString() << "\n---\n"
                                                                 << again->DebugString();
    }
    for (IdentityLinkStatus s : {CANDIDATE, LINKED, REJECTED, UNLINKED}) {
      EXPECT_TRUE(MessageDifferencer::Equals(*store_->ListLinks(s, 50, ""), *replayed.ListLinks(s, 50, "")))
          << store_->ListLinks(s, 50, "")->DebugString() << "\n---\n" << replayed.ListLinks(s, 50, "")->DebugString();
    }
  }
  std::vector<AlertRule> AlertRules() {
    std::vector<AlertRule> rules;
    auto alerts = store_->ListAlerts(ALERT_RULE_UNSPECIFIED, 100, "");
    EXPECT_THAT(alerts, IsOk());
    for (const Alert& a : alerts->alerts()) rules.push_back(a.rule());
    return rules;
  }
  std::vector<AlertChangeKind> ChangeKinds() {
    std::vector<AlertChangeKind> kinds;
    auto changes = store_->AlertChangesAfter(0, 100);
    EXPECT_THAT(changes, IsOk());
    for (const AlertChange& c : *changes) kinds.push_back(c.kind());
    return kinds;
  }

  TempDir dir_;
  std::unique_ptr<testing::MappaTestState> store_;
  EventFactory f_;
  int64_t next_offset_ = 0;
};

TEST_F(IdentityIndexTest, SameNameAndDateOfBirthIsOnlyProposed) {
  Apply(store_.get(), ProbationLicence(Person("John", "O'Neill", "1980-05-01")));
  Apply(store_.get(), {ChildrensVisit(Person("JOHN", "ONEILL", "1980-05-01"))});
  SubjectRef other = Person("John", "O'Neill", "1981-05-01");  // another man of the same name
  other.set_childrens_case_id("CS-3001");
  Apply(store_.get(), {f_.About(AGENCY_CHILDRENS_SERVICES, "childrens:CS-3001", other, "2024-06-01",
                                [](EventEnvelope* e) { e->mutable_concern_about_adult_recorded()->set_concern("x"); })});

  // Proposed, not linked: two pictures, no alert from pieces neither holds alone.
  EXPECT_THAT(Person(kProbation), ElementsAre(kProbation));
  EXPECT_THAT(Person(kChildrens), ElementsAre(kChildrens));
  EXPECT_THAT(AlertRules(), IsEmpty());
  auto candidates = store_->ListLinks(CANDIDATE, 50, "");
  ASSERT_THAT(candidates, IsOk());
  ASSERT_EQ(candidates->links_size(), 1);
  const IdentityLinkDetail& d = candidates->links(0);
  EXPECT_EQ(d.link().link_id(), LinkIdFor(kProbation, kChildrens));
  EXPECT_EQ(d.link().status(), CANDIDATE);
  EXPECT_TRUE(d.link().name_match());
  EXPECT_FALSE(d.link().national_identifier_match());
  // The reasons a MAPPA user decides on: each comparison, its level and weight.
  EXPECT_GE(d.link().match().weight(), kProposeWeight);
  EXPECT_THAT(d.link().match().ruled_out(), IsEmpty());
  std::vector<std::string> levels;
  for (const MatchReason& r : d.link().match().reasons()) levels.push_back(r.comparison() + ": " + r.level());
  EXPECT_THAT(levels, ::testing::IsSupersetOf({"given names: agree", "family name: agrees", "date of birth: agrees"}));
  EXPECT_EQ(d.record_a().record_key(), kChildrens);
  EXPECT_EQ(d.record_a().identity().family_name(), "ONEILL");
  EXPECT_EQ(d.record_b().identity().probation_case_ref(), "X123456");

  // Each view shows the proposal, so a reader knows another record may be the same person.
  auto view = store_->GetPersonView(kProbation);
  ASSERT_THAT(view, IsOk());
  ASSERT_EQ(view->identity_links_size(), 1);
  EXPECT_EQ(view->identity_links(0).status(), CANDIDATE);
  EXPECT_THAT(view->linked_records(), ElementsAre(kProbation));
}

TEST_F(IdentityIndexTest, AnAliasWithTheDateOfBirthIsProposedToo) {
  Apply(store_.get(), ProbationLicence(Person("John", "O'Neill", "1980-05-01")));
  SubjectRef alias = Person("Jack", "Neal", "1980-05-01");
  alias.add_aliases("John O\u2019Neill");
  Apply(store_.get(), {ChildrensVisit(alias)});
  auto candidates = store_->ListLinks(CANDIDATE, 50, "");
  ASSERT_EQ(candidates->links_size(), 1);
  // The alias agreed: the best-agreeing names of the two records are compared.
  EXPECT_EQ(candidates->links(0).link().match().reasons(0).detail(), "JOHN ~ JOHN (john: 1.5% of people)");
}

TEST_F(IdentityIndexTest, ConfirmingCombinesThePicturesAndUnlinkingSeparatesThem) {
  auto licence = ProbationLicence(Person("John", "O'Neill", "1980-05-01"));
  auto visit = ChildrensVisit(Person("John", "O'Neill", "1980-05-01"));
  Apply(store_.get(), licence);
  Apply(store_.get(), {visit});
  EXPECT_THAT(AlertRules(), IsEmpty());

  Apply(store_.get(), {f_.Decision(LINKED, kProbation, kChildrens, "Same man: photo and address match")});
  EXPECT_THAT(Person(kChildrens), ElementsAre(kProbation, kChildrens));
  auto view = store_->GetPersonView(kChildrens);
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(view->subject_key(), kProbation);  // the better key names the person
  EXPECT_EQ(view->supervisions_size(), 1);
  EXPECT_EQ(view->children_in_contact_size(), 1);
  EXPECT_EQ(view->events_applied(), 3u);
  EXPECT_THAT(view->references(), UnorderedElementsAre(kProbation, kChildrens));
  ASSERT_EQ(view->identity_links_size(), 1);
  EXPECT_EQ(view->identity_links(0).status(), LINKED);
  EXPECT_EQ(view->identity_links(0).decision_reason(), "Same man: photo and address match");
  EXPECT_EQ(view->identity_links(0).decision_provenance().agency(), AGENCY_MAPPA);

  // The combined picture raises what neither record did, naming both agencies' events.
  auto alerts = store_->ListAlerts(ALERT_RULE_UNSPECIFIED, 50, "");
  ASSERT_EQ(alerts->alerts_size(), 1);
  EXPECT_EQ(alerts->alerts(0).rule(), RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD);
  EXPECT_EQ(alerts->alerts(0).subject_key(), kProbation);
  EXPECT_THAT(alerts->alerts(0).raised_by_event_ids(),
              UnorderedElementsAre(licence[1].event_id(), visit.event_id()));

  // One timeline, in order, with the decision once.
  auto timeline = store_->GetTimeline(kChildrens, 2, "");
  ASSERT_THAT(timeline, IsOk());
  ASSERT_EQ(timeline->entries_size(), 2);
  EXPECT_EQ(timeline->subject_key(), kProbation);
  auto rest = store_->GetTimeline(kChildrens, 10, timeline->next_page_token());
  ASSERT_THAT(rest, IsOk());
  ASSERT_EQ(rest->entries_size(), 2);
  EXPECT_EQ(rest->entries(0).provenance().event_id(), visit.event_id());
  EXPECT_THAT(rest->entries(1).summary(), ::testing::HasSubstr("linked as one person"));
  EXPECT_TRUE(rest->next_page_token().empty());

  Apply(store_.get(), {f_.Decision(UNLINKED, kProbation, kChildrens, "Twins: different men")});
  EXPECT_THAT(Person(kProbation), ElementsAre(kProbation));
  EXPECT_THAT(Person(kChildrens), ElementsAre(kChildrens));
  EXPECT_EQ(store_->GetPersonView(kChildrens)->supervisions_size(), 0);
  EXPECT_EQ(store_->GetLink(LinkIdFor(kProbation, kChildrens))->status(), UNLINKED);
  EXPECT_THAT(AlertRules(), IsEmpty());
  EXPECT_THAT(ChangeKinds(), ElementsAre(ALERT_RAISED, ALERT_CLEARED));
  // Unlinked, it is not proposed again, however often the name recurs.
  Apply(store_.get(), {ChildrensVisit(Person("John", "O'Neill", "1980-05-01"))});
  EXPECT_EQ(store_->ListLinks(CANDIDATE, 50, "")->links_size(), 0);
  EXPECT_EQ(store_->ListLinks(UNLINKED, 50, "")->links_size(), 1);
}

TEST_F(IdentityIndexTest, ARejectedCandidateStaysRejected) {
  Apply(store_.get(), ProbationLicence(Person("John", "O'Neill", "1980-05-01")));
  Apply(store_.get(), {ChildrensVisit(Person("John", "O'Neill", "1980-05-01"))});
  Apply(store_.get(), {f_.Decision(REJECTED, kProbation, kChildrens, "Different addresses and photos")});
  Apply(store_.get(), {ChildrensVisit(Person("John", "O'Neill", "1980-05-01"))});  // the name again
  EXPECT_EQ(store_->ListLinks(CANDIDATE, 50, "")->links_size(), 0);
  auto rejected = store_->ListLinks(REJECTED, 50, "");
  ASSERT_EQ(rejected->links_size(), 1);
  EXPECT_EQ(rejected->links(0).link().decision_reason(), "Different addresses and photos");
  EXPECT_THAT(Person(kProbation), ElementsAre(kProbation));
  EXPECT_THAT(AlertRules(), IsEmpty());
}

TEST_F(IdentityIndexTest, AnEventCarryingBothRecordsReferencesLinksThemAutomatically) {
  // Police know him by PNC id; probation, so far, only by CRN.
  Apply(store_.get(), {f_.Conviction("2019/0012345X", CHILD_SEXUAL)});
  Apply(store_.get(), ProbationLicence(Person("Peter", "Quince", "1975-01-01")));
  EXPECT_THAT(Person(kPolice), ElementsAre(kPolice));
  // Probation then records his PNC id beside the CRN.
  SubjectRef both = Person("Peter", "Quince", "1975-01-01");
  both.set_pnc_id("2019/0012345X");
  both.set_probation_case_ref("X123456");
  auto assessment = f_.About(AGENCY_PROBATION, kPolice, both, "2024-02-02", [](EventEnvelope* e) {
    e->mutable_risk_assessment_completed()->set_assessment_ref("OASYS-1");
  });
  Apply(store_.get(), {assessment});

  EXPECT_THAT(Person(kProbation), ElementsAre(kPolice, kProbation));
  auto link = store_->GetLink(LinkIdFor(kPolice, kProbation));
  ASSERT_THAT(link, IsOk());
  EXPECT_EQ(link->status(), LINKED);
  EXPECT_TRUE(link->national_identifier_match());
  ASSERT_EQ(link->shared_references_size(), 1);
  EXPECT_EQ(link->shared_references(0).reference(), kProbation);
  EXPECT_EQ(link->shared_references(0).record_a_event().event_id(), assessment.event_id());
  EXPECT_EQ(link->shared_references(0).record_b_event().event_type(), "probation.SupervisionStarted");
  auto view = store_->GetPersonView(kProbation);
  EXPECT_EQ(view->convictions_size(), 1);
  EXPECT_EQ(view->supervisions_size(), 1);
  EXPECT_EQ(view->risk_assessments_size(), 1);

  // A MAPPA user may still separate them (the agency recorded the wrong PNC id).
  Apply(store_.get(), {f_.Decision(UNLINKED, kPolice, kProbation, "PNC id entered against the wrong case")});
  EXPECT_THAT(Person(kProbation), ElementsAre(kProbation));
  EXPECT_EQ(store_->GetLink(LinkIdFor(kPolice, kProbation))->status(), UNLINKED);
}

// The agency recorded the right fact against the wrong PNC id: probation's assessment of
// X123456 carried another man's PNC id, which linked the two records at once. Retracted,
// the fact and everything it said of who the person is leave that record: the link goes,
// the pictures separate, and the other man's timeline shows the fact and its retraction.
TEST_F(IdentityIndexTest, AFactRetractedAsRecordedAgainstTheWrongPersonTakesItsLinkWithIt) {
  Apply(store_.get(), {f_.Conviction("2019/0012345X", CHILD_SEXUAL)});
  Apply(store_.get(), ProbationLicence(Person("Peter", "Quince", "1975-01-01")));
  SubjectRef wrong = Person("Peter", "Quince", "1975-01-01");
  wrong.set_pnc_id("2019/0012345X");  // keyed wrongly: another man's
  wrong.set_probation_case_ref("X123456");
  const EventEnvelope assessment = f_.About(AGENCY_PROBATION, kPolice, wrong, "2024-02-02", [](EventEnvelope* e) {
    e->mutable_risk_assessment_completed()->set_assessment_ref("OASYS-1");
  });
  Apply(store_.get(), {assessment});
  ASSERT_THAT(Person(kProbation), ElementsAre(kPolice, kProbation));

  Apply(store_.get(), {f_.Retraction(assessment, RECORDED_AGAINST_WRONG_PERSON)});
  EXPECT_THAT(Person(kProbation), ElementsAre(kProbation));
  EXPECT_THAT(Person(kPolice), ElementsAre(kPolice));
  EXPECT_THAT(store_->GetLink(LinkIdFor(kPolice, kProbation)), StatusIs(absl::StatusCode::kNotFound))
      << "nothing holds the link up: it is gone";
  auto police = store_->GetPersonView(kPolice);
  ASSERT_THAT(police, IsOk());
  EXPECT_EQ(police->risk_assessments_size(), 0);
  EXPECT_THAT(police->references(), ElementsAre(kPolice)) << "the CRN came only from the retracted fact";
  ASSERT_EQ(police->corrections_size(), 1);
  EXPECT_EQ(police->corrections(0).reason(), RECORDED_AGAINST_WRONG_PERSON);
  auto timeline = store_->GetTimeline(kPolice, 50, "");
  ASSERT_THAT(timeline, IsOk());
  ASSERT_EQ(timeline->entries_size(), 3);
  for (const TimelineEntry& entry : timeline->entries()) {
    if (entry.provenance().event_id() != assessment.event_id()) continue;
    EXPECT_EQ(entry.correction().kind(), RETRACTED) << "the history keeps the fact, with what became of it";
  }
}

// Real records differ: a middle name, an initial, no apostrophe, lower case. Police, probation
// and children's services each hold one of three spellings of one man: each pair is proposed,
// with its reasons; none is linked until a MAPPA user decides.
TEST_F(IdentityIndexTest, ThreeSpellingsOfOneManAreProposedWithTheirReasons) {
  SubjectRef police = Person("Michael James", "O'CONNOR", "1968-11-23");
  police.set_pnc_id("2019/0012345X");
  Apply(store_.get(), {f_.About(AGENCY_POLICE, kPolice, police, "2019-01-15", [](EventEnvelope* e) {
          *e->mutable_conviction_recorded() = testing::ValidConviction().conviction();
        })});
  Apply(store_.get(), ProbationLicence(Person("Michael J.", "OConnor", "1968-11-23")));
  Apply(store_.get(), {ChildrensVisit(Person("michael", "oconnor", "1968-11-23"))});
  auto candidates = store_->ListLinks(CANDIDATE, 50, "");
  ASSERT_THAT(candidates, IsOk());
  ASSERT_EQ(candidates->links_size(), 3);
  for (const IdentityLinkDetail& d : candidates->links()) {
    EXPECT_GE(d.link().match().weight(), kProposeWeight) << d.link().record_a() << " / " << d.link().record_b();
    EXPECT_EQ(d.link().match().reasons(1).level(), "agrees") << "OCONNOR, however written";
  }
  EXPECT_THAT(Person(kPolice), ElementsAre(kPolice));
}

// Twins share a family name, a date of birth and an address: compared (they share a
// block) and not proposed. A father and son of one name are never even compared: born
// years apart, they share no blocking key (MatchTest.TwinsAFatherAndSonAndTwoPncIdsAreRuledOut
// holds the rule that rules them out when a link brings them together).
TEST_F(IdentityIndexTest, TwinsAndAFatherAndSonOfOneNameAreNotProposed) {
  std::vector<std::string> son_keys, father_keys, shared;
  {
    IdentityProfile son, father;
    EventEnvelope e;
    *e.mutable_subject() = Person("Michael", "Featherstone", "1990-04-04");
    AddToProfile(e, &son);
    *e.mutable_subject() = Person("Michael", "Featherstone", "1964-08-17");
    AddToProfile(e, &father);
    son_keys = BlockingKeys(son);
    father_keys = BlockingKeys(father);
  }
  std::set_intersection(son_keys.begin(), son_keys.end(), father_keys.begin(), father_keys.end(),
                        std::back_inserter(shared));
  EXPECT_THAT(shared, IsEmpty());
  Apply(store_.get(), ProbationLicence(Person("Michael", "Featherstone", "1990-04-04")));
  Apply(store_.get(), {ChildrensVisit(Person("Matthew", "Featherstone", "1990-04-04"))});
  SubjectRef father = Person("Michael", "Featherstone", "1964-08-17");
  father.set_childrens_case_id("CS-3001");
  Apply(store_.get(), {f_.About(AGENCY_CHILDRENS_SERVICES, "childrens:CS-3001", father, "2024-06-01",
                                [](EventEnvelope* e) { e->mutable_concern_about_adult_recorded()->set_concern("x"); })});
  auto candidates = store_->ListLinks(CANDIDATE, 50, "");
  ASSERT_THAT(candidates, IsOk());
  EXPECT_EQ(candidates->links_size(), 0);
}

// A date of birth keyed wrongly (1986 for 1968) hides a match; amended, the match is proposed.
TEST_F(IdentityIndexTest, AnAmendedDateOfBirthProposesTheMatchATypoHid) {
  Apply(store_.get(), ProbationLicence(Person("Duncan", "Whitlock", "1968-03-09")));
  const EventEnvelope visit = ChildrensVisit(Person("Duncan", "Whitlock", "1986-03-09"));
  Apply(store_.get(), {visit});
  EXPECT_EQ(store_->ListLinks(CANDIDATE, 50, "")->links_size(), 0);
  Apply(store_.get(), {f_.Correction(visit, AMENDED, KEYING_ERROR, [&](FactCorrected* c) {
          *c->mutable_amended_subject() = visit.subject();
          c->mutable_amended_subject()->set_date_of_birth("1968-03-09");
        })});
  auto candidates = store_->ListLinks(CANDIDATE, 50, "");
  ASSERT_THAT(candidates, IsOk());
  ASSERT_EQ(candidates->links_size(), 1);
  EXPECT_EQ(candidates->links(0).record_a().identity().date_of_birth(), "1968-03-09");
}

TEST_F(IdentityIndexTest, ReplayReproducesLinksPicturesAndAlertsWhateverTheInterleaving) {
  std::vector<EventEnvelope> facts = ProbationLicence(Person("John", "O'Neill", "1980-05-01"));
  facts.push_back(ChildrensVisit(Person("John", "O'Neill", "1980-05-01")));
  SubjectRef third = Person("John", "Oneill", "1980-05-01");
  third.set_pnc_id("2019/0012345X");
  facts.push_back(f_.About(AGENCY_POLICE, kPolice, third, "2019-01-15", [](EventEnvelope* e) {
    e->mutable_conviction_recorded()->set_classification(CHILD_SEXUAL);
  }));
  // Probation files an assessment under his PNC id, naming its CRN too.
  SubjectRef both = Person("John", "O'Neill", "1980-05-01");
  both.set_pnc_id("2019/0012345X");
  both.set_probation_case_ref("X123456");
  facts.push_back(f_.About(AGENCY_PROBATION, kPolice, both, "2024-02-02", [](EventEnvelope* e) {
    e->mutable_risk_assessment_completed()->set_assessment_ref("OASYS-1");
  }));
  facts.push_back(ChildrensVisit(Person("John", "O'Neill", "1980-05-01")));
  std::vector<EventEnvelope> decisions = {
      f_.Decision(LINKED, kProbation, kChildrens, "confirmed at MAPPA meeting M-1"),
      f_.Decision(REJECTED, kPolice, kChildrens, "not him"),
      f_.Decision(LINKED, kPolice, kProbation, "PNC checked"),
      f_.Decision(UNLINKED, kProbation, kChildrens, "wrong man after all"),
      f_.Decision(LINKED, kProbation, kChildrens, "right man after all: DNA")};

  // As it happened: facts, then decisions one by one.
  Apply(store_.get(), facts);
  for (const auto& d : decisions) Apply(store_.get(), {d});

  // Replayed from the log into empty state: in the same order in one batch; with every
  // decision delivered before the facts it concerns; and everything backwards (as
  // partitions may interleave; each stream's own order is restored by holding early
  // events until their turn).
  std::vector<EventEnvelope> in_order = facts;
  in_order.insert(in_order.end(), decisions.begin(), decisions.end());
  std::vector<EventEnvelope> decisions_first = decisions;
  decisions_first.insert(decisions_first.end(), facts.begin(), facts.end());
  std::vector<EventEnvelope> backwards(in_order.rbegin(), in_order.rend());
  for (const auto& replay : {in_order, decisions_first, backwards}) {
    TempDir dir;
    auto replayed = Open(dir);
    Apply(replayed.get(), replay);
    ExpectSamePicturesAndLinks(*replayed);
    auto alerts = replayed->ListAlerts(ALERT_RULE_UNSPECIFIED, 50, "");
    ASSERT_EQ(alerts->alerts_size(), 1);
    EXPECT_EQ(alerts->alerts(0).alert_id(), store_->ListAlerts(ALERT_RULE_UNSPECIFIED, 50, "")->alerts(0).alert_id());
  }
  EXPECT_THAT(Person(kChildrens), ElementsAre(kPolice, kProbation, kChildrens));
}

// Corrections replayed in any interleaving give the same links and pictures: a date of
// birth keyed wrongly then amended (the proposal it hid is made, and stays through a later
// amendment of the content), and a conviction filed with another man's CRN then retracted
// (the link that CRN made goes).
TEST_F(IdentityIndexTest, ReplayWithCorrectionsReproducesLinksAndPicturesWhateverTheInterleaving) {
  std::vector<EventEnvelope> facts = ProbationLicence(Person("John", "O'Neill", "1980-05-01"));
  const EventEnvelope visit = ChildrensVisit(Person("John", "O'Neill", "1908-05-01"));
  facts.push_back(visit);
  SubjectRef someone_else = Person("Peter", "Quinn", "1975-01-01");
  someone_else.set_pnc_id("2019/0012345X");
  someone_else.set_probation_case_ref("X123456");  // keyed wrongly: John O'Neill's CRN
  const EventEnvelope conviction = f_.About(AGENCY_POLICE, kPolice, someone_else, "2019-01-15", [](EventEnvelope* e) {
    e->mutable_conviction_recorded()->set_classification(CHILD_SEXUAL);
  });
  facts.push_back(conviction);
  const std::vector<EventEnvelope> corrections = {
      f_.Correction(visit, AMENDED, KEYING_ERROR,
                    [](FactCorrected* c) { c->mutable_amended_subject()->set_date_of_birth("1980-05-01"); }),
      f_.Retraction(conviction, RECORDED_AGAINST_WRONG_PERSON),
      f_.Correction(visit, AMENDED, OTHER_CORRECTION, [&](FactCorrected* c) {
        *c->mutable_household_membership_recorded() = visit.household_membership_recorded();
        c->mutable_household_membership_recorded()->set_contact(LIVES_WITH);
      })};

  Apply(store_.get(), facts);
  EXPECT_THAT(Person(kProbation), ElementsAre(kPolice, kProbation)) << "the wrong CRN links them, for now";
  for (const auto& c : corrections) Apply(store_.get(), {c});
  EXPECT_THAT(Person(kProbation), ElementsAre(kProbation)) << "the retraction took the CRN's link away";
  EXPECT_THAT(Person(kPolice), ElementsAre(kPolice));
  auto candidates = store_->ListLinks(CANDIDATE, 50, "");
  ASSERT_THAT(candidates, IsOk());
  ASSERT_EQ(candidates->links_size(), 1) << "the amended date of birth proposes the match the typo hid";
  EXPECT_EQ(candidates->links(0).link().link_id(), LinkIdFor(kProbation, kChildrens));
  EXPECT_EQ(store_->ListLinks(LINKED, 50, "")->links_size(), 0);

  std::vector<EventEnvelope> in_order = facts;
  in_order.insert(in_order.end(), corrections.begin(), corrections.end());
  std::vector<EventEnvelope> corrections_first = corrections;
  corrections_first.insert(corrections_first.end(), facts.begin(), facts.end());
  std::vector<EventEnvelope> backwards(in_order.rbegin(), in_order.rend());
  for (const auto& replay : {in_order, corrections_first, backwards}) {
    TempDir dir;
    auto replayed = Open(dir);
    Apply(replayed.get(), replay);
    ExpectSamePicturesAndLinks(*replayed);
  }
}

// A link a shared reference makes carries the records' comparison whichever record's
// events came first, even when neither record's names changed in the batch that made it
// (a children's case id is no national identifier: naming it adds nothing to a profile).
TEST_F(IdentityIndexTest, ALinkByReferenceIsScoredWhicheverRecordCameFirst) {
  SubjectRef police = Person("John", "O'Neill", "1980-05-01");
  police.set_pnc_id("2019/0012345X");
  const EventEnvelope conviction = f_.About(AGENCY_POLICE, kPolice, police, "2019-01-15", [](EventEnvelope* e) {
    e->mutable_conviction_recorded()->set_classification(CHILD_SEXUAL);
  });
  // Later the police name his children's services case beside his PNC id.
  police.set_childrens_case_id("CS-2001");
  const EventEnvelope intelligence = f_.About(AGENCY_POLICE, kPolice, police, "2024-02-02", [](EventEnvelope* e) {
    e->mutable_intelligence_recorded()->set_intelligence_ref("INT-1");
  });
  SubjectRef no_date = Person("John", "O'Neill", "");  // children's services hold no date of birth
  const EventEnvelope visit = ChildrensVisit(no_date);

  Apply(store_.get(), {conviction});
  Apply(store_.get(), {visit});
  Apply(store_.get(), {intelligence});
  auto linked = store_->ListLinks(LINKED, 50, "");
  ASSERT_THAT(linked, IsOk());
  ASSERT_EQ(linked->links_size(), 1);
  ASSERT_TRUE(linked->links(0).link().has_match()) << linked->DebugString();
  EXPECT_FALSE(linked->links(0).link().name_match()) << "no date of birth on both: names alone propose nothing";

  TempDir dir;
  auto other_way = Open(dir);
  Apply(other_way.get(), {conviction});
  Apply(other_way.get(), {intelligence});
  Apply(other_way.get(), {visit});
  EXPECT_TRUE(MessageDifferencer::Equals(*linked, *other_way->ListLinks(LINKED, 50, "")))
      << linked->DebugString() << "\n---\n" << other_way->ListLinks(LINKED, 50, "")->DebugString();
}

TEST_F(IdentityIndexTest, StoredAlertsFollowTimeAsWellAsFacts) {
  absl::Time now = absl::FromCivil(absl::CivilDay(2024, 7, 15), absl::UTCTimeZone());
  TempDir dir;
  auto store = std::make_unique<testing::MappaTestState>(dir.path(), [&] { return now; });
  Apply(store.get(), {f_.Notification("2019/0012345X", "2024-01-10", "2024-08-01")});
  EXPECT_EQ(store->ListAlerts(ALERT_RULE_UNSPECIFIED, 50, "")->alerts_size(), 0);
  now = absl::FromCivil(absl::CivilDay(2024, 8, 2), absl::UTCTimeZone());  // no event since: due date passed
  ASSERT_THAT(store->ReevaluateAllAlerts(), IsOk());
  auto alerts = store->ListAlerts(REGISTER_NOTIFICATION_OVERDUE, 50, "");
  ASSERT_EQ(alerts->alerts_size(), 1);
  EXPECT_EQ(alerts->alerts(0).as_of_date(), "2024-08-02");
  // Re-evaluating again the same day changes nothing; a new notification clears it.
  ASSERT_THAT(store->ReevaluateAllAlerts(), IsOk());
  EXPECT_EQ(store->AlertSequence(), 1u);
  Apply(store.get(), {f_.Notification("2019/0012345X", "2024-08-02", "2025-08-02")});
  EXPECT_EQ(store->ListAlerts(ALERT_RULE_UNSPECIFIED, 50, "")->alerts_size(), 0);
  auto changes = store->AlertChangesAfter(0, 10);
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].kind(), ALERT_RAISED);
  EXPECT_EQ((*changes)[1].kind(), ALERT_CLEARED);
  EXPECT_EQ((*changes)[1].sequence(), 2u);
}

}  // namespace
}  // namespace safeguard::mappa
