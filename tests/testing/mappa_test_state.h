// mappa-service's state on disk with its projector, for tests: applies bus records as the
// consumer would, and reads as mappa-service's reads do, each read through a snapshot
// taken then.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/mappa/alerts/alert_folder.h"
#include "services/mappa/identity/identity_index.h"
#include "services/mappa/ingest/projector.h"
#include "services/mappa/meetings/meeting_folder.h"
#include "services/mappa/projection/person_views.h"
#include "services/mappa/projection/record_events.h"
#include "services/mappa/state/mappa_state.h"
#include "common/bus/bus_config.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_vault.h"

namespace safeguard::testing {

class MappaTestState {
 public:
  MappaTestState(std::string path, Clock clock = SystemClock(),
                 std::shared_ptr<rocksdb::Statistics> statistics = nullptr, rocksdb::Env* env = nullptr)
      : path_(std::move(path)), clock_(std::move(clock)), statistics_(std::move(statistics)), env_(env) {
    Reopen();
  }

  // Closes the state and opens it again, as a restart would (with `env`, if given).
  void Reopen(rocksdb::Env* env) {
    env_ = env;
    Reopen();
  }
  void Reopen() {
    projector_.reset();
    state_.reset();
    auto state = mappa::MappaState::Open({.path = path_, .statistics = statistics_, .env = env_});
    EXPECT_THAT(state, IsOk());
    state_ = std::move(state).value();
    // As mappa-service reads: events sealed under keys of the test vault, whose records
    // come on the keys topics.
    auto projector =
        mappa::Projector::Create(state_.get(), clock_, {.vault = TestVault().get(), .topics = Topics().keys()});
    EXPECT_THAT(projector, IsOk());
    projector_ = std::move(projector).value();
  }

  absl::StatusOr<mappa::ApplyStats> ApplyRecords(const std::vector<BusRecord>& records) {
    return projector_->Apply(records);
  }

  mappa::MappaState* state() const { return state_.get(); }
  mappa::Projector* projector() const { return projector_.get(); }

  absl::StatusOr<std::string> ResolveReference(const std::string& reference) const {
    auto record = mappa::ResolveReference(state_->Read(), reference);
    if (!record.ok()) return record.status();
    if (!record->has_value()) return absl::NotFoundError(absl::StrCat("no subject is known as ", reference));
    return **record;
  }
  absl::StatusOr<std::vector<std::string>> PersonRecords(const std::string& record) const {
    auto person = mappa::PersonOf(state_->Read(), record);
    if (!person.ok()) return person.status();
    return person->records;
  }
  // The picture of the person `record` belongs to (facts), with every identity link of
  // their records.
  absl::StatusOr<safeguard::v1::RiskView> GetPersonView(const std::string& record) const {
    const mappa::Snapshot snapshot = state_->Read();
    auto person = mappa::PersonOf(snapshot, record);
    if (!person.ok()) return person.status();
    auto facts = mappa::PersonFacts(snapshot, person->key);
    if (!facts.ok()) return facts.status();
    if (!facts->has_value()) return absl::NotFoundError(absl::StrCat("no view of ", record));
    auto links = mappa::LinksOf(snapshot, person->records);
    if (!links.ok()) return links.status();
    for (auto& link : *links) *(*facts)->add_identity_links() = std::move(link);
    return **facts;
  }
  absl::StatusOr<safeguard::v1::GetTimelineResponse> GetTimeline(const std::string& record, uint32_t page_size,
                                                                const std::string& token) const {
    const mappa::Snapshot snapshot = state_->Read();
    auto person = mappa::PersonOf(snapshot, record);
    if (!person.ok()) return person.status();
    return mappa::TimelineOf(snapshot, person->records, page_size, token);
  }
  absl::StatusOr<safeguard::v1::IdentityLink> GetLink(const std::string& link_id) const {
    auto link = mappa::GetLink(state_->Read(), link_id);
    if (!link.ok()) return link.status();
    if (!link->has_value()) return absl::NotFoundError(absl::StrCat("no identity link ", link_id));
    return **link;
  }
  absl::StatusOr<safeguard::v1::ListIdentityLinksResponse> ListLinks(safeguard::v1::IdentityLinkStatus status,
                                                                    uint32_t page_size,
                                                                    const std::string& token) const {
    return mappa::ListLinks(state_->Read(), status, page_size, token);
  }
  absl::StatusOr<safeguard::v1::ListAlertsResponse> ListAlerts(safeguard::v1::AlertRule rule, uint32_t page_size,
                                                              const std::string& token) const {
    return mappa::ListAlerts(state_->Read(), rule, page_size, token);
  }
  absl::StatusOr<std::vector<safeguard::v1::AlertChange>> AlertChangesAfter(uint64_t after, size_t limit) const {
    return mappa::AlertChangesAfter(state_->Read(), after, limit);
  }
  absl::StatusOr<safeguard::v1::MappaMeeting> GetMeeting(const std::string& ref) const {
    auto m = mappa::GetMeeting(state_->Read(), ref);
    if (!m.ok()) return m.status();
    if (!m->has_value()) return absl::NotFoundError(absl::StrCat("meeting_ref: no meeting ", ref));
    return **m;
  }
  absl::StatusOr<int64_t> Position(const std::string& topic, int32_t partition) const {
    return mappa::StreamSequencer::Position(state_->Read(), topic, partition);
  }
  // The daily re-evaluation of every person's alerts, all of it.
  absl::Status ReevaluateAllAlerts() {
    for (;;) {
      auto more = projector_->ReevaluateAlerts(100);
      if (!more.ok()) return more.status();
      if (!*more) return absl::OkStatus();
    }
  }
  uint64_t AlertSequence() const { return *mappa::LastAlertSequence(state_->Read()); }
  absl::StatusOr<std::vector<safeguard::v1::GapReport>> Gaps() const {
    return mappa::StreamSequencer::Gaps(state_->Read(), 1000);
  }

 private:
  const std::string path_;
  const Clock clock_;
  const std::shared_ptr<rocksdb::Statistics> statistics_;
  rocksdb::Env* env_;
  std::unique_ptr<mappa::MappaState> state_;
  std::unique_ptr<mappa::Projector> projector_;
};

}  // namespace safeguard::testing
