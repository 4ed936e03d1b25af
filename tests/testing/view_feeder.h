// Applies events to mappa-service's state as its consumer would: as records of one topic
// with offsets counting up; and, for a store of mappa-service's own commands, what it has
// appended since the last call.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "common/store/event_store.h"
#include "tests/testing/mappa_test_state.h"
#include "tests/testing/status_matchers.h"

namespace safeguard::testing {

class ViewFeeder {
 public:
  explicit ViewFeeder(MappaTestState* views) : views_(views) {}

  void Feed(const std::vector<safeguard::v1::EventEnvelope>& events) {
    std::vector<BusRecord> records;
    for (const auto& e : events) {
      records.push_back(
          BusRecord{.topic = "t", .offset = offset_++, .key = e.subject_key(), .value = e.SerializeAsString()});
    }
    ASSERT_THAT(views_->ApplyRecords(records), IsOk());
  }

  // Applies what `store` has appended since the last call.
  void Consume(EventStore& store) {
    auto appended = store.ReadLog(consumed_ + 1, 1000);
    ASSERT_THAT(appended, IsOk());
    consumed_ += appended->size();
    Feed(*appended);
  }

 private:
  MappaTestState* const views_;
  int64_t offset_ = 0;
  uint64_t consumed_ = 0;
};

}  // namespace safeguard::testing
