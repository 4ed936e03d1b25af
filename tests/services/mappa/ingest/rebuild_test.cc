// A rebuild (Projector::BeginRebuild): events filed first, each person's picture folded
// once at the end. Its state must be the state applying the same log event by event
// leaves, key for key, and nothing may be served until it is whole.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "absl/strings/escaping.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "absl/strings/str_cat.h"
#include "services/mappa/ingest/projector.h"
#include "services/mappa/state/prefixes.h"
#include "tests/testing/events.h"
#include "tests/testing/mappa_test_state.h"
#include "tests/testing/police_requests.h"
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

absl::Time FixedNow() { return absl::FromUnixSeconds(1764000000); }  // 2025-11-24

// A log with what a rebuild must get right: people known to police and to probation by
// the same PNC id (linked at once), people sharing a name and date of birth (candidate
// links, scored), MAPPA decisions linking and unlinking records, a person with more
// intelligence than a picture keeps, redelivered events, an event held until the one
// before it arrives, and corrections (retractions, one undoing a link; an amended
// subject); on three topics, interleaved.
std::vector<BusRecord> Log() {
  EventFactory f;
  std::map<std::string, int64_t> offsets;
  std::vector<BusRecord> log;
  auto add = [&](const std::string& topic, const EventEnvelope& e) {
    log.push_back(BusRecord{.topic = topic, .offset = offsets[topic]++, .key = e.subject_key(), .value = e.SerializeAsString()});
  };
  auto pnc = [](int i) { return absl::StrCat("2019/", 1000000 + i, "X"); };
  EventEnvelope held;
  for (int i = 0; i < 400; ++i) {
    const int person = (i * 7) % 30;
    switch (i % 6) {
      case 0: add(kPoliceTopic, f.Conviction(pnc(person), i % 12 == 0 ? CHILD_SEXUAL : ADULT_SEXUAL)); break;
      case 1: add(kPoliceTopic, f.Notification(pnc(person), "2024-02-01", "2025-02-01")); break;
      case 2: add(kPoliceTopic, f.Order(pnc(person), absl::StrCat("SHPO-", i), "2020-05-01", "")); break;
      case 3: add(kPoliceTopic, f.Intelligence(pnc(person), absl::StrCat("2024-0", 1 + i % 9, "-1", i % 10))); break;
      case 4: {
        SubjectRef s = testing::TestSubject(pnc(person));
        if (person % 3 == 0) s.set_given_name(absl::StrCat("Other", person));  // a name of their own
        add(kProbationTopic, f.About(AGENCY_PROBATION, absl::StrCat("probation:X", 100000 + person), s,
                                     "2024-03-01", [&](EventEnvelope* e) {
                                       if (i % 20 == 4) {  // a MAPPA category: the s.327A duty applies
                                         auto* p = e->mutable_mappa_category_level_proposed();
                                         p->set_category(1);
                                         p->set_level(2);
                                         p->set_proposed_on("2024-03-01");
                                         return;
                                       }
                                       auto* a = e->mutable_risk_assessment_completed();
                                       a->set_assessment_ref(absl::StrCat("OASYS-", i));
                                       a->set_assessed_on("2024-03-01");
                                       a->set_rosh_overall(i % 4 == 0 ? RISK_VERY_HIGH : RISK_MEDIUM);
                                     }));
        break;
      }
      case 5:
        if (i == 53) {
          held = f.Intelligence(pnc(person), "2024-05-05");  // delivered after its successor
        } else {
          add(kPoliceTopic, f.Breach(pnc(person), absl::StrCat("SHPO-", i - 3), "2024-06-01"));
        }
        break;
    }
    if (i == 200) add(kPoliceTopic, held);
    if (i % 50 == 25) {  // a redelivery, at the next offset of its topic
      BusRecord again = log[static_cast<size_t>(i / 2)];
      again.offset = offsets[again.topic]++;
      log.push_back(std::move(again));
    }
  }
  for (int i = 0; i < 130; ++i) add(kPoliceTopic, f.Intelligence(pnc(3), absl::StrCat("2023-0", 1 + i % 9, "-0", 1 + i % 9)));
  add(kMappaTopic, f.Decision(LINKED, absl::StrCat("pnc:", pnc(1)), absl::StrCat("pnc:", pnc(2))));
  add(kMappaTopic, f.Decision(UNLINKED, absl::StrCat("pnc:", pnc(4)), absl::StrCat("probation:X", 100004)));
  add(kMappaTopic, f.Decision(REJECTED, absl::StrCat("pnc:", pnc(5)), absl::StrCat("pnc:", pnc(6))));
  for (int i = 0; i < 20; ++i) add(kPoliceTopic, f.Conviction(pnc(1), CHILD_SEXUAL, "2024-08-01"));
  add(kPoliceTopic, f.Conviction(pnc(28), CHILD_SEXUAL, "2024-08-01"));  // with a MAPPA category: s.327A
  // Corrections: a conviction retracted; a fact keyed with the wrong PNC id (linking a
  // probation record to that man's) retracted; a fact's subject amended (a date of birth).
  const EventEnvelope wrong_conviction = f.Conviction(pnc(7), CHILD_SEXUAL, "2024-08-02");
  add(kPoliceTopic, wrong_conviction);
  SubjectRef both = testing::TestSubject(pnc(9));
  both.set_probation_case_ref("X100011");
  const EventEnvelope keyed_wrong =
      f.About(AGENCY_PROBATION, absl::StrCat("pnc:", pnc(9)), both, "2024-03-02", [](EventEnvelope* e) {
        e->mutable_risk_assessment_completed()->set_assessment_ref("OASYS-WRONG");
      });
  add(kProbationTopic, keyed_wrong);
  const EventEnvelope typo = f.Intelligence(pnc(10), "2024-04-04");
  add(kPoliceTopic, typo);
  add(kPoliceTopic, f.Retraction(wrong_conviction, QUASHED_ON_APPEAL));
  add(kProbationTopic, f.Retraction(keyed_wrong, RECORDED_AGAINST_WRONG_PERSON));
  add(kPoliceTopic, f.Correction(typo, AMENDED, KEYING_ERROR, [&](FactCorrected* c) {
    *c->mutable_amended_subject() = typo.subject();
    c->mutable_amended_subject()->set_date_of_birth("1971-01-31");
  }));
  return log;
}

// `value` serialized again deterministically, as a `Message`: a protobuf map's order on
// the wire depends on the order its entries were added in.
template <typename Message>
std::string Deterministic(std::string_view value) {
  Message m;
  EXPECT_TRUE(m.ParseFromArray(value.data(), static_cast<int>(value.size())));
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// Every key of the state and its value, but the change log of alerts (whose sequence
// numbers count the batches that changed them) and the day's re-evaluation.
std::map<std::string, std::string> Dump(const MappaState& state) {
  std::map<std::string, std::string> out;
  EXPECT_THAT(state.Read().Scan("", "", [&](std::string_view key, std::string_view value) {
    if (key[0] == prefix::kAlertChange[0] || key == prefix::kAlertEvaluation) return true;
    if (key[0] == prefix::kRecordIdentity[0]) {
      out.emplace(key, Deterministic<RecordIdentityState>(value));
    } else if (key[0] == prefix::kPersonView[0]) {
      out.emplace(key, Deterministic<StoredPicture>(value));
    } else {
      out.emplace(key, value);
    }
    return true;
  }), IsOk());
  return out;
}

class RebuildTest : public ::testing::Test {
 protected:
  // The log applied as the live consumer does, a few events at a time.
  std::map<std::string, std::string> AppliedOneByOne() {
    testing::MappaTestState live(dir_.Sub("live"), FixedNow);
    const std::vector<BusRecord> log = Log();
    for (size_t i = 0; i < log.size(); i += 7) {
      EXPECT_THAT(live.ApplyRecords({log.begin() + i, log.begin() + std::min(i + 7, log.size())}), IsOk());
    }
    return Dump(*live.state());
  }
  // Files the whole log in a rebuild, in batches of 64.
  void File(testing::MappaTestState& state) {
    ASSERT_THAT(state.projector()->BeginRebuild(), IsOk());
    const std::vector<BusRecord> log = Log();
    for (size_t i = 0; i < log.size(); i += 64) {
      ASSERT_THAT(state.ApplyRecords({log.begin() + i, log.begin() + std::min(i + 64, log.size())}), IsOk());
    }
    ASSERT_THAT(state.projector()->EndFiling(), IsOk());
  }

  TempDir dir_;
};

TEST_F(RebuildTest, LeavesTheStateApplyingEachEventLeaves) {
  testing::MappaTestState rebuilt(dir_.Sub("rebuilt"), FixedNow);
  File(rebuilt);
  while (true) {
    absl::StatusOr<bool> more = rebuilt.projector()->FoldSome(4);
    ASSERT_THAT(more, IsOk());
    if (!*more) break;
  }
  EXPECT_EQ(rebuilt.projector()->rebuild().stage(), MappaRebuild::STAGE_UNSPECIFIED);
  const std::map<std::string, std::string> expected = AppliedOneByOne();
  const std::map<std::string, std::string> got = Dump(*rebuilt.state());
  // Pictures, alerts, the s.327A list, links and persons among them.
  ASSERT_GT(expected.size(), 1000u);
  for (const char* p : {prefix::kPersonView, prefix::kAlerts, prefix::kDisclosureDue, prefix::kPerson, prefix::kLink}) {
    EXPECT_TRUE(std::any_of(expected.begin(), expected.end(), [&](const auto& kv) { return kv.first[0] == p[0]; }))
        << "the log makes no key of prefix " << p;
  }
  for (const auto& [key, value] : expected) {
    auto it = got.find(key);
    if (it == got.end()) {
      ADD_FAILURE() << "the rebuild lacks " << absl::CEscape(key);
    } else {
      EXPECT_TRUE(it->second == value) << "the rebuild differs at " << absl::CEscape(key);
    }
  }
  for (const auto& [key, value] : got) {
    EXPECT_TRUE(expected.contains(key)) << "the rebuild has an extra " << absl::CEscape(key);
  }
}

TEST_F(RebuildTest, NothingIsServedUntilEveryPictureIsFolded) {
  testing::MappaTestState state(dir_.Sub("state"), FixedNow);
  EXPECT_THAT(state.projector()->Serving(), IsOk());
  ASSERT_THAT(state.projector()->BeginRebuild(), IsOk());
  EXPECT_EQ(state.projector()->rebuild().stage(), MappaRebuild::FILING);
  EXPECT_THAT(state.projector()->Serving(), StatusIs(absl::StatusCode::kUnavailable, "rebuilding"));
  const std::vector<BusRecord> log = Log();
  ASSERT_THAT(state.ApplyRecords(log), IsOk());
  // Filed, not folded: no picture yet.
  EXPECT_THAT(state.GetPersonView(absl::StrCat("pnc:2019/1000003X")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(state.projector()->rebuild().events_filed(), log.size() - 8);  // less the 8 redelivered
  ASSERT_THAT(state.projector()->EndFiling(), IsOk());
  ASSERT_THAT(state.projector()->FoldSome(10), IsOkAndHolds(true));
  EXPECT_EQ(state.projector()->rebuild().stage(), MappaRebuild::FOLDING);
  EXPECT_GT(state.projector()->rebuild().persons_folded(), 0u);
  EXPECT_THAT(state.projector()->Serving(), StatusIs(absl::StatusCode::kUnavailable, "folding"));
  // The daily re-evaluation waits for the folding, which judges everyone.
  EXPECT_THAT(state.projector()->ReevaluateAlerts(1000), IsOkAndHolds(false));
  while (*state.projector()->FoldSome(10)) {
  }
  EXPECT_THAT(state.projector()->Serving(), IsOk());
  EXPECT_THAT(state.GetPersonView(absl::StrCat("pnc:2019/1000003X")), IsOk());
  EXPECT_THAT(state.projector()->ReevaluateAlerts(1000), IsOkAndHolds(false));  // done today, by the folding
}

TEST_F(RebuildTest, ARestartResumesWhereTheRebuildStood) {
  testing::MappaTestState state(dir_.Sub("state"), FixedNow);
  ASSERT_THAT(state.projector()->BeginRebuild(), IsOk());
  const std::vector<BusRecord> log = Log();
  ASSERT_THAT(state.ApplyRecords({log.begin(), log.begin() + 100}), IsOk());
  state.Reopen();
  EXPECT_EQ(state.projector()->rebuild().stage(), MappaRebuild::FILING);
  EXPECT_THAT(state.projector()->Serving(), StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_THAT(state.ApplyRecords({log.begin() + 100, log.end()}), IsOk());
  ASSERT_THAT(state.projector()->EndFiling(), IsOk());
  ASSERT_THAT(state.projector()->FoldSome(7), IsOkAndHolds(true));
  const uint64_t folded = state.projector()->rebuild().persons_folded();
  state.Reopen();
  EXPECT_EQ(state.projector()->rebuild().stage(), MappaRebuild::FOLDING);
  EXPECT_EQ(state.projector()->rebuild().persons_folded(), folded);
  while (true) {
    absl::StatusOr<bool> more = state.projector()->FoldSome(7);
    ASSERT_THAT(more, IsOk());
    if (!*more) break;
  }
  state.Reopen();
  EXPECT_THAT(state.projector()->Serving(), IsOk());
  EXPECT_TRUE(Dump(*state.state()) == AppliedOneByOne());
}

}  // namespace
}  // namespace safeguard::mappa
