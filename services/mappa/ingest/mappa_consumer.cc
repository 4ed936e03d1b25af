#include "services/mappa/ingest/mappa_consumer.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "services/mappa/ingest/stream_sequencer.h"

namespace safeguard::mappa {

using safeguard::v1::ConsumerPosition;
namespace v1 = safeguard::v1;

inline constexpr char kConsumerGroup[] = "mappa-service";

namespace {

// How long the rebuild has been under way, to the tenth of a second.
absl::Duration RebuildTook(const v1::MappaRebuild& rebuild, absl::Time now) {
  return absl::Trunc(now - FromProtoTimestamp(rebuild.began_at()), absl::Milliseconds(100));
}

}  // namespace

MappaConsumer::MappaConsumer(EventBus* bus, MappaState* state, Projector* projector, std::vector<std::string> topics,
                             Clock clock)
    : bus_(bus), state_(state), projector_(projector), topics_(std::move(topics)), clock_(std::move(clock)) {}

MappaConsumer::~MappaConsumer() { Stop(); }

void MappaConsumer::Start() {
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

std::vector<PartitionEnd> MappaConsumer::ends() const {
  std::lock_guard<std::mutex> lock(seen_mu_);
  return ends_;
}

absl::Time MappaConsumer::last_turn() const {
  std::lock_guard<std::mutex> lock(seen_mu_);
  return last_turn_;
}

void MappaConsumer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void MappaConsumer::ShowRebuild() {
  const v1::MappaRebuild rebuild = projector_->rebuild();
  if (rebuild.stage() == v1::MappaRebuild::STAGE_UNSPECIFIED) {
    if (progress_) progress_->Finish();
    progress_.reset();
    return;
  }
  const bool filing = rebuild.stage() == v1::MappaRebuild::FILING;
  const uint64_t done = filing ? rebuild.events_filed() : rebuild.persons_folded();
  if (!progress_ || (!filing && progress_->unit() == "events")) {
    if (progress_) progress_->Finish();
    uint64_t total = 0;  // the log's length, when filing
    if (filing) {
      std::lock_guard<std::mutex> lock(seen_mu_);
      for (const PartitionEnd& end : ends_) total += static_cast<uint64_t>(end.end);
    }
    progress_ = std::make_unique<Progress>(
        filing ? "rebuilding mappa-service's views: filing the log" : "rebuilding mappa-service's views: folding pictures",
        filing ? "events" : "records", total);
  }
  progress_->Set(done);
  // Off a terminal the log says the same every ten seconds.
  if (absl::Now() - progress_logged_ >= absl::Seconds(10)) {
    progress_logged_ = absl::Now();
    logging::Info(absl::StrCat("mappa consumer: rebuild under way: ", progress_->Line(absl::Now())),
                  {{"stage", filing ? "filing" : "folding"}, {"done", done}});
  }
}

absl::StatusOr<bool> MappaConsumer::FoldOrReevaluateSome() {
  const v1::MappaRebuild rebuild = projector_->rebuild();
  if (rebuild.stage() != v1::MappaRebuild::FOLDING) return ReevaluateSome();
  ASSIGN_OR_RETURN(const bool more, projector_->FoldSome(kFoldChunk));
  ShowRebuild();
  if (!more) {
    logging::Info(absl::StrCat("mappa consumer: rebuild done in ", absl::FormatDuration(RebuildTook(rebuild, clock_())), " (",
                               rebuild.events_filed(), " events filed); every view is served again"));
  }
  return more;
}

bool MappaConsumer::ReevaluateSome() {
  if (clock_() < next_reevaluation_) return false;
  absl::StatusOr<bool> more = projector_->ReevaluateAlerts(kReevaluationChunk);
  if (!more.ok()) {
    // Not again for a while: on a full disk every attempt judges a chunk of people for
    // nothing, and says so.
    reevaluation_backoff_ = std::min(std::max(reevaluation_backoff_ * 2, absl::Seconds(1)), absl::Minutes(1));
    next_reevaluation_ = clock_() + reevaluation_backoff_;
    logging::Warning(absl::StrCat("mappa consumer: re-evaluating alerts failed (will retry in ",
                                  absl::FormatDuration(reevaluation_backoff_), "): ", more.status().ToString()));
    return false;
  }
  reevaluation_backoff_ = absl::ZeroDuration();
  return *more;
}

void MappaConsumer::Loop() {
  absl::Duration backoff = absl::Milliseconds(50);
  auto pause = [&] {
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  };
  while (!stopping_) {
    absl::StatusOr<std::unique_ptr<BusConsumer>> consumer = bus_->Subscribe(
        topics_, kConsumerGroup, [this](const std::string& topic, int32_t partition) {
          return StreamSequencer::Position(state_->Read(), topic, partition);
        });
    {
      std::lock_guard<std::mutex> lock(seen_mu_);
      last_turn_ = absl::Now();
    }
    if (!consumer.ok()) {
      logging::Warning(absl::StrCat("mappa consumer: subscribe failed: ", consumer.status().ToString()));
      pause();
      continue;
    }
    // An empty state (nothing consumed yet) with more than one batch waiting is rebuilt
    // the faster way (Projector::BeginRebuild).
    absl::StatusOr<std::vector<ConsumerPosition>> positions = StreamSequencer::Positions(state_->Read());
    bool empty = positions.ok() && positions->empty();
    while (!stopping_) {
      absl::StatusOr<bool> busy = FoldOrReevaluateSome();
      if (!busy.ok()) {
        logging::Warning(absl::StrCat("mappa consumer: folding the rebuild's pictures failed: ", busy.status().ToString()));
        break;
      }
      // While a chunk of either is under way the poll does not wait: both go on together.
      absl::StatusOr<std::vector<BusRecord>> records =
          (*consumer)->Poll(*busy ? absl::ZeroDuration() : absl::Milliseconds(100), kMaxBatch);
      if (!records.ok()) {
        logging::Warning(absl::StrCat("mappa consumer: poll failed: ", records.status().ToString()));
        break;
      }
      {
        std::vector<PartitionEnd> ends = (*consumer)->Ends();
        std::lock_guard<std::mutex> lock(seen_mu_);
        if (!ends.empty()) ends_ = std::move(ends);
        last_turn_ = absl::Now();
      }
      if (empty && records->size() == kMaxBatch && projector_->rebuild().stage() == v1::MappaRebuild::STAGE_UNSPECIFIED) {
        if (absl::Status begun = projector_->BeginRebuild(); !begun.ok()) {
          logging::Warning(absl::StrCat("mappa consumer: beginning a rebuild failed: ", begun.ToString()));
          break;
        }
        logging::Info(
            "mappa consumer: the state is empty and the log is not; rebuilding every view from it (reads wait until "
            "every picture is folded)");
      }
      if (!records->empty()) {
        absl::StatusOr<ApplyStats> stats = projector_->Apply(*records);
        if (!stats.ok()) {
          logging::Warning(absl::StrCat("mappa consumer: apply failed: ", stats.status().ToString()));
          break;
        }
        empty = false;
        ShowRebuild();
      }
      // A short poll: the log is applied, as far as it went when the poll was made.
      if (records->size() < kMaxBatch && projector_->rebuild().stage() == v1::MappaRebuild::FILING) {
        if (absl::Status ended = projector_->EndFiling(); !ended.ok()) {
          logging::Warning(absl::StrCat("mappa consumer: ending the rebuild's filing failed: ", ended.ToString()));
          break;
        }
        const v1::MappaRebuild rebuild = projector_->rebuild();
        logging::Info(absl::StrCat("mappa consumer: rebuild filed ", rebuild.events_filed(), " events in ",
                                   absl::FormatDuration(RebuildTook(rebuild, clock_())),
                                   "; folding each person's picture next"));
      }
      backoff = absl::Milliseconds(50);
    }
    if (!stopping_) pause();
  }
}

}  // namespace safeguard::mappa
