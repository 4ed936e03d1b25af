#include "common/metrics/status_metrics.h"

#include <sys/statvfs.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/time_util.h"

namespace safeguard::metrics {

namespace v1 = safeguard::v1;

void AddStatus(const v1::ServiceStatus& status, Sink& sink) {
  const std::string service = status.services_size() > 0 ? status.services(0) : "unknown";
  const Labels of = {{"service", service}};
  sink.Gauge("safeguard_ready", "1 while the service is ready for calls (the health service and /readyz agree).", of,
             status.not_ready().empty() ? 1 : 0);
  // An agency service's event store and outbox, or mappa-service's decision log.
  sink.Gauge("safeguard_store_last_sequence", "The sequence of the last event in the service's event log.", of,
             static_cast<double>(status.last_log_sequence()));
  sink.Counter("safeguard_store_events_written_total", "Events written to the service's event log since start.", of,
               static_cast<double>(status.events_written()));
  sink.Counter("safeguard_store_synced_writes_total",
               "Synced writes that carried them; events_written / synced_writes is the group-commit factor.", of,
               static_cast<double>(status.synced_writes()));
  sink.Gauge("safeguard_outbox_pending_events", "Events committed to the log and not yet confirmed by the bus.", of,
             static_cast<double>(status.outbox_pending()));
  // An agency service's scheduled reviews of its records (review and retention).
  if (status.has_reviews()) {
    sink.Gauge("safeguard_reviews_overdue", "Records of the agency's past their review date.", of,
               static_cast<double>(status.reviews().overdue()));
    sink.Gauge("safeguard_reviews_due_soon", "Records of the agency due for review in the next 30 days.", of,
               static_cast<double>(status.reviews().due_within_30_days()));
    sink.Gauge("safeguard_reviews_records", "Records of the agency under review rules.", of,
               static_cast<double>(status.reviews().records()));
  }
  if (status.has_data_keys()) {
    sink.Gauge("safeguard_data_keys_under_retired_keks",
               "Data keys held wrapped under a KEK the key vault no longer holds: what they seal cannot be read.", of,
               static_cast<double>(status.data_keys().under_retired_keks()));
  }
  sink.Counter("safeguard_events_published_total", "Events the outbox relay published to the bus since start.", of,
               static_cast<double>(status.events_published()));
  sink.Counter("safeguard_data_loss_detected_total",
               "Reads since start that found a stored event altered, out of place or missing (each answered DATA_LOSS).",
               of, static_cast<double>(status.data_loss_detected()));
  if (status.has_last_scrub()) {
    sink.Gauge("safeguard_store_last_scrub_timestamp_seconds", "When the last scrub of the whole store finished.", of,
               absl::ToDoubleSeconds(FromProtoTimestamp(status.last_scrub().at()) - absl::UnixEpoch()));
    sink.Gauge("safeguard_store_last_scrub_failed", "1 when the last scrub of the whole store found a problem.", of,
               status.last_scrub().problem().empty() ? 0 : 1);
  }
  // mappa-service's consumer.
  if (service == "mappa-service") {
    sink.Counter("safeguard_events_applied_total", "Events the consumer applied to the views since start.", of,
                 static_cast<double>(status.events_applied()));
    sink.Counter("safeguard_events_duplicate_total",
                 "Redelivered events the consumer skipped since start (already applied).", of,
                 static_cast<double>(status.duplicates_skipped()));
    sink.Gauge("safeguard_events_parked", "Events held until an earlier version of their stream arrives.", of,
               static_cast<double>(status.events_waiting()));
    sink.Gauge("safeguard_stream_gaps", "Streams waiting for a missing version (counted up to 100).", of,
               status.open_gaps_size());
    for (const v1::ConsumerPosition& p : status.positions()) {
      const Labels at = {{"service", service}, {"topic", p.topic()}, {"partition", absl::StrCat(p.partition())}};
      sink.Gauge("safeguard_consumer_next_offset", "The next offset the consumer will apply, by topic and partition.",
                 at, static_cast<double>(p.next_offset()));
      if (p.end_offset() > 0 || p.lag() > 0) {
        sink.Gauge("safeguard_consumer_end_offset", "Where the partition ends, as the bus last said.", at,
                   static_cast<double>(p.end_offset()));
        sink.Gauge("safeguard_consumer_lag_events", "Records of the partition not yet applied.", at,
                   static_cast<double>(p.lag()));
      }
    }
    sink.Gauge("safeguard_rebuild_in_progress", "1 while mappa-service rebuilds its views from the log.", of,
               status.rebuild().stage() != v1::MappaRebuild::STAGE_UNSPECIFIED ? 1 : 0);
    if (status.rebuild().stage() != v1::MappaRebuild::STAGE_UNSPECIFIED) {
      sink.Gauge("safeguard_rebuild_events_filed", "Log events the rebuild under way has filed.", of,
                 static_cast<double>(status.rebuild().events_filed()));
      sink.Gauge("safeguard_rebuild_persons_folded", "Pictures the rebuild under way has folded.", of,
                 static_cast<double>(status.rebuild().persons_folded()));
    }
    for (const v1::OpenAlerts& a : status.open_alerts()) {
      sink.Gauge("safeguard_alerts_open", "Alerts standing now, by rule.", {{"service", service}, {"rule", a.rule()}},
                 static_cast<double>(a.count()));
    }
  }
  for (const v1::StorageFault& f : status.storage_faults()) {
    sink.Gauge("safeguard_storage_fault",
               "1 for each database whose writes a storage fault has stopped (disk_full says whether the disk is full).",
               {{"service", service}, {"database", f.database()}, {"disk_full", f.disk_full() ? "true" : "false"}}, 1);
  }
  if (status.has_access_policy()) {
    const v1::AccessPolicyStatus& p = status.access_policy();
    sink.Counter("safeguard_access_policy_reloads_total", "Reloads of the access policy that changed it since start.",
                 of, static_cast<double>(p.reloads()));
    sink.Gauge("safeguard_access_policy_revoked_certificates", "Certificates the access policy in force revokes.", of,
               p.revoked());
    sink.Gauge("safeguard_access_policy_reload_failing", "1 while the last reload of the access policy failed.", of,
               p.last_error().empty() ? 0 : 1);
  }
}

std::shared_ptr<void> ExportStatus(const ProcessStatus* status) {
  return Registry::Process().AddCollector([status](Sink& sink) {
    absl::StatusOr<v1::ServiceStatus> now = status->Collect();
    if (!now.ok()) {
      logging::Warning("metrics: the status could not be read", {{"error", now.status().ToString()}});
      return;
    }
    AddStatus(*now, sink);
  });
}

std::shared_ptr<void> ExportDiskUse(std::string data_dir) {
  return Registry::Process().AddCollector([data_dir = std::move(data_dir)](Sink& sink) {
    std::error_code ec;
    for (auto store = std::filesystem::directory_iterator(data_dir, ec);
         !ec && store != std::filesystem::directory_iterator(); store.increment(ec)) {
      if (!store->is_directory(ec)) continue;
      double bytes = 0;
      std::error_code walk;
      for (auto f = std::filesystem::recursive_directory_iterator(store->path(), walk);
           !walk && f != std::filesystem::recursive_directory_iterator(); f.increment(walk)) {
        std::error_code size_error;
        if (f->is_regular_file(size_error)) {
          const auto size = f->file_size(size_error);
          if (!size_error) bytes += static_cast<double>(size);
        }
      }
      sink.Gauge("safeguard_store_disk_bytes", "Bytes on disk of each store under the data directory.",
                 {{"store", store->path().filename().string()}}, bytes);
    }
    struct statvfs fs {};
    if (statvfs(data_dir.c_str(), &fs) == 0) {
      sink.Gauge("safeguard_data_filesystem_free_bytes", "Bytes free to this process on the data directory's file system.",
                 {}, static_cast<double>(fs.f_bavail) * fs.f_frsize);
      sink.Gauge("safeguard_data_filesystem_size_bytes", "Size of the data directory's file system.", {},
                 static_cast<double>(fs.f_blocks) * fs.f_frsize);
    }
  });
}

}  // namespace safeguard::metrics
