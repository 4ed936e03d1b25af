// The ScreeningService gRPC handler: hands the platform's check to Screening through
// Serve (common/grpc/serve.h).
#pragma once

#include "common/grpc/serve.h"
#include "safeguard/v1/screening_service.grpc.pb.h"
#include "services/mappa/screening.h"

namespace safeguard::mappa {

class ScreeningGrpcService final : public safeguard::v1::ScreeningService::CallbackService {
 public:
  explicit ScreeningGrpcService(Screening* screening) : screening_(screening) {}

  grpc::ServerUnaryReactor* CheckIdentifier(grpc::CallbackServerContext* ctx,
                                            const safeguard::v1::CheckIdentifierRequest* r,
                                            safeguard::v1::CheckIdentifierResponse* out) override {
    return Serve(ctx, r, out, screening_);
  }

 private:
  Screening* const screening_;
};

}  // namespace safeguard::mappa
