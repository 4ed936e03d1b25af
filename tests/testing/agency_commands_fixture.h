// A fixture for an agency's domain commands (PoliceCommands, ProbationCommands, ...) on a
// real event store keeping the agency's stream state (its StreamFolder, which the
// agency's rules read), with a fixed "today" (2025-01-10), and the bad-input table every
// agency's validation is tested with: each row breaks one field of a valid request, and
// must be refused with INVALID_ARGUMENT naming that field, writing nothing.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/store/event_store.h"
#include "rocksdb/statistics.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"

namespace safeguard::testing {

inline Clock FixedClock() {
  return [] { return absl::FromCivil(absl::CivilSecond(2025, 1, 10, 12, 0, 0), absl::UTCTimeZone()); };
}

template <typename Commands>
class AgencyCommandsTest : public ::testing::Test {
 public:
  // Runs `request` through the commands and waits for the outcome.
  template <typename Request>
  absl::StatusOr<safeguard::v1::CommandResult> Run(const Request& request) {
    std::promise<absl::StatusOr<safeguard::v1::CommandResult>> p;
    commands_->Handle(request, call_,
                      [&p](absl::StatusOr<safeguard::v1::CommandResult> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  struct BadInput {
    std::string name;
    std::function<absl::Status(AgencyCommandsTest*)> run;
    std::string field;
  };

  // A row: `mutate` breaks one field of the valid `request`.
  template <typename Request>
  static std::function<absl::Status(AgencyCommandsTest*)> Break(Request request,
                                                               std::function<void(Request*)> mutate) {
    mutate(&request);
    return [request](AgencyCommandsTest* t) { return t->Run(request).status(); };
  }

  void ExpectEveryBadInputRefused(const std::vector<BadInput>& rows) {
    for (const BadInput& row : rows) {
      SCOPED_TRACE(row.name);
      ExpectViolationsOnlyOf(row.run(this), row.field);
    }
    EXPECT_EQ(store_->LastSequence(), 0u) << "a refused command wrote something";
  }

 protected:
  AgencyCommandsTest(safeguard::v1::Agency agency, std::string user, const StreamFolder* folder)
      : folder_(folder) {
    call_.actor.set_agency(agency);
    call_.actor.set_user(std::move(user));
    call_.correlation_id = "corr-1";
  }

  void SetUp() override {
    auto store = EventStore::Open(
        EventStore::Options{.path = dir_.path(), .clock = FixedClock(), .folder = folder_, .statistics = statistics_, .keys = testing::TestKeys()});
    ASSERT_THAT(store, IsOk());
    store_ = std::move(store).value();
    commands_ = std::make_unique<Commands>(store_.get(), FixedClock());
  }

  const StreamFolder* const folder_;
  // The store's RocksDB counters: what a command reads.
  std::shared_ptr<rocksdb::Statistics> statistics_ = rocksdb::CreateDBStatistics();
  TempDir dir_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Commands> commands_;
  CallContext call_;
};

}  // namespace safeguard::testing
