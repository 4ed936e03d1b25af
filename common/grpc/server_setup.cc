#include "common/grpc/server_setup.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace safeguard {

absl::StatusOr<RunningServer> StartServer(const std::string& host, int port,
                                          const std::vector<grpc::Service*>& services,
                                          const security::ServerSecurity& admission) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   security::MakeServerCredentials(admission, host));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int selected_port = 0;
  const std::string bind = host.find(':') != std::string::npos
                               ? absl::StrCat("[", host, "]:", port)
                               : absl::StrCat(host, ":", port);
  builder.AddListeningPort(bind, credentials, &selected_port);
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  for (grpc::Service* service : services) builder.RegisterService(service);
  RunningServer running;
  running.server = builder.BuildAndStart();
  if (!running.server || selected_port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", bind));
  }
  running.address = host.find(':') != std::string::npos
                        ? absl::StrCat("[", host, "]:", selected_port)
                        : absl::StrCat(host, ":", selected_port);
  if (auto* health = running.server->GetHealthCheckService()) {
    health->SetServingStatus(true);
  }
  return running;
}

}  // namespace safeguard
