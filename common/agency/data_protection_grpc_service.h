// The DataProtectionService gRPC handlers of an agency service: each hands the call to
// DataProtection (decisions) or to the data protection officer's RecordReader through
// Serve (common/grpc/serve.h). Nothing else lives here.
#pragma once

#include "common/agency/data_protection.h"
#include "common/agency/record_reader.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/serve.h"
#include "common/security/access_policy.h"
#include "safeguard/v1/data_protection_service.grpc.pb.h"

namespace safeguard::agency {

class DataProtectionGrpcService final : public safeguard::v1::DataProtectionService::CallbackService {
 public:
  // `protection`, `store` and `access` must outlive the service; `stream_prefix`,
  // `keying` and `view` are the agency's RecordReader's.
  DataProtectionGrpcService(DataProtection* protection, safeguard::v1::Agency agency, EventStore* store,
                            std::string stream_prefix, SubjectKeying keying, std::string view, AccessLog* access,
                            Clock clock)
      : erasure_{protection, DataProtection::Kind::kErasure},
        restriction_{protection, DataProtection::Kind::kRestriction},
        lift_{protection, DataProtection::Kind::kLift},
        retain_{protection, DataProtection::Kind::kRetain},
        queue_{protection},
        officer_reads_{agency, RecordReader(store, std::move(stream_prefix), keying, std::move(view), access, protection,
                                            std::move(clock), /*for_officer=*/true)} {}

  grpc::ServerUnaryReactor* RecordErasure(grpc::CallbackServerContext* ctx, const safeguard::v1::DataProtectionRequest* r,
                                          safeguard::v1::CommandResult* out) override {
    return Serve(ctx, r, out, &erasure_);
  }
  grpc::ServerUnaryReactor* RecordRestriction(grpc::CallbackServerContext* ctx,
                                              const safeguard::v1::DataProtectionRequest* r,
                                              safeguard::v1::CommandResult* out) override {
    return Serve(ctx, r, out, &restriction_);
  }
  grpc::ServerUnaryReactor* LiftRestriction(grpc::CallbackServerContext* ctx,
                                            const safeguard::v1::DataProtectionRequest* r,
                                            safeguard::v1::CommandResult* out) override {
    return Serve(ctx, r, out, &lift_);
  }
  grpc::ServerUnaryReactor* RecordRetention(grpc::CallbackServerContext* ctx,
                                            const safeguard::v1::DataProtectionRequest* r,
                                            safeguard::v1::CommandResult* out) override {
    return Serve(ctx, r, out, &retain_);
  }
  grpc::ServerUnaryReactor* ListReviews(grpc::CallbackServerContext* ctx, const safeguard::v1::ListReviewsRequest* r,
                                        safeguard::v1::ListReviewsResponse* out) override {
    return Serve(ctx, r, out, &queue_);
  }
  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* ctx, const safeguard::v1::GetAgencyRecordRequest* r,
                                      safeguard::v1::AgencyRecord* out) override {
    return Serve(ctx, r, out, &officer_reads_);
  }

 private:
  // One decision's kind, as a handler.
  struct Decisions {
    DataProtection* protection;
    DataProtection::Kind kind;
    void Handle(const safeguard::v1::DataProtectionRequest& request, const CallContext& call,
                Reply<safeguard::v1::CommandResult> reply) {
      protection->Decide(kind, request, call, std::move(reply));
    }
  };

  // The officer's read: of this agency's officers only, whatever the policy grants.
  struct OfficerReads {
    safeguard::v1::Agency agency;
    RecordReader reader;
    void Handle(const safeguard::v1::GetAgencyRecordRequest& request, const CallContext& call,
                Reply<safeguard::v1::AgencyRecord> reply) {
      if (call.actor.agency() != agency) {
        return reply(absl::PermissionDeniedError(absl::StrCat(
            "only ", security::AgencyName(agency), "'s data protection officers read its restricted records")));
      }
      reader.Handle(request, call, std::move(reply));
    }
  };

  // The review queue.
  struct Reviews {
    DataProtection* protection;
    void Handle(const safeguard::v1::ListReviewsRequest& request, const CallContext& call,
                Reply<safeguard::v1::ListReviewsResponse> reply) {
      protection->ListReviews(request, call, std::move(reply));
    }
  };

  Decisions erasure_, restriction_, lift_, retain_;
  Reviews queue_;
  OfficerReads officer_reads_;
};

}  // namespace safeguard::agency
