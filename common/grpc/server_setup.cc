#include "common/grpc/server_setup.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/grpc/call_observer.h"
#include "common/grpc/strict_input.h"
#include "common/status_macros.h"
#include "common/store/storage_health.h"

namespace safeguard {
namespace {

// Why `host:port` cannot be bound, as the operating system puts it ("Address already in
// use"), found by trying to bind it once more: gRPC reports only that it failed.
std::string BindFailure(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
    return "the host is not a name or address of this machine";
  }
  int error = 0;
  const int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0) {
    error = errno;
  } else {
    if (bind(fd, found->ai_addr, found->ai_addrlen) != 0) error = errno;
    close(fd);
  }
  freeaddrinfo(found);
  if (error == EADDRINUSE) {
    return "address already in use: another process (another safeguardd?) is listening on that port";
  }
  return error != 0 ? std::strerror(error) : "gRPC could not start a server there";
}

// Keeps a server's health service true to its services' readiness: checked every second,
// and at once when a storage fault comes or goes.
class HealthKeeper {
 public:
  HealthKeeper(grpc::HealthCheckServiceInterface* health, std::vector<std::string> names, ReadyCheck ready)
      : health_(health), names_(std::move(names)), ready_(std::move(ready)) {
    Update();
    storage_ = StorageHealth::Process().Subscribe([this](bool) {
      std::lock_guard<std::mutex> lock(mu_);
      woken_ = true;
      wake_.notify_one();
    });
    thread_ = std::thread([this] { Loop(); });
  }

  ~HealthKeeper() {
    storage_.reset();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      wake_.notify_one();
    }
    thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || woken_; });
      if (stopping_) break;
      woken_ = false;
      lock.unlock();
      Update();
      lock.lock();
    }
  }

  void Update() {
    absl::Status ready = StorageHealth::Process().Ready();
    if (ready.ok() && ready_) ready = ready_();
    const bool serving = ready.ok();
    for (const std::string& name : names_) health_->SetServingStatus(name, serving);
    health_->SetServingStatus("", serving);
  }

  grpc::HealthCheckServiceInterface* const health_;
  const std::vector<std::string> names_;
  const ReadyCheck ready_;
  std::shared_ptr<void> storage_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

absl::Status ProcessReady(const std::vector<ServiceNode*>& nodes) {
  RETURN_IF_ERROR(StorageHealth::Process().Ready());
  for (ServiceNode* node : nodes) RETURN_IF_ERROR(node->Ready());
  return absl::OkStatus();
}

absl::StatusOr<RunningServer> StartServer(const std::string& host, int port,
                                          const std::vector<ServedService>& services,
                                          const security::ServerSecurity& admission, ReadyCheck ready) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   security::MakeServerCredentials(admission, host));
  LimitProtobufLogging();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int selected_port = 0;
  const std::string bind = host.find(':') != std::string::npos
                               ? absl::StrCat("[", host, "]:", port)
                               : absl::StrCat(host, ":", port);
  builder.AddListeningPort(bind, credentials, &selected_port);
  // gRPC sets SO_REUSEPORT by default, which lets a second process bind the same port and
  // take a share of the calls. A Safeguard port is this process's alone.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  std::vector<std::string> names;
  for (const ServedService& s : services) {
    builder.RegisterService(s.service);
    names.push_back(s.name);
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(UndecodableRequestsRefused());
  // Last: a server runs the interceptors of a send in order, so this one sees the status
  // the others settle on.
  interceptors.push_back(CallsObserved());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  RunningServer running;
  running.server = builder.BuildAndStart();
  if (!running.server || selected_port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", bind, ": ", BindFailure(host, port)));
  }
  running.address = host.find(':') != std::string::npos
                        ? absl::StrCat("[", host, "]:", selected_port)
                        : absl::StrCat(host, ":", selected_port);
  if (grpc::HealthCheckServiceInterface* health = running.server->GetHealthCheckService()) {
    running.health = std::make_shared<HealthKeeper>(health, std::move(names), std::move(ready));
  }
  return running;
}

}  // namespace safeguard
