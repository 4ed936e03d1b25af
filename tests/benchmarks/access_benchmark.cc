// What mutual TLS and the access policy cost a call, measured against plain gRPC in the
// same run. The same unary call (the standard health check: a handler that does nothing,
// so that only the transport and the admission of the caller are measured), made one at a
// time over one channel kept open, to a server on loopback:
//   BM_Call/plaintext:        InsecureServerCredentials: the baseline, raw gRPC.
//   BM_Call/mutual_tls:       TLS with a client certificate required and verified.
//   BM_Call/mutual_tls_hook:  the above with a gRPC AuthMetadataProcessor that admits
//                             every call: what the hook itself costs in gRPC.
//   BM_Call/mutual_tls_policy: what Safeguard's servers do (StartServer): mutual TLS plus
//                             AccessControl on every call (the caller read from the
//                             certificate, the policy applied).
// Compare items_per_second as ratios to the baseline.
#include <benchmark/benchmark.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <future>

#include "absl/strings/str_cat.h"
#include "common/grpc/server_setup.h"
#include "tests/testing/test_pki.h"

namespace safeguard {
namespace {

enum Variant { kPlaintext = 0, kMutualTls = 1, kMutualTlsHook = 2, kMutualTlsPolicy = 3 };

class AdmitAll final : public grpc::AuthMetadataProcessor {
 public:
  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata&, grpc::AuthContext*, OutputMetadata*, OutputMetadata*) override {
    return grpc::Status::OK;
  }
};

struct Server {
  std::unique_ptr<grpc::Server> server;
  std::string address;
};

Server Start(Variant variant) {
  testing::TestPki& pki = testing::TestPki::Get();
  if (variant == kMutualTlsPolicy) {
    absl::StatusOr<RunningServer> running = StartServer("127.0.0.1", 0, {}, pki.Server());
    if (!running.ok()) std::abort();
    return {std::move(running->server), running->address};
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (variant == kMutualTls || variant == kMutualTlsHook) {
    const security::ServerSecurity s = pki.Server();
    grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = s.client_ca_pem;
    options.pem_key_cert_pairs.push_back({s.server.private_key_pem, s.server.certificate_pem});
    credentials = grpc::SslServerCredentials(options);
    if (variant == kMutualTlsHook) credentials->SetAuthMetadataProcessor(std::make_shared<AdmitAll>());
  }
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", credentials, &port);
  Server out{builder.BuildAndStart(), ""};
  if (out.server == nullptr || port == 0) std::abort();
  out.address = absl::StrCat("127.0.0.1:", port);
  return out;
}

void BM_Call(benchmark::State& state) {
  const auto variant = static_cast<Variant>(state.range(0));
  Server server = Start(variant);
  auto channel = grpc::CreateChannel(server.address, variant == kPlaintext
                                                          ? grpc::InsecureChannelCredentials()
                                                          : testing::TestPki::Get().As("operator"));
  grpc::GenericStub stub(channel);
  grpc::Slice empty("");
  const grpc::ByteBuffer request(&empty, 1);
  auto call = [&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  };
  if (!call().ok()) {  // connect (and handshake) outside the measurement
    state.SkipWithError("the first call failed");
    return;
  }
  for (auto _ : state) {
    grpc::Status st = call();
    if (!st.ok()) {
      state.SkipWithError(st.error_message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  server.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}
BENCHMARK(BM_Call)->ArgName("variant")->Arg(kPlaintext)->Arg(kMutualTls)->Arg(kMutualTlsHook)
    ->Arg(kMutualTlsPolicy)->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace safeguard

BENCHMARK_MAIN();
