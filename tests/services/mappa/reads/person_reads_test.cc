#include "services/mappa/reads/person_reads.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/testing/events.h"
#include "tests/testing/mappa_test_state.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace safeguard::mappa {
namespace {

using namespace safeguard::v1;
using safeguard::testing::EventFactory;
using safeguard::testing::IsOk;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;

constexpr char kPnc[] = "2019/0012345X";
constexpr char kProbation[] = "probation:X123456";

class PersonReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = std::make_unique<testing::MappaTestState>(dir_.path());
    reads_ = std::make_unique<PersonReads>(state_->state(), nullptr);
  }

  void Apply(const std::vector<EventEnvelope>& events) {
    std::vector<BusRecord> records;
    for (const auto& e : events) {
      records.push_back(BusRecord{.topic = "t", .offset = offset_++, .key = e.subject_key(), .value = e.SerializeAsString()});
    }
    ASSERT_THAT(state_->ApplyRecords(records), IsOk());
  }

  static Purpose ForMeeting() {
    Purpose p;
    p.set_code(MAPPA_MEETING);
    p.set_detail("MAPPA meeting W-1");
    return p;
  }
  GetRiskViewRequest ViewOf(const std::string& pnc) {
    GetRiskViewRequest r;
    r.mutable_subject()->set_pnc_id(pnc);
    *r.mutable_purpose() = ForMeeting();
    return r;
  }

  TempDir dir_;
  std::unique_ptr<testing::MappaTestState> state_;
  std::unique_ptr<PersonReads> reads_;
  EventFactory f_;
  int64_t offset_ = 0;
};

// Every answer is one moment of the state, and its access record names exactly the records
// it holds. Here the consumer links and unlinks the man's probation record (his licence)
// as fast as it can while pictures are read: each picture holds the licence exactly when
// it names the probation record, and its access record names the same records. (The
// records used to be recorded, then the person computed again: a link applied between
// the two showed a record that was not recorded.)
TEST_F(PersonReadsTest, EachAnswerIsOneMomentAndItsRecordNamesExactlyWhatItHolds) {
  Apply({f_.Conviction(kPnc, CHILD_SEXUAL)});
  SubjectRef who;
  who.set_probation_case_ref("X123456");
  who.set_given_name("John");
  who.set_family_name("Smith");
  who.set_date_of_birth("1980-05-01");
  Apply({f_.About(AGENCY_PROBATION, kProbation, who, "2024-01-01", [](EventEnvelope* e) {
    auto* s = e->mutable_supervision_started();
    s->set_supervision_ref("LIC-1");
    s->set_kind(LICENCE);
    s->set_start_date("2024-01-01");
  })});
  std::atomic<bool> done{false};
  std::thread consumer([&] {
    EventFactory decisions;
    for (int i = 0; i < 100 && !done; ++i) {
      Apply({decisions.Decision(i % 2 == 0 ? LINKED : UNLINKED, "pnc:2019/0012345X", kProbation)});
    }
    done = true;
  });
  int linked = 0, alone = 0;
  for (int i = 0; i < 2000 && !done; ++i) {
    auto answer = reads_->Answer(ViewOf(kPnc));
    ASSERT_THAT(answer, IsOk());
    ASSERT_THAT(answer->answer, IsOk());
    const RiskView& view = *answer->answer;
    const std::vector<std::string> shown(view.linked_records().begin(), view.linked_records().end());
    ASSERT_EQ(answer->consulted.size(), 1u);
    EXPECT_EQ(answer->consulted[0].subjects, shown);
    const bool with_probation = std::find(shown.begin(), shown.end(), kProbation) != shown.end();
    EXPECT_EQ(with_probation, view.supervisions_size() > 0) << "a picture of one moment";
    (with_probation ? linked : alone)++;
  }
  done = true;
  consumer.join();
  EXPECT_GT(linked + alone, 0);
}

// A person with 1,500 intelligence reports, each with a long summary: the picture is
// about 1 MiB at most (it used to be 6.3 MB, more than a gRPC client takes by default),
// says which lists it shortened, and keeps the most recent; the counts and flags are of
// the whole. The list itself is read whole a page at a time, most recent first.
TEST_F(PersonReadsTest, ALongHistoryIsShortenedToItsMostRecentAndPagedWhole) {
  std::vector<EventEnvelope> events = {f_.Conviction(kPnc, CHILD_SEXUAL)};
  for (int i = 0; i < 1500; ++i) {
    EventEnvelope e = f_.Intelligence(kPnc, "2024-01-01");
    e.mutable_intelligence_recorded()->set_intelligence_ref(absl::StrCat("INT-", i));
    e.mutable_intelligence_recorded()->set_summary(std::string(3900, 'x'));
    e.mutable_intelligence_recorded()->set_concerns_children(true);
    events.push_back(std::move(e));
  }
  for (size_t i = 0; i < events.size(); i += 500) {
    Apply({events.begin() + i, events.begin() + std::min(events.size(), i + 500)});
  }
  auto answer = reads_->Answer(ViewOf(kPnc));
  ASSERT_THAT(answer, IsOk());
  ASSERT_THAT(answer->answer, IsOk());
  const RiskView& view = *answer->answer;
  EXPECT_LE(view.ByteSizeLong(), kMaxRiskViewBytes + 64 * 1024);
  EXPECT_LE(view.intelligence_size(), kMaxShownPerSection);
  EXPECT_EQ(view.intelligence(view.intelligence_size() - 1).intelligence().intelligence_ref(), "INT-1499");
  ASSERT_EQ(view.shortened_sections_size(), 1);
  EXPECT_EQ(view.shortened_sections(0).section(), INTELLIGENCE);
  EXPECT_EQ(view.shortened_sections(0).total(), 1500u);
  EXPECT_EQ(view.shortened_sections(0).shown(), static_cast<uint32_t>(view.intelligence_size()));
  EXPECT_TRUE(view.flags().unproven_intelligence_concerning_children());
  EXPECT_EQ(view.convictions_size(), 1);

  GetRiskViewSectionRequest page;
  page.mutable_subject()->set_pnc_id(kPnc);
  *page.mutable_purpose() = ForMeeting();
  page.set_section(INTELLIGENCE);
  page.set_page_size(100);
  std::set<std::string> seen;
  std::string last_seen;
  int pages = 0;
  do {
    auto got = reads_->Answer(page);
    ASSERT_THAT(got, IsOk());
    ASSERT_THAT(got->answer, IsOk());
    EXPECT_EQ(got->answer->total(), 1500u);
    EXPECT_THAT(got->consulted[0].subjects, ::testing::ElementsAre("pnc:2019/0012345X"));
    EXPECT_EQ(got->consulted[0].view, "mappa.RiskView/intelligence");
    for (const auto& item : got->answer->entries().intelligence()) {
      EXPECT_TRUE(seen.insert(item.intelligence().intelligence_ref()).second);
      if (pages == 0 && seen.size() == 1) {
        EXPECT_EQ(item.intelligence().intelligence_ref(), "INT-1499");
      }
    }
    page.set_page_token(got->answer->next_page_token());
    ++pages;
  } while (!page.page_token().empty() && pages < 100);
  EXPECT_EQ(seen.size(), 1500u);
  EXPECT_EQ(pages, 15);

  page.set_section(RISK_VIEW_SECTION_UNSPECIFIED);
  EXPECT_THAT(reads_->Answer(page), StatusIs(absl::StatusCode::kInvalidArgument, "section"));
  page.set_section(INTELLIGENCE);
  page.set_page_size(101);
  EXPECT_THAT(reads_->Answer(page), StatusIs(absl::StatusCode::kInvalidArgument, "page_size"));
}

TEST_F(PersonReadsTest, ALookUpOfSomeoneNotHeldIsRecordedAndNotFound) {
  auto answer = reads_->Answer(ViewOf("2000/0000001A"));
  ASSERT_THAT(answer, IsOk());
  EXPECT_THAT(answer->answer, StatusIs(absl::StatusCode::kNotFound));
  ASSERT_EQ(answer->consulted.size(), 1u);
  EXPECT_THAT(answer->consulted[0].subjects, ::testing::ElementsAre("pnc:2000/0000001A"));
}

}  // namespace
}  // namespace safeguard::mappa
