// The ChildrensService gRPC handlers: each hands the call to ChildrensCommands (or, for
// the agency's own record, the RecordReader) through Serve (common/grpc/serve.h).
#pragma once

#include "common/agency/agency_node.h"
#include "common/agency/record_reader.h"
#include "common/grpc/serve.h"
#include "safeguard/v1/childrens_service.grpc.pb.h"
#include "services/childrens/childrens_commands.h"

namespace safeguard::childrens {

namespace v1 = safeguard::v1;

class ChildrensGrpcService final : public v1::ChildrensService::CallbackService {
 public:
  // The service owns the commands it serves; `access` records reads of the agency's own
  // record.
  explicit ChildrensGrpcService(const agency::AgencyParts& parts)
      : commands_(parts.store, parts.clock),
        records_(parts.store, "childrens", agency::SubjectKeying::kChildrens, "childrens.Record", parts.access,
                 parts.protection, parts.clock) {}

  grpc::ServerUnaryReactor* RecordReferral(grpc::CallbackServerContext* ctx, const v1::RecordReferralRequest* r,
                                           v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* StartSection47Enquiry(grpc::CallbackServerContext* ctx,
                                                  const v1::StartSection47EnquiryRequest* r,
                                                  v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* ConcludeSection47Enquiry(grpc::CallbackServerContext* ctx,
                                                     const v1::ConcludeSection47EnquiryRequest* r,
                                                     v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* StartChildProtectionPlan(grpc::CallbackServerContext* ctx,
                                                     const v1::StartChildProtectionPlanRequest* r,
                                                     v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* EndChildProtectionPlan(grpc::CallbackServerContext* ctx,
                                                   const v1::EndChildProtectionPlanRequest* r,
                                                   v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordConcernAboutAdult(grpc::CallbackServerContext* ctx,
                                                    const v1::RecordConcernAboutAdultRequest* r,
                                                    v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordHouseholdMembership(grpc::CallbackServerContext* ctx,
                                                      const v1::RecordHouseholdMembershipRequest* r,
                                                      v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* EndHouseholdMembership(grpc::CallbackServerContext* ctx,
                                                   const v1::EndHouseholdMembershipRequest* r,
                                                   v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* RecordCorrection(grpc::CallbackServerContext* ctx, const v1::RecordCorrectionRequest* r,
                                             v1::CommandResult* out) override {
    return Serve(ctx, r, out, &commands_);
  }
  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* ctx, const v1::GetAgencyRecordRequest* r,
                                      v1::AgencyRecord* out) override {
    return Serve(ctx, r, out, &records_);
  }

 private:
  ChildrensCommands commands_;
  agency::RecordReader records_;
};

}  // namespace safeguard::childrens
