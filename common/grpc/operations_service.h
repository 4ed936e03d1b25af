// OperationsService: reports a process's status, gathered from its parts, and makes a
// backup set when asked (common/store/backup.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/grpc/serve.h"
#include "common/store/backup.h"
#include "safeguard/v1/operations.grpc.pb.h"

namespace safeguard {

// A process's status, from its parts' reporters. Knows nothing of gRPC. Thread-safe.
class ProcessStatus {
 public:
  // Each reporter adds its part to the status; the first error fails the report.
  using Reporter = std::function<absl::Status(safeguard::v1::ServiceStatus*)>;
  ProcessStatus(std::string bus_description, std::vector<Reporter> reporters)
      : bus_(std::move(bus_description)), reporters_(std::move(reporters)) {}

  void Handle(const safeguard::v1::GetStatusRequest& request, const CallContext& call,
              Reply<safeguard::v1::ServiceStatus> reply) const;

  // The status now (what GetStatus answers).
  absl::StatusOr<safeguard::v1::ServiceStatus> Collect() const;

 private:
  const std::string bus_;
  const std::vector<Reporter> reporters_;
};

// A process's backups, for OperationsService: CreateBackup, and the status's backups.
class BackupRequests {
 public:
  // `backups` (null: none configured) must outlive this.
  explicit BackupRequests(Backups* backups) : backups_(backups) {}

  void Handle(const safeguard::v1::CreateBackupRequest& request, const CallContext& call,
              Reply<safeguard::v1::BackupReport> reply) const;

  // Adds the backups' record to `status`.
  absl::Status ReportStatus(safeguard::v1::ServiceStatus* status) const;

 private:
  Backups* const backups_;
};

class OperationsGrpcService final : public safeguard::v1::OperationsService::CallbackService {
 public:
  using Reporter = ProcessStatus::Reporter;
  // `backups` (null: none configured) must outlive the service.
  OperationsGrpcService(std::string bus_description, std::vector<Reporter> reporters, Backups* backups = nullptr)
      : status_(std::move(bus_description), WithBackups(std::move(reporters), &backups_)), backups_(backups) {}

  const ProcessStatus& status() const { return status_; }

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* ctx, const safeguard::v1::GetStatusRequest* r,
                                      safeguard::v1::ServiceStatus* out) override {
    return Serve(ctx, r, out, &status_);
  }
  grpc::ServerUnaryReactor* CreateBackup(grpc::CallbackServerContext* ctx, const safeguard::v1::CreateBackupRequest* r,
                                         safeguard::v1::BackupReport* out) override {
    return Serve(ctx, r, out, &backups_);
  }

 private:
  static std::vector<Reporter> WithBackups(std::vector<Reporter> reporters, const BackupRequests* backups) {
    reporters.push_back([backups](safeguard::v1::ServiceStatus* s) { return backups->ReportStatus(s); });
    return reporters;
  }

  ProcessStatus status_;
  BackupRequests backups_;
};

}  // namespace safeguard
