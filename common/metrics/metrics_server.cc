#include "common/metrics/metrics_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"

namespace safeguard::metrics {

namespace {

void Answer(const std::function<absl::Status()>& check, httplib::Response& res) {
  const absl::Status st = check ? check() : absl::OkStatus();
  res.status = st.ok() ? 200 : 503;
  res.set_content(st.ok() ? "ok\n" : absl::StrCat(st.message(), "\n"), "text/plain; charset=utf-8");
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& host, int port, Probes probes,
                                                                     const Registry* registry) {
  std::unique_ptr<MetricsServer> m(new MetricsServer());
  m->server_ = std::make_unique<httplib::Server>();
  httplib::Server& s = *m->server_;
  // httplib sets SO_REUSEPORT by default, which would let a second process share the port.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Four threads serve two scrapers and the kubelet's probes; a connection is not kept
  // open long after its answer, so that idle scrapers do not hold threads the probes need.
  s.new_task_queue = [] { return new httplib::ThreadPool(4); };
  s.set_read_timeout(5, 0);
  s.set_write_timeout(5, 0);
  s.set_keep_alive_timeout(1);
  s.set_keep_alive_max_count(10);
  s.set_payload_max_length(4096);
  s.Get("/metrics", [registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry->Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/livez", [alive = probes.alive](const httplib::Request&, httplib::Response& res) { Answer(alive, res); });
  s.Get("/readyz", [ready = probes.ready](const httplib::Request&, httplib::Response& res) { Answer(ready, res); });
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) res.set_content("not found: try /metrics, /livez or /readyz\n", "text/plain");
  });
  int bound = port;
  if (port == 0) {
    bound = s.bind_to_any_port(host);
    if (bound <= 0) return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", host, " (any port)"));
  } else if (!s.bind_to_port(host, port)) {
    return absl::UnavailableError(
        absl::StrCat("metrics: cannot listen on ", host, ":", port, " (address already in use, or not this machine's)"));
  }
  m->address_ = host.find(':') != std::string::npos ? absl::StrCat("[", host, "]:", bound) : absl::StrCat(host, ":", bound);
  m->thread_ = std::thread([server = m->server_.get(), done = &m->done_] {
    server->listen_after_bind();
    done->store(true);
  });
  return m;
}

MetricsServer::~MetricsServer() {
  // stop() does nothing until the server's thread is listening: ask until it has ended.
  while (thread_.joinable() && !done_.load()) {
    server_->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace safeguard::metrics
