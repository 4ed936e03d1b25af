#include "common/grpc/operations_service.h"

#include "common/store/storage_health.h"
#include "common/time_util.h"

namespace safeguard {

void ProcessStatus::Handle(const safeguard::v1::GetStatusRequest&, const CallContext&,
                           Reply<safeguard::v1::ServiceStatus> reply) const {
  reply(Collect());
}

absl::StatusOr<safeguard::v1::ServiceStatus> ProcessStatus::Collect() const {
  safeguard::v1::ServiceStatus status;
  status.set_bus(bus_);
  for (const StorageHealth::Fault& fault : StorageHealth::Process().Faults()) {
    safeguard::v1::StorageFault* f = status.add_storage_faults();
    f->set_database(fault.database);
    f->set_error(fault.error);
    f->set_disk_full(fault.disk_full);
    *f->mutable_since() = ToProtoTimestamp(fault.since);
  }
  if (absl::Status storage = StorageHealth::Process().Ready(); !storage.ok()) {
    status.set_not_ready(std::string(storage.message()));
  }
  for (const Reporter& report : reporters_) {
    if (absl::Status st = report(&status); !st.ok()) return st;
  }
  return status;
}

namespace {

safeguard::v1::BackupReport ReportOf(const BackupSet& set, const std::string& backup_dir) {
  safeguard::v1::BackupReport r;
  r.set_set_id(set.id);
  *r.mutable_at() = ToProtoTimestamp(set.at);
  for (const auto& [name, id] : set.stores) r.add_stores(name);
  for (const std::string& f : set.files) r.add_files(f);
  r.set_bytes(set.bytes);
  r.set_seconds(absl::ToDoubleSeconds(set.took));
  r.set_backup_dir(backup_dir);
  return r;
}

}  // namespace

void BackupRequests::Handle(const safeguard::v1::CreateBackupRequest&, const CallContext&,
                            Reply<safeguard::v1::BackupReport> reply) const {
  if (backups_ == nullptr || backups_->options().backup_dir.empty()) {
    return reply(absl::FailedPreconditionError("this process has no backup directory: start it with --backup_dir"));
  }
  const std::string dir = backups_->options().backup_dir;
  backups_->BackUpAsync([reply = std::move(reply), dir](absl::StatusOr<BackupSet> made) {
    if (!made.ok()) return reply(made.status());
    reply(ReportOf(*made, dir));
  });
}

absl::Status BackupRequests::ReportStatus(safeguard::v1::ServiceStatus* status) const {
  if (backups_ == nullptr || backups_->options().backup_dir.empty()) return absl::OkStatus();
  safeguard::v1::BackupStatus* b = status->mutable_backups();
  b->set_backup_dir(backups_->options().backup_dir);
  b->set_every_seconds(absl::ToDoubleSeconds(backups_->options().every));
  const Backups::Record record = backups_->record();
  b->set_made(record.made);
  b->set_failed(record.failed);
  if (record.last) *b->mutable_last() = ReportOf(*record.last, backups_->options().backup_dir);
  b->set_last_error(record.last_error);
  return absl::OkStatus();
}

}  // namespace safeguard
