// The ScreeningService gRPC handler: authenticate the platform, check, map back.
#pragma once

#include "safeguard/v1/screening_service.grpc.pb.h"
#include "services/mappa/screening.h"

namespace safeguard::mappa {

class ScreeningGrpcService final : public safeguard::v1::ScreeningService::CallbackService {
 public:
  explicit ScreeningGrpcService(Screening* screening) : screening_(screening) {}

  grpc::ServerUnaryReactor* CheckIdentifier(grpc::CallbackServerContext* ctx,
                                            const safeguard::v1::CheckIdentifierRequest* request,
                                            safeguard::v1::CheckIdentifierResponse* response) override;

 private:
  Screening* const screening_;
};

}  // namespace safeguard::mappa
