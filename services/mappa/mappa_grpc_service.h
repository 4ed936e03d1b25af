// The MappaService gRPC handlers: translate, call MappaReads, map the status back.
#pragma once

#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "services/mappa/mappa_reads.h"

namespace safeguard::mappa {

class MappaGrpcService final : public safeguard::v1::MappaService::CallbackService {
 public:
  explicit MappaGrpcService(MappaReads* reads) : reads_(reads) {}

  grpc::ServerUnaryReactor* GetRiskView(grpc::CallbackServerContext* ctx,
                                        const safeguard::v1::GetRiskViewRequest* request,
                                        safeguard::v1::RiskView* response) override;
  grpc::ServerUnaryReactor* GetTimeline(grpc::CallbackServerContext* ctx,
                                        const safeguard::v1::GetTimelineRequest* request,
                                        safeguard::v1::GetTimelineResponse* response) override;

 private:
  MappaReads* const reads_;
};

}  // namespace safeguard::mappa
