#include "services/mappa/ingest/projector.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rocksdb/statistics.h"
#include "common/crypto/sealing.h"
#include "services/mappa/alerts/alert_folder.h"
#include "services/mappa/ingest/erasure.h"
#include "services/mappa/ingest/sealed_events.h"
#include "services/mappa/reads/alert_reads.h"
#include "services/mappa/projection/risk_projection.h"
#include "tests/testing/events.h"
#include "tests/testing/failing_fs.h"
#include "tests/testing/file_search.h"
#include "tests/testing/mappa_test_state.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;
using safeguard::testing::EventFactory;
using safeguard::testing::IsOk;
using safeguard::testing::IsOkAndHolds;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kPnc[] = "2019/0012345X";

class ProjectorTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = std::make_unique<testing::MappaTestState>(dir_.path()); }
  void Reopen() { store_->Reopen(); }
  // Wraps events as records at the next offsets of police.events.
  // `e` sealed as police-service seals it, under its subject's data key (made the first
  // time): keys_ holds each key made, with its record.
  EventEnvelope Seal(EventEnvelope e) {
    const std::string key_id = crypto::DataKeyIdFor(*testing::TestVault(), e);
    if (!keys_.contains(key_id)) keys_.emplace(key_id, *ring_.Create(key_id, AGENCY_POLICE, absl::Now()));
    EXPECT_THAT(crypto::SealEvent(*testing::TestVault(), key_id, keys_.at(key_id).key, &e), IsOk());
    return e;
  }
  // A data key's record as the police keys topic carries it.
  BusRecord KeyRecord(const v1::DataKeyRecord& record) {
    BusRecord r;
    r.topic = kPoliceKeysTopic;
    r.offset = next_key_offset_++;
    r.key = record.key_id();
    r.value = record.SerializeAsString();
    return r;
  }

  // The police's register notification about kPnc, overdue since 2025 (it raises an
  // alert), applied after its key.
  EventEnvelope ApplyOverdueNotification() {
    const EventEnvelope overdue = Seal(f_.Notification(kPnc, "2024-02-01", "2025-02-01"));
    EXPECT_THAT(store_->ApplyRecords({KeyRecord(keys_.at(overdue.sealed().key_id()).record)}), IsOk());
    EXPECT_THAT(store_->ApplyRecords(Records({overdue})), IsOk());
    return overdue;
  }

  std::vector<BusRecord> Records(const std::vector<EventEnvelope>& events) {
    std::vector<BusRecord> out;
    for (const auto& e : events) {
      BusRecord r;
      r.topic = kPoliceTopic;
      r.offset = next_offset_++;
      r.key = e.subject_key();
      r.value = e.SerializeAsString();
      out.push_back(std::move(r));
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<testing::MappaTestState> store_;
  EventFactory f_;
  crypto::KeyRing ring_{testing::TestVault().get()};
  std::map<std::string, crypto::KeyRing::NewKey> keys_;
  int64_t next_key_offset_ = 0;
  int64_t next_offset_ = 0;
};

TEST_F(ProjectorTest, AppliesEventsAndStoresPositionInTheSameWrite) {
  auto stats = store_->ApplyRecords(Records({f_.Conviction(kPnc, CHILD_SEXUAL),
                                             f_.Notification(kPnc, "2024-02-01", "2025-02-01")}));
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->applied, 2u);
  EXPECT_EQ(*store_->Position(kPoliceTopic, 0), 2);
  auto view = store_->GetPersonView("pnc:2019/0012345X");
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(view->convictions_size(), 1);
  EXPECT_TRUE(view->register_().registered());
  EXPECT_EQ(view->events_applied(), 2u);

  Reopen();
  EXPECT_EQ(*store_->Position(kPoliceTopic, 0), 2);
  EXPECT_EQ(store_->GetPersonView("pnc:2019/0012345X")->events_applied(), 2u);
}

// Sealed as police-service seals them: the keys topic and the events topic are read side
// by side, so an event may come before its key. It waits (durably, its position consumed)
// and is applied when the key comes; one whose key was destroyed keeps its place in its
// stream and nothing else; one altered on the bus is skipped and reported.
TEST_F(ProjectorTest, ASealedEventWaitsForItsKeyAndOneWhoseKeyIsDestroyedKeepsOnlyItsPlace) {
  const EventEnvelope first = Seal(f_.Conviction(kPnc, CHILD_SEXUAL));
  const EventEnvelope second = Seal(f_.Intelligence(kPnc, "2024-03-03"));
  auto waiting = store_->ApplyRecords(Records({first}));
  ASSERT_THAT(waiting, IsOk());
  EXPECT_EQ(waiting->applied, 0u);
  EXPECT_EQ(waiting->awaiting_key, 1u);
  EXPECT_EQ(*store_->Position(kPoliceTopic, 0), 1) << "consumed: it waits in the state, not on the bus";
  EXPECT_THAT(store_->GetPersonView("pnc:2019/0012345X"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(SealedEvents::EventsAwaitingKeys(store_->state()->Read()), IsOkAndHolds(1u));
  std::vector<BusRecord> again = Records({first});
  again[0].offset = 0;  // the same record, delivered again
  ASSERT_THAT(store_->ApplyRecords(again), IsOk());
  EXPECT_THAT(SealedEvents::EventsAwaitingKeys(store_->state()->Read()), IsOkAndHolds(1u));
  EXPECT_EQ(store_->projector()->events_awaiting_keys(), 1u) << "counted once, without a scan";
  Reopen();
  EXPECT_EQ(store_->projector()->events_awaiting_keys(), 1u) << "and after a restart";

  auto released = store_->ApplyRecords({KeyRecord(keys_.begin()->second.record)});
  ASSERT_THAT(released, IsOk());
  EXPECT_EQ(released->applied, 1u);
  EXPECT_THAT(SealedEvents::EventsAwaitingKeys(store_->state()->Read()), IsOkAndHolds(0u));
  EXPECT_EQ(store_->projector()->events_awaiting_keys(), 0u);
  auto applied = store_->ApplyRecords(Records({second}));
  ASSERT_THAT(applied, IsOk());
  EXPECT_EQ(applied->applied, 1u) << "its key is held now";
  auto view = store_->GetPersonView("pnc:2019/0012345X");
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(view->convictions_size(), 1);
  EXPECT_EQ(view->events_applied(), 2u);

  // Altered on the bus: it does not open, and is skipped, reported, never applied.
  EventEnvelope altered = Seal(f_.Intelligence(kPnc, "2024-04-04"));
  (*altered.mutable_sealed()->mutable_ciphertext())[20] ^= 1;
  auto skipped = store_->ApplyRecords(Records({altered}));
  ASSERT_THAT(skipped, IsOk());
  EXPECT_EQ(skipped->unreadable, 1u);

  // Another subject's key, destroyed before their event is read: the event counts in its
  // stream, and nothing of it is applied.
  const EventEnvelope erased = Seal(f_.Conviction("2020/0054321Y", CHILD_SEXUAL));
  v1::DataKeyRecord destroyed = keys_.at(erased.sealed().key_id()).record;
  destroyed.clear_wrapped();
  destroyed.mutable_destroyed()->set_basis("DPA 2018 s.47(3)");
  ASSERT_THAT(store_->ApplyRecords({KeyRecord(destroyed)}), IsOk());
  auto gone = store_->ApplyRecords(Records({erased}));
  ASSERT_THAT(gone, IsOk());
  EXPECT_EQ(gone->applied, 1u) << "its place in its stream";
  EXPECT_THAT(store_->GetPersonView("pnc:2020/0054321Y"), StatusIs(absl::StatusCode::kNotFound));
}

// An auditor's replay opens the live state to read while mappa-service changes its files
// (an erasure's purge compacts it all, and rolls the MANIFEST): the open is not refused
// because a file it listed went in the meantime.
TEST_F(ProjectorTest, TheLiveStateOpensToReadWhileItsFilesChange) {
  ASSERT_THAT(store_->ApplyRecords(Records({f_.Conviction(kPnc, CHILD_SEXUAL)})), IsOk());
  std::atomic<bool> done{false};
  std::thread purging([&] {
    for (int i = 0; i < 400 && !done.load(); ++i) {
      EXPECT_THAT(store_->ApplyRecords(Records({f_.Intelligence(kPnc, "2024-03-03")})), IsOk());
      EXPECT_THAT(store_->state()->Purge(), IsOk());
    }
  });
  int refused = 0;
  for (int i = 0; i < 40; ++i) {
    auto copy = MappaState::OpenReadOnly(dir_.path());
    if (!copy.ok()) {
      ++refused;
      ADD_FAILURE() << copy.status();
    }
  }
  done = true;
  purging.join();
  EXPECT_EQ(refused, 0);
}

// A key's record under a KEK the vault no longer holds (an older record read again in a
// rebuild, or on Kafka before its log cleaner has run; or a KEK retired too soon) stops
// nothing: it is counted, the events sealed under the key wait, and when the record comes
// re-wrapped under a KEK the vault holds they are applied. Another subject's go on.
TEST_F(ProjectorTest, AKeyUnderARetiredKekStopsNothingAndWhatItSealsWaitsForItsRewrappedRecord) {
  const EventEnvelope sealed = Seal(f_.Conviction(kPnc, CHILD_SEXUAL));
  v1::DataKeyRecord retired = keys_.at(sealed.sealed().key_id()).record;
  retired.mutable_wrapped()->set_kek_id("9");  // a KEK the test vault does not hold
  ASSERT_THAT(store_->ApplyRecords({KeyRecord(retired)}), IsOk());
  EXPECT_EQ(store_->projector()->keys_under_retired_keks(), 1u);
  auto waiting = store_->ApplyRecords(Records({sealed}));
  ASSERT_THAT(waiting, IsOk()) << "the batch is not failed";
  EXPECT_EQ(waiting->applied, 0u);
  EXPECT_EQ(waiting->awaiting_key, 1u);
  // Another subject's events are applied meanwhile.
  const EventEnvelope other = Seal(f_.Conviction("2020/0054321Y", CHILD_SEXUAL));
  auto applied = store_->ApplyRecords({KeyRecord(keys_.at(other.sealed().key_id()).record)});
  ASSERT_THAT(applied, IsOk());
  applied = store_->ApplyRecords(Records({other}));
  ASSERT_THAT(applied, IsOk());
  EXPECT_EQ(applied->applied, 1u);
  // Still counted after a restart; then the re-wrapped record comes.
  Reopen();
  EXPECT_EQ(store_->projector()->keys_under_retired_keks(), 1u);
  auto released = store_->ApplyRecords({KeyRecord(keys_.at(sealed.sealed().key_id()).record)});
  ASSERT_THAT(released, IsOk());
  EXPECT_EQ(released->applied, 1u);
  EXPECT_EQ(store_->projector()->keys_under_retired_keks(), 0u);
  EXPECT_EQ(store_->GetPersonView("pnc:2019/0012345X")->convictions_size(), 1);
  // Read again later, the older record changes nothing.
  ASSERT_THAT(store_->ApplyRecords({KeyRecord(retired)}), IsOk());
  EXPECT_EQ(store_->projector()->keys_under_retired_keks(), 0u);
  auto more = store_->ApplyRecords(Records({Seal(f_.Intelligence(kPnc, "2024-03-03"))}));
  ASSERT_THAT(more, IsOk());
  EXPECT_EQ(more->applied, 1u);
}

// An erasure reaching mappa-service: the destroyed key's record comes after the
// subject's events were applied, and one of their events is held for an earlier one that
// has not come. Everything the key opened goes from the state (the picture, the timeline,
// the identity index, the online identifier, the key's index), the held event is sealed
// again where it waits, and when the missing event comes (sealed, its key gone) the
// stream moves on past both without opening either. Another subject's picture is as it
// was, and no file of the state holds the erased subject's PNC id.
TEST_F(ProjectorTest, ADestroyedKeyTakesWhatItOpenedOutOfTheStateAndSealsWhatWaits) {
  constexpr char kErased[] = "2020/0054321Y";
  const EventEnvelope a1 = Seal(f_.Conviction(kErased, CHILD_SEXUAL));
  const EventEnvelope a2 = Seal(f_.Notification(kErased, "2024-02-01", "2025-02-01"));
  const EventEnvelope a3 = f_.Intelligence(kErased, "2024-03-03");  // comes last
  const EventEnvelope a4 = Seal(f_.Intelligence(kErased, "2024-04-04"));
  const EventEnvelope b1 = Seal(f_.Conviction(kPnc, CHILD_SEXUAL));
  std::vector<BusRecord> key_records;
  for (const auto& [id, key] : keys_) key_records.push_back(KeyRecord(key.record));
  ASSERT_THAT(store_->ApplyRecords(key_records), IsOk());
  auto applied = store_->ApplyRecords(Records({a1, a2, a4, b1}));
  ASSERT_THAT(applied, IsOk());
  EXPECT_EQ(applied->applied, 3u);
  EXPECT_EQ(applied->parked, 1u) << "the fourth waits for the third";
  ASSERT_THAT(store_->GetPersonView(absl::StrCat("pnc:", kErased)), IsOk());
  auto other = store_->GetPersonView(absl::StrCat("pnc:", kPnc));
  ASSERT_THAT(other, IsOk());
  const std::string other_before = other->SerializeAsString();

  v1::DataKeyRecord destroyed = keys_.at(a1.sealed().key_id()).record;
  destroyed.clear_wrapped();
  destroyed.mutable_destroyed()->set_basis("a court order");
  destroyed.mutable_destroyed()->set_decision_id("decision-1");
  ASSERT_THAT(store_->ApplyRecords({KeyRecord(destroyed)}), IsOk());
  EXPECT_THAT(store_->GetPersonView(absl::StrCat("pnc:", kErased)), StatusIs(absl::StatusCode::kNotFound));
  auto timeline = store_->GetTimeline(absl::StrCat("pnc:", kErased), 100, "");
  ASSERT_THAT(timeline, IsOk());
  EXPECT_EQ(timeline->entries_size(), 0);
  other = store_->GetPersonView(absl::StrCat("pnc:", kPnc));
  ASSERT_THAT(other, IsOk());
  EXPECT_EQ(other->SerializeAsString(), other_before);

  // The missing third comes, sealed under the destroyed key: the stream moves past it and
  // the fourth, and nothing is opened.
  auto moved = store_->ApplyRecords(Records({Seal(a3)}));
  ASSERT_THAT(moved, IsOk());
  EXPECT_EQ(moved->applied, 2u);
  EXPECT_EQ(moved->released, 1u);
  EXPECT_THAT(store_->GetPersonView(absl::StrCat("pnc:", kErased)), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(StreamSequencer::EventsWaiting(store_->state()->Read()), IsOkAndHolds(0u));

  store_.reset();  // every file closed
  const testing::FileSearch search = testing::SearchFiles(dir_.path(), {kErased, "0054321Y"});
  EXPECT_THAT(search.found, ::testing::IsEmpty());
  EXPECT_GE(search.tables, 1u);
}

// A subject a MAPPA panel reviewed: once the police erase their record, nothing of any
// agency's is left of it, so the panel's review of it goes from the picture too (and
// mappa-service's own key for the record is due to be destroyed): the person is gone.
TEST_F(ProjectorTest, WhenOnlyThePanelsOwnEventsAreLeftOfARecordTheyAreErasedWithIt) {
  constexpr char kErased[] = "2020/0054321Y";
  const std::string record = absl::StrCat("pnc:", kErased);
  const EventEnvelope conviction = Seal(f_.Conviction(kErased, CHILD_SEXUAL));
  EventEnvelope review = f_.About(AGENCY_MAPPA, record, testing::TestSubject(kErased), "2024-06-01", [](EventEnvelope* e) {
    auto* r = e->mutable_mappa_subject_reviewed();
    r->set_meeting_ref("M-1");
    r->set_item_ref("1");
    r->set_category(1);
    r->set_level(2);
    r->set_reviewed_on("2024-06-01");
  });
  review.set_stream_id("meeting/M-1");
  review = Seal(review);
  std::vector<BusRecord> key_records;
  for (const auto& [id, key] : keys_) key_records.push_back(KeyRecord(key.record));
  ASSERT_THAT(store_->ApplyRecords(key_records), IsOk());
  std::vector<BusRecord> events = Records({conviction});
  std::vector<BusRecord> reviews = Records({review});
  reviews[0].topic = kMappaTopic;
  events.push_back(reviews[0]);
  ASSERT_THAT(store_->ApplyRecords(events), IsOk());
  auto before = store_->GetPersonView(record);
  ASSERT_THAT(before, IsOk());
  ASSERT_TRUE(before->has_latest_mappa_review());

  v1::DataKeyRecord destroyed = keys_.at(conviction.sealed().key_id()).record;
  destroyed.clear_wrapped();
  destroyed.mutable_destroyed()->set_basis("a court order");
  ASSERT_THAT(store_->ApplyRecords({KeyRecord(destroyed)}), IsOk());
  EXPECT_THAT(store_->GetPersonView(record), StatusIs(absl::StatusCode::kNotFound));
  auto timeline = store_->GetTimeline(record, 100, "");
  ASSERT_THAT(timeline, IsOk());
  EXPECT_EQ(timeline->entries_size(), 0);
  EXPECT_THAT(ErasureAftermathOf(store_->state()->Read()), IsOkAndHolds(std::nullopt)) << "done once committed";
}

// What an alert watcher holds, applying each change it is given as the console does:
// alert id by withdrawal id.
class Watcher {
 public:
  // A watch from the start (listing what stands, then each change), or resuming after
  // the change `after`.
  explicit Watcher(uint64_t after = 0) {
    at_.listing = after == 0;
    at_.after = after;
  }
  // Reads every step there is now; what they consulted.
  std::set<std::string> Follow(const MappaState* state) {
    consulted_.clear();
    given_ = 0;
    FollowSteps(state);
    return consulted_;
  }
  // What a watch begun now lists.
  static std::map<std::string, std::string> Fresh(const MappaState* state) {
    Watcher fresh;
    fresh.Follow(state);
    return fresh.shown();
  }
  const std::map<std::string, std::string>& shown() const { return shown_; }
  // How many changes the last Follow was given.
  size_t given() const { return given_; }

 private:
  void FollowSteps(const MappaState* state) {
    AlertReads reads(state, /*access=*/nullptr, SystemClock(), testing::TestVault().get());
    for (int steps = 0; steps < 100; ++steps) {
      absl::StatusOr<AlertReads::WatchStep> step = reads.NextForWatch(at_, 50);
      ASSERT_THAT(step, IsOk());
      given_ += step->changes.size();
      for (const AlertChange& c : step->changes) {
        ASSERT_FALSE(c.alert().withdrawal_id().empty());
        if (c.kind() == ALERT_WITHDRAWN) {
          Alert only_its_id;
          only_its_id.set_withdrawal_id(c.alert().withdrawal_id());
          EXPECT_EQ(c.alert().SerializeAsString(), only_its_id.SerializeAsString()) << "nothing of its subject";
          shown_.erase(c.alert().withdrawal_id());
        } else if (c.kind() == ALERT_CLEARED) {
          shown_.erase(c.alert().withdrawal_id());
        } else {
          shown_[c.alert().withdrawal_id()] = c.alert().alert_id();
        }
      }
      consulted_.insert(step->consulted.subjects.begin(), step->consulted.subjects.end());
      for (const AlertChange& c : step->changes) {
        if (c.kind() != ALERT_WITHDRAWN) EXPECT_TRUE(consulted_.contains(c.alert().subject_key()));
      }
      const bool more = step->next.listing || step->next.after != at_.after;
      at_ = step->next;
      if (!more) return;
    }
    ADD_FAILURE() << "the watch did not catch up";
  }

  AlertReads::WatchPosition at_;
  std::map<std::string, std::string> shown_;
  std::set<std::string> consulted_;
  size_t given_ = 0;
};

// An agency's restriction of the record `record`, or its lifting, as it comes on the
// agency's topic (a stream of its own), covering the data key `key_id`.
EventEnvelope RestrictionOf(EventFactory* f, Agency agency, const std::string& record, const std::string& key_id,
                            bool lift) {
  EventEnvelope e = f->About(agency, "data-protection", SubjectRef(), "2024-07-01", [&](EventEnvelope* e) {
    DataProtectionDecision* d =
        lift ? e->mutable_restriction_lifted()->mutable_decision() : e->mutable_restriction_decided()->mutable_decision();
    d->add_key_ids(key_id);
    d->set_basis(RESTRICTION_ACCURACY_CONTESTED);
  });
  e.set_subject_key(record);
  return e;
}

// A watcher shown an alert is told to take it down when a restriction hides it, by its
// withdrawal id alone (consulting no one), and is given it back when the restriction is
// lifted: it holds what a watch begun then lists.
TEST_F(ProjectorTest, ARestrictionTakesThePersonsAlertsOffAnOpenWatchAndItsLiftingGivesThemBack) {
  const std::string record = absl::StrCat("pnc:", kPnc);
  const EventEnvelope overdue = ApplyOverdueNotification();
  Watcher open;
  EXPECT_THAT(open.Follow(store_->state()), ElementsAre(record));
  ASSERT_EQ(open.shown().size(), 1u);

  ASSERT_THAT(store_->ApplyRecords(Records({RestrictionOf(&f_, AGENCY_POLICE, record, overdue.sealed().key_id(), false)})),
              IsOk());
  EXPECT_THAT(open.Follow(store_->state()), IsEmpty()) << "a withdrawal consults no one";
  EXPECT_THAT(open.shown(), IsEmpty());
  EXPECT_EQ(open.shown(), Watcher::Fresh(store_->state()));
  // While restricted, what changes in the person's alerts is not given at all.
  ASSERT_THAT(store_->ApplyRecords(Records({Seal(f_.Notification(kPnc, "2025-06-01", "2026-01-01"))})), IsOk());
  open.Follow(store_->state());
  EXPECT_EQ(open.given(), 0u);

  ASSERT_THAT(store_->ApplyRecords(Records({RestrictionOf(&f_, AGENCY_POLICE, record, overdue.sealed().key_id(), true)})),
              IsOk());
  EXPECT_THAT(open.Follow(store_->state()), ElementsAre(record));
  EXPECT_EQ(open.shown().size(), 1u);
  EXPECT_EQ(open.shown(), Watcher::Fresh(store_->state()));
}

// An agency may restrict its data about a record before mappa-service has opened any of
// it (its events wait for their key, say): the record's person is hidden at once, and an
// open watch is told so.
TEST_F(ProjectorTest, ARestrictionOfDataNotYetReadStillTakesThePersonsAlertsOffAnOpenWatch) {
  const std::string record = absl::StrCat("pnc:", kPnc);
  const EventEnvelope overdue = ApplyOverdueNotification();
  Watcher open;
  open.Follow(store_->state());
  ASSERT_EQ(open.shown().size(), 1u);
  // Probation restricts what it holds about the man; none of it has reached mappa-service.
  const std::string probation_key = crypto::DataKeyId(*testing::TestVault(), AGENCY_PROBATION, record);
  ASSERT_THAT(store_->ApplyRecords(Records({RestrictionOf(&f_, AGENCY_PROBATION, record, probation_key, false)})),
              IsOk());
  open.Follow(store_->state());
  EXPECT_THAT(open.shown(), IsEmpty());
  EXPECT_EQ(open.shown(), Watcher::Fresh(store_->state()));
}

// A watcher behind (a page that listed the alerts and then connected, or one resuming
// after a dropped stream) is given the clearing of a person's alert just before their
// restriction as its withdrawal, and takes it down too.
TEST_F(ProjectorTest, AWatcherBehindARestrictionTakesDownWhatWasClearedBeforeIt) {
  const std::string record = absl::StrCat("pnc:", kPnc);
  const EventEnvelope overdue = ApplyOverdueNotification();
  Watcher behind;
  behind.Follow(store_->state());
  ASSERT_EQ(behind.shown().size(), 1u);
  // Notified since (next due in the future): the alert clears; then the record is restricted.
  ASSERT_THAT(store_->ApplyRecords(Records({Seal(f_.Notification(kPnc, "2026-06-01", "2099-06-01"))})), IsOk());
  ASSERT_THAT(store_->ApplyRecords(Records({RestrictionOf(&f_, AGENCY_POLICE, record, overdue.sealed().key_id(), false)})),
              IsOk());
  behind.Follow(store_->state());
  EXPECT_THAT(behind.shown(), IsEmpty());
}

// A link that joins a person to a record another agency restricted hides the person's
// alerts though nothing about the alerts changed; the unlinking gives them back.
TEST_F(ProjectorTest, ALinkToARestrictedRecordTakesThePersonsAlertsOffAnOpenWatchAndAnUnlinkingGivesThemBack) {
  const std::string police = absl::StrCat("pnc:", kPnc);
  const std::string childrens = "childrens:CS-2001";
  const EventEnvelope overdue = Seal(f_.Notification(kPnc, "2024-02-01", "2025-02-01"));
  ASSERT_THAT(store_->ApplyRecords({KeyRecord(keys_.begin()->second.record)}), IsOk());
  SubjectRef adult;
  adult.set_given_name("Dale");
  adult.set_family_name("Ormsby");
  adult.set_date_of_birth("1975-03-02");
  adult.set_childrens_case_id("CS-2001");
  const EventEnvelope visit = f_.About(AGENCY_CHILDRENS_SERVICES, childrens, adult, "2024-06-01", [](EventEnvelope* e) {
    auto* m = e->mutable_household_membership_recorded();
    m->set_membership_ref("HH-1");
    m->mutable_child()->set_childrens_case_id("CS-1001");
    m->set_contact(REGULARLY_VISITS);
    m->set_from_date("2024-06-01");
  });
  const std::string childrens_key = crypto::DataKeyIdFor(*testing::TestVault(), visit);
  ASSERT_THAT(store_->ApplyRecords(Records({overdue, visit, RestrictionOf(&f_, AGENCY_CHILDRENS_SERVICES, childrens, childrens_key,
                                                                          false)})),
              IsOk());
  Watcher open;
  open.Follow(store_->state());
  ASSERT_EQ(open.shown().size(), 1u) << "the police record's person is not restricted";

  ASSERT_THAT(store_->ApplyRecords(Records({f_.Decision(LINKED, police, childrens)})), IsOk());
  open.Follow(store_->state());
  EXPECT_EQ(open.shown(), Watcher::Fresh(store_->state()));
  EXPECT_THAT(open.shown(), IsEmpty());

  ASSERT_THAT(store_->ApplyRecords(Records({f_.Decision(UNLINKED, police, childrens)})), IsOk());
  open.Follow(store_->state());
  EXPECT_EQ(open.shown(), Watcher::Fresh(store_->state()));
  EXPECT_EQ(open.shown().size(), 1u);
}

// An erasure withdraws each alert whose history it forgot and that no longer stands, by
// its withdrawal id alone; no change left names the erased record. A watcher following,
// and one resuming from before any of it, both end with what a new watch lists.
TEST_F(ProjectorTest, AnErasureTakesTheErasedRecordsAlertsOffEveryWatchAndLeavesNoChangeNamingIt) {
  constexpr char kErased[] = "2020/0054321Y";
  const std::string erased = absl::StrCat("pnc:", kErased);
  const EventEnvelope a = Seal(f_.Notification(kPnc, "2024-02-01", "2025-02-01"));
  const EventEnvelope b = Seal(f_.Notification(kErased, "2024-02-01", "2025-02-01"));
  std::vector<BusRecord> key_records;
  for (const auto& [id, key] : keys_) key_records.push_back(KeyRecord(key.record));
  ASSERT_THAT(store_->ApplyRecords(key_records), IsOk());
  ASSERT_THAT(store_->ApplyRecords(Records({a, b})), IsOk());
  Watcher open;
  open.Follow(store_->state());
  ASSERT_EQ(open.shown().size(), 2u);
  Watcher resuming(1);  // had the first alert raised, then lost its stream

  v1::DataKeyRecord destroyed = keys_.at(b.sealed().key_id()).record;
  destroyed.clear_wrapped();
  destroyed.mutable_destroyed()->set_basis("a court order");
  ASSERT_THAT(store_->ApplyRecords({KeyRecord(destroyed)}), IsOk());
  open.Follow(store_->state());
  resuming.Follow(store_->state());
  const auto fresh = Watcher::Fresh(store_->state());
  EXPECT_EQ(fresh.size(), 1u);
  EXPECT_EQ(open.shown(), fresh);
  for (const auto& [id, alert] : resuming.shown()) EXPECT_TRUE(fresh.contains(id)) << alert;
  auto changes = store_->AlertChangesAfter(0, 100);
  ASSERT_THAT(changes, IsOk());
  for (const AlertChange& c : *changes) {
    EXPECT_NE(c.alert().subject_key(), erased);
    EXPECT_THAT(c.alert().alert_id(), ::testing::Not(::testing::HasSubstr(kErased)));
    EXPECT_THAT(c.alert().raised_by_event_ids(), ::testing::Not(::testing::Contains(b.event_id())));
  }
}

TEST_F(ProjectorTest, RedeliveredEventsAreAppliedOnce) {
  auto a = f_.Conviction(kPnc, CHILD_SEXUAL);
  auto b = f_.Intelligence(kPnc, "2024-03-03");
  ASSERT_THAT(store_->ApplyRecords(Records({a, b})), IsOk());
  // The relay republished both (a lost acknowledgement), and one again in the same batch.
  auto stats = store_->ApplyRecords(Records({a, b, b}));
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->applied, 0u);
  EXPECT_EQ(stats->duplicates, 3u);
  auto view = store_->GetPersonView("pnc:2019/0012345X");
  EXPECT_EQ(view->events_applied(), 2u);
  EXPECT_EQ(view->convictions_size(), 1);
  auto timeline = store_->GetTimeline("pnc:2019/0012345X", 100, "");
  EXPECT_EQ(timeline->entries_size(), 2);
  // The position still moved past the duplicates.
  EXPECT_EQ(*store_->Position(kPoliceTopic, 0), 5);
}

TEST_F(ProjectorTest, EventAheadOfItsStreamWaitsForTheMissingOne) {
  auto v1 = f_.Conviction(kPnc, CHILD_SEXUAL);
  auto v2 = f_.Conviction(kPnc, ADULT_SEXUAL);  // delayed
  auto v3 = f_.Intelligence(kPnc, "2024-03-03");
  auto v4 = f_.Order(kPnc, "SHPO-1", "2020-05-01", "");
  auto stats = store_->ApplyRecords(Records({v1, v3}));
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->applied, 1u);
  EXPECT_EQ(stats->parked, 1u);
  auto gaps = store_->Gaps();
  ASSERT_THAT(gaps, IsOk());
  ASSERT_EQ(gaps->size(), 1u);
  EXPECT_EQ((*gaps)[0].stream_id(), "police/pnc:2019/0012345X");
  EXPECT_EQ((*gaps)[0].expected_version(), 2u);
  EXPECT_EQ((*gaps)[0].seen_version(), 3u);
  EXPECT_EQ(store_->GetPersonView("pnc:2019/0012345X")->events_applied(), 1u);

  // Held durably: across a restart, and a redelivery of the held event is not held twice.
  Reopen();
  stats = store_->ApplyRecords(Records({v4, v3}));
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->parked, 1u);
  EXPECT_EQ(stats->duplicates, 1u);
  EXPECT_EQ(store_->Gaps()->size(), 1u);

  // The missing event releases everything behind it, in order.
  stats = store_->ApplyRecords(Records({v2}));
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->applied, 3u);
  EXPECT_EQ(stats->released, 2u);
  EXPECT_TRUE(store_->Gaps()->empty());
  auto view = store_->GetPersonView("pnc:2019/0012345X");
  EXPECT_EQ(view->events_applied(), 4u);
  EXPECT_EQ(view->convictions_size(), 2);
  EXPECT_EQ(view->intelligence_size(), 1);
  EXPECT_EQ(view->orders_size(), 1);
  // And late copies of any of them change nothing.
  stats = store_->ApplyRecords(Records({v1, v2, v3, v4}));
  EXPECT_EQ(stats->duplicates, 4u);
  EXPECT_EQ(store_->GetPersonView("pnc:2019/0012345X")->events_applied(), 4u);
}

TEST_F(ProjectorTest, UnreadableMessageIsSkippedAndCounted) {
  std::vector<BusRecord> records = Records({f_.Conviction(kPnc, CHILD_SEXUAL)});
  BusRecord junk = records[0];
  junk.offset = next_offset_++;
  junk.value = "not a protobuf \xff\xff";
  records.push_back(junk);
  auto stats = store_->ApplyRecords(records);
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->applied, 1u);
  EXPECT_EQ(stats->unreadable, 1u);
  EXPECT_EQ(*store_->Position(kPoliceTopic, 0), 2);
}

TEST_F(ProjectorTest, TimelineIsOrderedByOccurrenceAndPages) {
  // Recorded in one order, happened in another.
  auto late = f_.Intelligence(kPnc, "2024-03-03");
  auto early = f_.Conviction(kPnc, CHILD_SEXUAL, "2010-01-01");
  auto middle = f_.Order(kPnc, "SHPO-1", "2020-05-01", "");
  ASSERT_THAT(store_->ApplyRecords(Records({late, early, middle})), IsOk());

  auto page1 = store_->GetTimeline("pnc:2019/0012345X", 2, "");
  ASSERT_THAT(page1, IsOk());
  ASSERT_EQ(page1->entries_size(), 2);
  EXPECT_EQ(page1->entries(0).provenance().event_id(), early.event_id());
  EXPECT_EQ(page1->entries(1).provenance().event_id(), middle.event_id());
  ASSERT_FALSE(page1->next_page_token().empty());

  auto page2 = store_->GetTimeline("pnc:2019/0012345X", 2, page1->next_page_token());
  ASSERT_THAT(page2, IsOk());
  ASSERT_EQ(page2->entries_size(), 1);
  EXPECT_EQ(page2->entries(0).provenance().event_id(), late.event_id());
  EXPECT_TRUE(page2->next_page_token().empty());

  EXPECT_THAT(store_->GetTimeline("pnc:2019/0012345X", 2, "garbage!"),
              StatusIs(absl::StatusCode::kInvalidArgument, "page_token"));
}

TEST_F(ProjectorTest, ReferencesResolveToOneView) {
  auto with_both = f_.Conviction(kPnc, CHILD_SEXUAL);
  with_both.mutable_subject()->set_visor_ref("VR-0001");
  ASSERT_THAT(store_->ApplyRecords(Records({with_both})), IsOk());
  EXPECT_EQ(*store_->ResolveReference("pnc:2019/0012345X"), "pnc:2019/0012345X");
  EXPECT_EQ(*store_->ResolveReference("visor:VR-0001"), "pnc:2019/0012345X");
  EXPECT_THAT(store_->ResolveReference("pnc:2000/0000000Z"), StatusIs(absl::StatusCode::kNotFound));

  // A later event keyed only by the ViSOR reference is filed under it, and joins the same
  // picture: the two records share the reference, so they are one person.
  EventFactory other;
  auto visor_only = other.Intelligence("ignored", "2024-03-03");
  visor_only.set_subject_key("visor:VR-0001");
  visor_only.set_stream_id("police/visor:VR-0001");
  visor_only.mutable_subject()->clear_pnc_id();
  visor_only.mutable_subject()->set_visor_ref("VR-0001");
  ASSERT_THAT(store_->ApplyRecords(Records({visor_only})), IsOk());
  EXPECT_EQ(*store_->ResolveReference("visor:VR-0001"), "visor:VR-0001");
  auto view = store_->GetPersonView("visor:VR-0001");
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(view->subject_key(), "pnc:2019/0012345X");
  EXPECT_THAT(view->linked_records(), ::testing::ElementsAre("pnc:2019/0012345X", "visor:VR-0001"));
  EXPECT_EQ(view->intelligence_size(), 1);
  EXPECT_EQ(view->convictions_size(), 1);
  EXPECT_EQ(view->events_applied(), 2u);
}

// Facts and the alerts they raise are committed in one write: a write the disk refuses
// leaves neither, never the facts without their alerts (which used to stay wrong until
// the next day's re-evaluation). The consumer then reads the batch again from its stored
// position, and both arrive.
TEST_F(ProjectorTest, AFailedWriteNeverLeavesAFactWithoutItsAlerts) {
  const Clock today = [] { return absl::FromCivil(absl::CivilDay(2025, 1, 10), absl::UTCTimeZone()); };
  for (int failing = 1; failing <= 3; ++failing) {
    SCOPED_TRACE(absl::StrCat("the write that fails: ", failing));
    TempDir dir;
    testing::FailingWalFs fs;
    testing::MappaTestState state(dir.path(), today, nullptr, fs.env());
    EventFactory f;
    ASSERT_THAT(state.ApplyRecords(Records({f.Conviction(kPnc, CHILD_SEXUAL)})), IsOk());
    // Children's services record him living with a child: the batch the disk may refuse.
    const std::vector<BusRecord> batch = Records({f.About(
        AGENCY_CHILDRENS_SERVICES, "pnc:2019/0012345X", testing::TestSubject(kPnc), "2024-06-01",
        [](EventEnvelope* e) {
          auto* m = e->mutable_household_membership_recorded();
          m->set_membership_ref("HH-1");
          m->mutable_child()->set_childrens_case_id("CS-1001");
          m->set_contact(LIVES_WITH);
          m->set_from_date("2024-06-01");
        })});
    fs.FailAppend(failing);
    (void)state.ApplyRecords(batch);  // may fail; the state must be whole either way
    state.Reopen(nullptr);            // the disk works again
    auto facts_and_alerts = [&] {
      auto picture = state.GetPersonView("pnc:2019/0012345X");
      auto alerts = state.ListAlerts(RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD, 10, "");
      EXPECT_THAT(picture, IsOk());
      EXPECT_THAT(alerts, IsOk());
      return std::make_pair(picture->children_in_contact_size() > 0, alerts->alerts_size() > 0);
    };
    auto [in_picture, alerted] = facts_and_alerts();
    EXPECT_EQ(in_picture, alerted) << "the child is in the picture " << in_picture << ", the alert raised " << alerted;
    if (!in_picture) {
      ASSERT_THAT(state.ApplyRecords(batch), IsOk());
      std::tie(in_picture, alerted) = facts_and_alerts();
      EXPECT_TRUE(in_picture && alerted);
    }
  }
}

// An event about a person whose records carry a common name and date of birth (here
// shared by 200 records, as "John Smith" born on one day may be) costs a few point
// look-ups: the index entry already holds the record, so nothing is scanned, no link is
// touched, nothing is folded again. (Every event used to scan the entry's holders and
// load a link for each.)
TEST_F(ProjectorTest, AnEventCostsPointLookUpsHoweverCommonItsNameIs) {
  auto statistics = rocksdb::CreateDBStatistics();
  TempDir dir;
  testing::MappaTestState state(dir.path(), SystemClock(), statistics);
  EventFactory f;
  SubjectRef john;
  john.set_given_name("John");
  john.set_family_name("Smith");
  john.set_date_of_birth("1980-01-01");
  std::vector<EventEnvelope> events;
  for (int i = 0; i < 200; ++i) {
    SubjectRef who = john;
    who.set_childrens_case_id(absl::StrCat("CS-", 1000 + i));
    events.push_back(f.About(AGENCY_CHILDRENS_SERVICES, absl::StrCat("childrens:CS-", 1000 + i), who, "2024-01-01",
                             [&](EventEnvelope* e) {
                               e->mutable_referral_received()->set_referral_ref(absl::StrCat("REF-", i));
                             }));
  }
  ASSERT_THAT(state.ApplyRecords(Records(events)), IsOk());
  SubjectRef one = john;
  one.set_childrens_case_id("CS-1007");
  const EventEnvelope next = f.About(AGENCY_CHILDRENS_SERVICES, "childrens:CS-1007", one, "2024-02-01",
                                     [](EventEnvelope* e) { e->mutable_referral_received()->set_referral_ref("REF-X"); });
  const uint64_t seeks = statistics->getTickerCount(rocksdb::NUMBER_DB_SEEK);
  const uint64_t nexts = statistics->getTickerCount(rocksdb::NUMBER_DB_NEXT);
  const uint64_t reads = statistics->getTickerCount(rocksdb::NUMBER_KEYS_READ);
  ASSERT_THAT(state.ApplyRecords(Records({next})), IsOk());
  EXPECT_EQ(statistics->getTickerCount(rocksdb::NUMBER_DB_SEEK) - seeks, 0u);
  EXPECT_EQ(statistics->getTickerCount(rocksdb::NUMBER_DB_NEXT) - nexts, 0u);
  EXPECT_LE(statistics->getTickerCount(rocksdb::NUMBER_KEYS_READ) - reads, 12u);
  EXPECT_EQ(state.GetPersonView("childrens:CS-1007")->referrals_size(), 2);
  // The candidates' list reads only the candidates it shows.
  const uint64_t listed = statistics->getTickerCount(rocksdb::NUMBER_DB_NEXT);
  auto page = state.ListLinks(CANDIDATE, 5, "");
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->links_size(), 5);
  EXPECT_FALSE(page->next_page_token().empty());
  EXPECT_LE(statistics->getTickerCount(rocksdb::NUMBER_DB_NEXT) - listed, 10u);
}

// A person's stored picture keeps the newest entries of the lists that only grow, so one
// more intelligence report about a man with 1,500 costs about what it costs for a man
// with 150 (it used to read and write the whole picture: ten times the bytes), and the
// flag an old report raised stays raised. The whole list is still one read away.
TEST_F(ProjectorTest, AnEventCostsTheSameHoweverLongThePersonsHistory) {
  auto cost_of_one_more = [this](int history, RiskView* facts, RiskView* in_full) {
    auto statistics = rocksdb::CreateDBStatistics();
    TempDir dir;
    testing::MappaTestState state(dir.path(), SystemClock(), statistics);
    EventFactory f;
    std::vector<EventEnvelope> events;
    for (int i = 0; i < history; ++i) {
      EventEnvelope e = f.Intelligence(kPnc, "2024-01-01");
      // Only the oldest report concerns children.
      e.mutable_intelligence_recorded()->set_concerns_children(i == 0);
      e.mutable_intelligence_recorded()->set_intelligence_ref(absl::StrCat("INT-", i));
      events.push_back(std::move(e));
      if (events.size() == 100 || i + 1 == history) {
        EXPECT_THAT(state.ApplyRecords(Records(events)), IsOk());
        events.clear();
      }
    }
    EventEnvelope next = f.Intelligence(kPnc, "2024-02-01");
    next.mutable_intelligence_recorded()->set_concerns_children(false);
    const uint64_t before = statistics->getTickerCount(rocksdb::BYTES_READ) +
                            statistics->getTickerCount(rocksdb::BYTES_WRITTEN);
    EXPECT_THAT(state.ApplyRecords(Records({next})), IsOk());
    const uint64_t cost = statistics->getTickerCount(rocksdb::BYTES_READ) +
                          statistics->getTickerCount(rocksdb::BYTES_WRITTEN) - before;
    auto view = state.GetPersonView("pnc:2019/0012345X");
    EXPECT_THAT(view, IsOk());
    *facts = *view;
    auto whole = PersonFactsInFull(state.state()->Read(), view->subject_key(),
                                   {view->linked_records().begin(), view->linked_records().end()});
    EXPECT_THAT(whole, IsOk());
    if (whole.ok() && whole->has_value()) *in_full = **whole;
    return cost;
  };
  RiskView short_facts, short_whole, long_facts, long_whole;
  const uint64_t short_cost = cost_of_one_more(150, &short_facts, &short_whole);
  const uint64_t long_cost = cost_of_one_more(1500, &long_facts, &long_whole);
  EXPECT_LE(long_cost, short_cost * 5 / 4) << "150 reports: " << short_cost << " bytes; 1,500: " << long_cost;

  // The stored picture holds the newest, and says how many there are in all.
  EXPECT_LE(long_facts.intelligence_size(), kKeptPerList + 1);
  ASSERT_EQ(long_facts.shortened_sections_size(), 1);
  EXPECT_EQ(long_facts.shortened_sections(0).section(), INTELLIGENCE);
  EXPECT_EQ(long_facts.shortened_sections(0).total(), 1501u);
  EXPECT_EQ(long_facts.shortened_sections(0).shown(), static_cast<uint32_t>(long_facts.intelligence_size()));
  EXPECT_EQ(long_facts.intelligence(long_facts.intelligence_size() - 1).intelligence().received_date(), "2024-02-01");
  // The oldest report, the only one about children, is kept, so its flag stays raised.
  EXPECT_EQ(long_facts.intelligence(0).intelligence().intelligence_ref(), "INT-0");
  ComputeAsOf(absl::CivilDay(2025, 1, 10), &long_facts);
  EXPECT_TRUE(long_facts.flags().unproven_intelligence_concerning_children());
  // Folded again in full, every report is there, in order.
  ASSERT_EQ(long_whole.intelligence_size(), 1501);
  EXPECT_EQ(long_whole.intelligence(700).intelligence().intelligence_ref(), "INT-700");
  EXPECT_EQ(short_whole.intelligence_size(), 151);
}

// Recorded order is defined once (when recorded, to the microsecond; the agency; its log
// sequence) and everything uses it: a link's evidence names the earliest event on each
// side in the same order the pictures are folded in. Here two events of one record fall
// in one microsecond with the later one's clock reading earlier in nanoseconds (a clock
// stepped back): the first in the log is the earliest. (The evidence used to compare
// nanoseconds and stream ids, the fold microseconds and sequences, and could disagree.)
TEST_F(ProjectorTest, LinkEvidenceNamesTheEarliestEventInTheOneRecordedOrder) {
  EventFactory f;
  SubjectRef who = testing::TestSubject(kPnc);
  who.set_visor_ref("VR-0001");
  EventEnvelope first = f.Intelligence(kPnc, "2024-01-01");
  EventEnvelope second = f.Intelligence(kPnc, "2024-01-02");
  for (EventEnvelope* e : {&first, &second}) *e->mutable_subject() = who;
  first.mutable_recorded_at()->set_seconds(1700000000);
  first.mutable_recorded_at()->set_nanos(900);
  second.mutable_recorded_at()->set_seconds(1700000000);
  second.mutable_recorded_at()->set_nanos(100);
  ASSERT_LT(first.log_sequence(), second.log_sequence());
  EventEnvelope visor = EventFactory().Intelligence("ignored", "2024-03-03");
  visor.set_subject_key("visor:VR-0001");
  visor.set_stream_id("police/visor:VR-0001");
  visor.mutable_subject()->clear_pnc_id();
  visor.mutable_subject()->set_visor_ref("VR-0001");
  visor.set_log_sequence(50);
  ASSERT_THAT(store_->ApplyRecords(Records({first, second, visor})), IsOk());
  auto link = store_->GetLink(LinkIdFor("pnc:2019/0012345X", "visor:VR-0001"));
  ASSERT_THAT(link, IsOk());
  ASSERT_EQ(link->shared_references_size(), 1);
  EXPECT_EQ(link->shared_references(0).record_a_event().event_id(), first.event_id());
  EXPECT_EQ(link->shared_references(0).record_a_event().log_sequence(), first.log_sequence());
}

// The daily re-evaluation goes a chunk at a time, each in its own write, so that a
// national register is never one batch held in memory.
TEST_F(ProjectorTest, AlertsAreReevaluatedAChunkOfPeopleAtATime) {
  EventFactory f;
  std::vector<EventEnvelope> events;
  for (int i = 0; i < 25; ++i) events.push_back(f.Conviction(absl::StrCat("2019/00100", 10 + i, "X"), OTHER));
  ASSERT_THAT(store_->ApplyRecords(Records(events)), IsOk());
  int chunks = 0;
  for (absl::StatusOr<bool> more = true; *more && chunks < 10; ++chunks) {
    more = store_->projector()->ReevaluateAlerts(10);
    ASSERT_THAT(more, IsOk());
  }
  EXPECT_EQ(chunks, 3) << "25 people in chunks of 10: the third chunk has five and ends the day";
  EXPECT_THAT(store_->projector()->ReevaluateAlerts(10), IsOkAndHolds(false)) << "the day is done";
}

// A restart resumes the day's re-evaluation where it had got to, and does not judge
// everyone again once the day is done (at a million people that is minutes of work
// beside live events, after every restart); the next day begins it again.
TEST_F(ProjectorTest, ARestartResumesTheDaysReevaluationOfAlerts) {
  absl::Time now = absl::FromCivil(absl::CivilSecond(2025, 1, 1, 9, 0, 0), absl::UTCTimeZone());
  TempDir dir;
  testing::MappaTestState store(dir.path(), [&now] { return now; });
  EventFactory f;
  std::vector<EventEnvelope> events;
  for (int i = 0; i < 25; ++i) events.push_back(f.Conviction(absl::StrCat("2019/00100", 10 + i, "X"), OTHER));
  ASSERT_THAT(store.ApplyRecords(Records(events)), IsOk());
  auto chunks_to_finish = [&] {
    int chunks = 0;
    for (absl::StatusOr<bool> more = true; *more && chunks < 10; ++chunks) {
      more = store.projector()->ReevaluateAlerts(10);
      EXPECT_THAT(more, IsOk());
      if (!more.ok()) break;
    }
    return chunks;
  };
  ASSERT_THAT(store.projector()->ReevaluateAlerts(10), IsOkAndHolds(true));  // 10 of 25
  store.Reopen();
  EXPECT_EQ(chunks_to_finish(), 2) << "resumed after the first ten: ten more, then the last five";
  store.Reopen();
  EXPECT_THAT(store.projector()->ReevaluateAlerts(10), IsOkAndHolds(false)) << "today is done, before and after a restart";
  now += absl::Hours(24);
  EXPECT_EQ(chunks_to_finish(), 3) << "a new day judges everyone again";
}

}  // namespace
}  // namespace safeguard::mappa
