// safeguard-load: measures a real safeguardd, in one run, against baselines measured in
// the same run on the same machine, and prints each figure as a ratio (docs/performance.md).
//
//   (e) loads --events RecordIntelligence commands about --subjects people over mutual
//       TLS, and at each of --checkpoints waits for mappa-service to catch up, then
//       prints safeguardd's resident memory, the disk each store uses, and a linear
//       extrapolation of both to 10M events;
//   (b) GetRiskView at 16 in flight against a raw mutual-TLS gRPC echo at 16 in flight,
//       and the latency of each at 1 in flight, beside the disk's fdatasync floor;
//   (c) acknowledgement-to-visibility: a command is acknowledged, then the view is read
//       until it shows it; idle, and under half the ingest rate (a) reached at 64;
//   (a) durable ingest at 16, 64 and 256 in flight against the echo at each;
//   (d) safeguardd stopped, the log copied into RocksDB in batches of 1000 (the baseline),
//       mappa-service's state removed, safeguardd started: the time from the start until
//       its views are rebuilt from the whole log (start-up included: a few seconds);
//   (f) what sealing personal data per subject costs: up to 100,000 of the police events
//       loaded, opened with the run's key vault, are sealed again as the store's writer
//       seals each event (pseudonyms, key id, AES-256-GCM) and opened as mappa-service
//       opens each; the time per event, times the rates (a) at 64 in flight and (d)
//       reached, is the share of those rates that sealing and opening take at most (each
//       is done on the one thread that paces them: the store's writer, the consumer).
// The echo is this program run as `safeguard-load echo-server`, in its own process, with
// the certificates of safeguardd's local certificate authority. Each ratio is the median
// of --repeats paired measurements. Every loop is bounded in count and time; safeguardd
// and the echo listen on loopback ports the OS assigns and die with this process.
#include <fcntl.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/bus/event_bus.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/crypto/aead.h"
#include "common/crypto/key_vault.h"
#include "common/crypto/sealing.h"
#include "common/security/pki.h"
#include "common/security/transport_security.h"
#include "rocksdb/db.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/operations.grpc.pb.h"
#include "safeguard/v1/police_service.pb.h"
#include "tests/testing/child_process.h"
#include "tests/testing/police_requests.h"

ABSL_FLAG(std::string, work_dir, "", "Directory for the run (default: a new one under /tmp, removed afterwards)");
ABSL_FLAG(int, subjects, 100000, "People the load is about");
ABSL_FLAG(int64_t, events, 1000000, "Commands loaded before the measurements");
ABSL_FLAG(std::vector<std::string>, checkpoints, std::vector<std::string>(),
          "Event counts at which memory and disk are measured (default: a quarter, half and all of --events)");
ABSL_FLAG(double, seconds, 10, "Length of each timed measurement, in seconds");
ABSL_FLAG(int, repeats, 3, "Paired measurements per ratio (the median is printed)");
ABSL_FLAG(int, probes, 200, "Visibility probes in each condition");
ABSL_FLAG(std::vector<std::string>, phases,
          std::vector<std::string>({"reads", "visibility", "ingest", "rebuild", "sealing"}),
          "Which measurements follow the load: reads, visibility, ingest, rebuild, sealing");
ABSL_FLAG(std::string, safeguardd, SAFEGUARDD_PATH, "The safeguardd to measure");
ABSL_FLAG(bool, reuse, false,
          "Measure the data an earlier run kept in --work_dir (loaded with the same --subjects) instead of loading");
ABSL_FLAG(double, half_load, 0,
          "Writes per second for visibility at half load (default: half of what ingest reached at 64 in flight)");
// For the echo server process.
ABSL_FLAG(std::string, pki_dir, "", "echo-server: the local certificate authority to serve with");
ABSL_FLAG(std::string, port_file, "", "echo-server: where to write the port it listens on");

namespace safeguard::load {
namespace {

namespace v1 = safeguard::v1;

constexpr char kIntelligenceMethod[] = "/safeguard.v1.PoliceService/RecordIntelligence";
constexpr char kRiskViewMethod[] = "/safeguard.v1.MappaService/GetRiskView";
constexpr char kEchoMethod[] = "/safeguard.load.Echo/Echo";
constexpr absl::Duration kCallDeadline = absl::Seconds(30);
// A probe not visible by then is reported as mappa-service falling behind.
constexpr absl::Duration kVisibleWithin = absl::Seconds(60);

[[noreturn]] void Fail(const std::string& why) {
  std::cerr << "safeguard-load: " << why << std::endl;
  std::exit(1);
}

// --- The echo: a raw unary gRPC server over mutual TLS, answering each message with itself.

class Echo final : public grpc::CallbackGenericService {
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    class Reactor final : public grpc::ServerGenericBidiReactor {
     public:
      Reactor() { StartRead(&message_); }
      void OnReadDone(bool ok) override {
        if (ok) {
          StartWriteAndFinish(&message_, grpc::WriteOptions(), grpc::Status::OK);
        } else {
          Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no message"));
        }
      }
      void OnDone() override { delete this; }

     private:
      grpc::ByteBuffer message_;
    };
    return new Reactor();
  }
};

int RunEchoServer() {
  const security::LocalPki pki(absl::GetFlag(FLAGS_pki_dir));
  absl::StatusOr<std::string> ca = pki.CaCertificate();
  absl::StatusOr<security::CertifiedKey> server = pki.ServerCertificate();
  if (!ca.ok() || !server.ok()) Fail("echo-server: no certificates in --pki_dir");
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = *ca;
  tls.pem_key_cert_pairs.push_back({server->private_key_pem, server->certificate_pem});
  Echo echo;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(tls), &port);
  builder.RegisterCallbackGenericService(&echo);
  std::unique_ptr<grpc::Server> server_handle = builder.BuildAndStart();
  if (server_handle == nullptr || port == 0) Fail("echo-server: cannot listen");
  {
    const std::string path = absl::GetFlag(FLAGS_port_file);
    std::ofstream(path + ".tmp") << "echo=127.0.0.1:" << port << "\n";
    std::filesystem::rename(path + ".tmp", path);
  }
  server_handle->Wait();
  return 0;
}

// --- Driving calls: a fixed number in flight (or a fixed rate), for a bounded time.

grpc::ByteBuffer BufferOf(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

struct Outcome {
  int64_t calls = 0;
  int64_t errors = 0;
  std::string first_error;
  absl::Duration elapsed;
  std::vector<double> latency_ms;
  double rate() const { return calls / std::max(absl::ToDoubleSeconds(elapsed), 1e-9); }
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

struct DriveLimits {
  int in_flight = 16;
  absl::Duration duration = absl::Seconds(10);
  int64_t max_calls = 1 << 30;
  double rate = 0;  // calls per second; 0: as fast as `in_flight` allows
};

// Calls `method` with request(i) for i = 0, 1, ... within `limits`, from one thread.
Outcome Drive(grpc::GenericStub* stub, const std::string& method,
              const std::function<std::string(int64_t)>& request, const DriveLimits& limits) {
  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer reply;
    grpc::Status status;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> rpc;
    absl::Time started;
  };
  grpc::CompletionQueue cq;
  Outcome out;
  const absl::Time begin = absl::Now();
  const absl::Time end = begin + limits.duration;
  absl::Time next_due = begin;
  absl::Time last_done = begin;
  int64_t started = 0;
  int outstanding = 0;
  auto may_start = [&] { return started < limits.max_calls && absl::Now() < end; };
  while (true) {
    while (outstanding < limits.in_flight && may_start() && (limits.rate <= 0 || absl::Now() >= next_due)) {
      auto* call = new Call();
      call->context.set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
      call->started = absl::Now();
      call->rpc = stub->PrepareUnaryCall(&call->context, method, BufferOf(request(started)), &cq);
      call->rpc->StartCall();
      call->rpc->Finish(&call->reply, &call->status, call);
      ++started;
      ++outstanding;
      if (limits.rate > 0) next_due += absl::Seconds(1.0 / limits.rate);
    }
    if (outstanding == 0 && !may_start()) break;
    absl::Time wait_until = absl::Now() + absl::Seconds(1);
    if (limits.rate > 0 && outstanding < limits.in_flight && may_start()) wait_until = std::min(wait_until, next_due);
    void* tag = nullptr;
    bool ok = false;
    const auto got = cq.AsyncNext(&tag, &ok, absl::ToChronoTime(wait_until));
    if (got == grpc::CompletionQueue::SHUTDOWN) break;
    if (got != grpc::CompletionQueue::GOT_EVENT) continue;
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    --outstanding;
    last_done = absl::Now();
    ++out.calls;
    out.latency_ms.push_back(absl::ToDoubleMilliseconds(last_done - call->started));
    if (!call->status.ok()) {
      ++out.errors;
      if (out.first_error.empty()) {
        out.first_error = absl::StrCat(call->status.error_code(), ": ", call->status.error_message());
      }
    }
  }
  cq.Shutdown();
  out.elapsed = last_done - begin;
  return out;
}

// --- What the load says: one subject per number, named with letters only (the name
// matcher ignores digits), one intelligence report per command.

std::string SubjectPnc(int64_t s) { return absl::StrCat("2020/", 1000000 + s, "C"); }
std::string ProbePnc(int64_t s) { return absl::StrCat("2021/", 1000000 + s, "P"); }

v1::SubjectRef Subject(int64_t s, const std::string& pnc) {
  static constexpr const char* kGiven[] = {"Alan",   "Barry", "Colin",  "David", "Edward", "Frank",  "Gary",
                                           "Harold", "Ian",   "James",  "Keith", "Leonard", "Martin", "Neil",
                                           "Oliver", "Peter", "Quentin", "Roger", "Simon",  "Trevor"};
  static constexpr const char* kSyllables[] = {
      "ash", "bel", "cor", "dun", "eld", "fen", "gar", "hal", "ing", "jor", "kel", "lan", "mor", "nor", "orm", "pel",
      "quin", "ros", "sel", "tor", "ull", "ver", "wes", "yar", "ald", "bro", "cal", "dor", "ers", "fal", "gil", "hen",
      "ist", "jen", "kin", "lor", "mar", "ned", "olt", "par", "ren", "sto", "tam", "und", "vin", "wal", "yor", "zel"};
  constexpr int64_t kGivenCount = std::size(kGiven), kSyllableCount = std::size(kSyllables);
  v1::SubjectRef ref;
  ref.set_pnc_id(pnc);
  ref.set_given_name(kGiven[s % kGivenCount]);
  int64_t rest = s / kGivenCount;
  std::string family;
  for (int i = 0; i < 3; ++i, rest /= kSyllableCount) family += kSyllables[rest % kSyllableCount];
  family[0] = static_cast<char>(family[0] - 'a' + 'A');
  ref.set_family_name(family);
  ref.set_date_of_birth(absl::FormatCivilTime(absl::CivilDay(1950, 1, 1) + s % 18000));
  return ref;
}

std::string IntelligenceRequest(const std::string& command_id, const v1::SubjectRef& subject) {
  v1::RecordIntelligenceRequest r = testing::ValidIntelligence(command_id, subject.pnc_id());
  *r.mutable_header()->mutable_subject() = subject;
  r.mutable_intelligence()->set_intelligence_ref(absl::StrCat("INT-", command_id));
  return r.SerializeAsString();
}

std::string RiskViewRequest(const std::string& pnc) {
  v1::GetRiskViewRequest r;
  r.mutable_subject()->set_pnc_id(pnc);
  r.mutable_purpose()->set_code(v1::DISCLOSURE_SCHEME_ASSESSMENT);
  r.mutable_purpose()->set_detail("load measurement");
  return r.SerializeAsString();
}

// --- The system under test.

class System {
 public:
  explicit System(std::string dir) : dir_(std::move(dir)) {}

  void Start() {
    const std::string endpoints = dir_ + "/endpoints";
    std::filesystem::remove(endpoints);
    daemon_ = std::make_unique<testing::ChildProcess>(
        absl::GetFlag(FLAGS_safeguardd),
        std::vector<std::string>{absl::StrCat("--data_dir=", data_dir()), "--police_port=0", "--mappa_port=0",
                                 "--probation_port=0", "--childrens_port=0", "--metrics_port=0",
                                 absl::StrCat("--endpoints_file=", endpoints)},
        dir_ + "/safeguardd.log");
    auto addresses = testing::AwaitKeyValueFile(endpoints, absl::Seconds(120));
    if (addresses["police"].empty() || addresses["mappa"].empty()) {
      Fail(absl::StrCat("safeguardd did not start; see ", dir_, "/safeguardd.log"));
    }
    const auto as = security::LocalPkiCredentials(security::LocalPki(data_dir() + "/pki"));
    auto writer = as("police-officer");
    auto reader = as("police-disclosure");
    auto operations = as("operator");
    if (!writer.ok() || !reader.ok() || !operations.ok()) Fail("no client certificates in safeguardd's local CA");
    police_ = std::make_unique<grpc::GenericStub>(grpc::CreateChannel(addresses["police"], *writer));
    mappa_ = std::make_unique<grpc::GenericStub>(grpc::CreateChannel(addresses["mappa"], *reader));
    police_status_ = v1::OperationsService::NewStub(grpc::CreateChannel(addresses["police"], *operations));
    mappa_status_ = v1::OperationsService::NewStub(grpc::CreateChannel(addresses["mappa"], *operations));
    if (echo_ == nullptr) StartEcho(as);
  }

  // SIGTERM, and waits for safeguardd to finish shutting down.
  void Stop() {
    police_.reset();
    mappa_.reset();
    daemon_->Kill(SIGTERM);
  }

  // Waits until mappa-service has applied every event police-service published (the
  // load writes to police-service only), or, given `police_end`, the police topic up to
  // that offset. Returns how long that took; fails after `timeout`.
  absl::Duration AwaitCaughtUp(absl::Duration timeout, int64_t police_end = -1) {
    const absl::Time begin = absl::Now();
    while (absl::Now() - begin < timeout) {
      const std::optional<int64_t> behind = Backlog(police_end);
      if (behind.has_value() && *behind <= 0) return absl::Now() - begin;
      absl::SleepFor(absl::Milliseconds(50));
    }
    Fail(absl::StrCat("mappa-service did not catch up within ", absl::FormatDuration(timeout)));
  }

  // How many events of the police topic (up to `police_end`, or all police-service has
  // committed) mappa-service has not applied, counting those committed but not yet
  // published and those it holds back, and at least 1 while a rebuild is folding the
  // pictures; nullopt when a status cannot be read.
  std::optional<int64_t> Backlog(int64_t police_end = -1) {
    const std::optional<v1::ServiceStatus> police = Status(police_status_.get());
    const std::optional<v1::ServiceStatus> mappa = Status(mappa_status_.get());
    if (!police.has_value() || !mappa.has_value()) return std::nullopt;
    const int64_t end = police_end >= 0 ? police_end : static_cast<int64_t>(police->last_log_sequence());
    int64_t applied = 0;
    for (const v1::ConsumerPosition& p : mappa->positions()) {
      if (p.topic() == kPoliceTopic) applied = p.next_offset();
    }
    const int64_t unpublished = police_end >= 0 ? 0 : static_cast<int64_t>(police->outbox_pending());
    const int64_t rebuilding = mappa->rebuild().stage() != v1::MappaRebuild::STAGE_UNSPECIFIED ? 1 : 0;
    return std::max({end - applied, unpublished, rebuilding}) + static_cast<int64_t>(mappa->events_waiting());
  }

  grpc::GenericStub* police() { return police_.get(); }
  grpc::GenericStub* mappa() { return mappa_.get(); }
  grpc::GenericStub* echo() { return echo_stub_.get(); }
  pid_t pid() const { return daemon_->pid(); }
  std::string data_dir() const { return dir_ + "/data"; }
  const std::string& dir() const { return dir_; }

 private:
  static std::optional<v1::ServiceStatus> Status(v1::OperationsService::Stub* stub) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::ServiceStatus status;
    if (!stub->GetStatus(&context, v1::GetStatusRequest(), &status).ok()) return std::nullopt;
    return status;
  }

  void StartEcho(const security::CredentialsForRole& as) {
    const std::string port_file = dir_ + "/echo-port";
    std::filesystem::remove(port_file);  // an earlier run's
    echo_ = std::make_unique<testing::ChildProcess>(
        "/proc/self/exe",
        std::vector<std::string>{"echo-server", absl::StrCat("--pki_dir=", data_dir(), "/pki"),
                                 absl::StrCat("--port_file=", port_file)},
        dir_ + "/echo.log");
    const std::string address = testing::AwaitKeyValueFile(port_file, absl::Seconds(30))["echo"];
    if (address.empty()) Fail(absl::StrCat("the echo server did not start; see ", dir_, "/echo.log"));
    echo_stub_ = std::make_unique<grpc::GenericStub>(grpc::CreateChannel(address, *as("police-officer")));
  }

  const std::string dir_;
  std::unique_ptr<testing::ChildProcess> daemon_, echo_;
  std::unique_ptr<grpc::GenericStub> police_, mappa_, echo_stub_;
  std::unique_ptr<v1::OperationsService::Stub> police_status_, mappa_status_;
};

// --- Figures.

std::string Thousands(double x) {
  const std::string digits = absl::StrCat(static_cast<int64_t>(x + 0.5));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Mib(double bytes) { return absl::StrFormat("%.0f MiB", bytes / (1 << 20)); }

// Resident and peak resident memory of `pid`, in bytes.
std::pair<double, double> Memory(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  double rss = 0, peak = 0;
  while (std::getline(in, line)) {
    double kb = 0;
    if (line.rfind("VmRSS:", 0) == 0 && absl::SimpleAtod(line.substr(6, line.size() - 9), &kb)) rss = kb * 1024;
    if (line.rfind("VmHWM:", 0) == 0 && absl::SimpleAtod(line.substr(6, line.size() - 9), &kb)) peak = kb * 1024;
  }
  return {rss, peak};
}

// Bytes on disk under each top-level directory of `dir`.
std::map<std::string, double> DiskUse(const std::string& dir) {
  std::map<std::string, double> use;
  std::error_code ec;
  for (const auto& top : std::filesystem::directory_iterator(dir, ec)) {
    if (!top.is_directory()) continue;
    double bytes = 0;
    for (const auto& f : std::filesystem::recursive_directory_iterator(top.path(), ec)) {
      if (f.is_regular_file(ec)) bytes += static_cast<double>(f.file_size(ec));
    }
    use[top.path().filename().string()] = bytes;
  }
  return use;
}

// The disk's floor under any durable write: 200 bytes appended and fdatasync'd.
std::vector<double> SyncLatencies(const std::string& dir, int count) {
  const std::string path = dir + "/sync-floor";
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  if (fd < 0) Fail("cannot create " + path);
  const std::string record(200, 'x');
  std::vector<double> ms;
  for (int i = 0; i < count; ++i) {
    const absl::Time begin = absl::Now();
    if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size()) || ::fdatasync(fd) != 0) {
      Fail("cannot write " + path);
    }
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - begin));
  }
  ::close(fd);
  std::filesystem::remove(path);
  return ms;
}

void RequireNoErrors(const Outcome& o, const std::string& what) {
  if (o.errors > 0) Fail(absl::StrCat(what, ": ", o.errors, " of ", o.calls, " calls failed, first ", o.first_error));
}

// --- The run.

class Run {
 public:
  explicit Run(System* system) : system_(system) {}

  void Load(const std::vector<int64_t>& checkpoints) {
    std::cout << "(e) loading " << Thousands(checkpoints.back()) << " commands about "
              << Thousands(subjects_) << " people at 64 in flight" << std::endl;
    std::vector<std::pair<double, std::pair<double, double>>> points;  // events -> (rss, disk)
    for (int64_t checkpoint : checkpoints) {
      const int64_t count = checkpoint - loaded_;
      const Outcome o = Drive(system_->police(), kIntelligenceMethod, Writes(), {.in_flight = 64, .duration = absl::Hours(24), .max_calls = count});
      RequireNoErrors(o, "load");
      const absl::Duration catch_up = system_->AwaitCaughtUp(absl::Hours(2));
      const auto [rss, peak] = Memory(system_->pid());
      const std::map<std::string, double> disk = DiskUse(system_->data_dir());
      double total = 0;
      std::vector<std::string> parts;
      for (const auto& [name, bytes] : disk) {
        total += bytes;
        parts.push_back(absl::StrCat(name, " ", Mib(bytes)));
      }
      points.push_back({static_cast<double>(checkpoint), {rss, total}});
      std::cout << "(e) at " << Thousands(checkpoint) << " events: safeguardd RSS " << Mib(rss) << " (peak " << Mib(peak)
                << "); disk " << Mib(total) << " (" << absl::StrJoin(parts, ", ") << "), "
                << Thousands(total / checkpoint) << " B/event; loaded at " << Thousands(o.rate())
                << " events/s; mappa-service caught up " << absl::StrFormat("%.1f", absl::ToDoubleSeconds(catch_up))
                << " s after the last acknowledgement" << std::endl;
    }
    if (points.size() >= 2) {
      const auto& [x0, y0] = points[points.size() - 2];
      const auto& [x1, y1] = points.back();
      auto at = [&](double a, double b) { return b + (b - a) / (x1 - x0) * (1e7 - x1); };
      std::cout << "(e) at 10,000,000 events, extrapolated linearly from the last two checkpoints (not run): RSS "
                << Mib(at(y0.first, y1.first)) << ", disk " << Mib(at(y0.second, y1.second)) << std::endl;
    }
  }

  void Reads() {
    std::vector<double> reads, echoes, ratios;
    for (int r = 0; r < repeats_; ++r) {
      const Outcome echo = Drive(system_->echo(), kEchoMethod, EchoOfRead(), {.in_flight = 16, .duration = duration_});
      const Outcome read = Drive(system_->mappa(), kRiskViewMethod, Reads(0), {.in_flight = 16, .duration = duration_});
      RequireNoErrors(echo, "echo");
      RequireNoErrors(read, "GetRiskView");
      echoes.push_back(echo.rate());
      reads.push_back(read.rate());
      ratios.push_back(read.rate() / echo.rate());
    }
    std::cout << "(b) GetRiskView at 16 in flight: " << Thousands(Median(reads)) << "/s vs the echo's "
              << Thousands(Median(echoes)) << "/s = " << absl::StrFormat("%.2f", Median(ratios)) << "x (median of "
              << repeats_ << ")" << std::endl;
    const Outcome echo = Drive(system_->echo(), kEchoMethod, EchoOfRead(), {.in_flight = 1, .duration = duration_});
    const Outcome read = Drive(system_->mappa(), kRiskViewMethod, Reads(1), {.in_flight = 1, .duration = duration_});
    RequireNoErrors(echo, "echo");
    RequireNoErrors(read, "GetRiskView");
    const std::vector<double> sync = SyncLatencies(system_->dir(), 1000);
    std::cout << absl::StrFormat(
                     "(b) at 1 in flight: GetRiskView p50 %.2f ms, p99 %.2f ms (%s calls); echo p50 %.2f ms, p99 "
                     "%.2f ms; the disk's fdatasync floor p50 %.2f ms, p99 %.2f ms",
                     Percentile(read.latency_ms, 0.5), Percentile(read.latency_ms, 0.99), Thousands(read.calls),
                     Percentile(echo.latency_ms, 0.5), Percentile(echo.latency_ms, 0.99), Percentile(sync, 0.5),
                     Percentile(sync, 0.99))
              << std::endl;
  }

  void Ingest() {
    for (int level : {16, 64, 256}) {
      std::vector<double> writes, echoes, ratios;
      std::vector<double> p99;
      for (int r = 0; r < repeats_; ++r) {
        const Outcome echo = Drive(system_->echo(), kEchoMethod, EchoOfWrite(), {.in_flight = level, .duration = duration_});
        const Outcome write = Drive(system_->police(), kIntelligenceMethod, Writes(), {.in_flight = level, .duration = duration_});
        RequireNoErrors(echo, "echo");
        RequireNoErrors(write, "ingest");
        echoes.push_back(echo.rate());
        writes.push_back(write.rate());
        ratios.push_back(write.rate() / echo.rate());
        p99.push_back(Percentile(write.latency_ms, 0.99));
      }
      if (level == 64) rate_at_64_ = Median(writes);
      std::cout << "(a) durable ingest at " << level << " in flight: " << Thousands(Median(writes))
                << "/s (p99 " << absl::StrFormat("%.1f", Median(p99)) << " ms) vs the echo's " << Thousands(Median(echoes))
                << "/s = " << absl::StrFormat("%.2f", Median(ratios)) << "x (median of " << repeats_ << ")" << std::endl;
    }
  }

  // Acknowledgement to visibility, with `background` writes per second meanwhile.
  void Visibility(double background) {
    system_->AwaitCaughtUp(absl::Hours(1));
    std::atomic<bool> done{false};
    std::thread load;
    if (background > 0) {
      load = std::thread([&] {
        const absl::Time end = absl::Now() + absl::Hours(1);
        while (!done.load() && absl::Now() < end) {
          RequireNoErrors(Drive(system_->police(), kIntelligenceMethod, Writes(),
                                {.in_flight = 256, .duration = absl::Seconds(1), .rate = background}),
                          "background load");
        }
      });
      absl::SleepFor(absl::Seconds(1));
    }
    std::vector<double> ms;
    std::string behind;  // set when a probe is not visible in time: mappa-service fell behind
    for (int i = 0; i < probes_ && behind.empty(); ++i) {
      const int64_t p = probes_sent_++;
      const int64_t s = p % 50;
      const std::string pnc = ProbePnc(s);
      const uint64_t before = EventsApplied(pnc);
      const Outcome ack = Drive(system_->police(), kIntelligenceMethod,
                                [&](int64_t) { return IntelligenceRequest(absl::StrCat("probe-", run_id_, "-", p), Subject(1000000 + s, pnc)); },
                                {.in_flight = 1, .max_calls = 1});
      RequireNoErrors(ack, "probe");
      const absl::Time acknowledged = absl::Now();
      const absl::Time give_up = acknowledged + kVisibleWithin;
      bool visible = false;
      // Polled every millisecond (each poll is a recorded read, so not back to back).
      while (!(visible = EventsApplied(pnc) > before) && absl::Now() < give_up) {
        absl::SleepFor(absl::Milliseconds(1));
      }
      if (!visible && background <= 0) Fail("a probe's event never became visible, with no other load");
      if (!visible) {
        behind = absl::StrCat("probe ", i + 1, " of ", probes_, " was not visible ",
                              absl::FormatDuration(kVisibleWithin), " after its acknowledgement, with ",
                              Thousands(static_cast<double>(system_->Backlog().value_or(-1))),
                              " events not yet applied: mappa-service applies fewer than this load writes");
        break;
      }
      ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - acknowledged));
    }
    done = true;
    if (load.joinable()) load.join();
    std::cout << "(c) acknowledgement to visibility "
              << (background > 0 ? absl::StrCat("at half load (", Thousands(background), " writes/s)") : std::string("idle"))
              << ": ";
    if (!behind.empty()) {
      std::cout << behind;
      if (!ms.empty()) std::cout << absl::StrFormat(" (the %d before: p50 %.1f ms, p99 %.1f ms)", ms.size(), Percentile(ms, 0.5), Percentile(ms, 0.99));
    } else {
      std::cout << "p50 " << absl::StrFormat("%.1f", Percentile(ms, 0.5)) << " ms, p99 "
                << absl::StrFormat("%.1f", Percentile(ms, 0.99)) << " ms (" << probes_ << " probes)";
    }
    std::cout << std::endl;
  }

  void Rebuild() {
    system_->AwaitCaughtUp(absl::Hours(1));
    system_->Stop();
    // The baseline: the same log read and written into a fresh RocksDB in batches of 1000.
    const std::vector<std::string> topics = {kPoliceTopic, kProbationTopic, kChildrensTopic, kMappaTopic};
    int64_t events = 0;
    int64_t police_end = 0;
    absl::Duration raw;
    {
      auto bus = RocksDbEventBus::OpenReadOnly(system_->data_dir() + "/bus");
      if (!bus.ok()) Fail(std::string(bus.status().message()));
      police_end = (*bus)->EndOffset(kPoliceTopic);
      rocksdb::Options options;
      options.create_if_missing = true;
      rocksdb::DB* db = nullptr;
      const std::string raw_dir = system_->dir() + "/raw-baseline";
      if (!rocksdb::DB::Open(options, raw_dir, &db).ok()) Fail("cannot open " + raw_dir);
      const absl::Time begin = absl::Now();
      for (const std::string& topic : topics) {
        for (int64_t offset = 0;;) {
          auto records = (*bus)->Read(topic, offset, 1000);
          if (!records.ok()) Fail(std::string(records.status().message()));
          if (records->empty()) break;
          rocksdb::WriteBatch batch;
          for (const BusRecord& r : *records) batch.Put(absl::StrCat(r.topic, "/", r.offset), r.value);
          if (!db->Write(rocksdb::WriteOptions(), &batch).ok()) Fail("raw baseline write failed");
          events += static_cast<int64_t>(records->size());
          offset = records->back().offset + 1;
        }
      }
      raw = absl::Now() - begin;
      delete db;
      std::filesystem::remove_all(raw_dir);
    }
    std::filesystem::remove_all(system_->data_dir() + "/mappa");
    const absl::Time begin = absl::Now();
    system_->Start();
    system_->AwaitCaughtUp(absl::Hours(4), police_end);
    const absl::Duration rebuild = absl::Now() - begin;
    const double raw_rate = events / absl::ToDoubleSeconds(raw);
    const double rebuild_rate = events / absl::ToDoubleSeconds(rebuild);
    rebuild_rate_ = rebuild_rate;
    std::cout << "(d) rebuild of every view from the log: " << Thousands(events) << " events in "
              << absl::FormatDuration(absl::Trunc(rebuild, absl::Milliseconds(100))) << " = " << Thousands(rebuild_rate)
              << "/s vs RocksDB batched writes of the same log " << Thousands(raw_rate) << "/s = "
              << absl::StrFormat("%.3f", rebuild_rate / raw_rate) << "x" << std::endl;
  }

  void Sealing() {
    constexpr size_t kMostEvents = 100000;
    auto vault = crypto::FileKeyVault::Open(system_->data_dir() + ".vault");
    if (!vault.ok()) Fail(std::string(vault.status().message()));
    auto bus = RocksDbEventBus::OpenReadOnly(system_->data_dir() + "/bus");
    if (!bus.ok()) Fail(std::string(bus.status().message()));
    // The run's own events, opened with the keys its police-service published.
    std::map<std::string, std::string> keys;
    for (int64_t offset = 0;;) {
      auto records = (*bus)->Read(kPoliceKeysTopic, offset, 1000);
      if (!records.ok()) Fail(std::string(records.status().message()));
      if (records->empty()) break;
      for (const BusRecord& r : *records) {
        v1::DataKeyRecord k;
        if (!k.ParseFromString(r.value) || !k.has_wrapped()) continue;
        auto key = (*vault)->Unwrap(k.wrapped(), k.key_id());
        if (!key.ok()) Fail(std::string(key.status().message()));
        keys[k.key_id()] = *key;
      }
      offset = records->back().offset + 1;
    }
    std::vector<v1::EventEnvelope> events;
    for (int64_t offset = 0; events.size() < kMostEvents;) {
      auto records = (*bus)->Read(kPoliceTopic, offset, 1000);
      if (!records.ok()) Fail(std::string(records.status().message()));
      if (records->empty()) break;
      for (const BusRecord& r : *records) {
        v1::EventEnvelope e;
        if (!e.ParseFromString(r.value) || !keys.contains(e.sealed().key_id())) Fail("an event of the run does not open");
        if (!crypto::OpenEvent(keys[e.sealed().key_id()], &e).ok()) Fail("an event of the run does not open");
        events.push_back(std::move(e));
        if (events.size() == kMostEvents) break;
      }
      offset = records->back().offset + 1;
    }
    if (events.empty()) Fail("(f): no police events to measure");
    // Sealed as the writer seals: the stream's stored name (looked up for its version,
    // its state and its index), the key's id, then the seal and the stored bytes.
    std::vector<std::string> sealed(events.size());
    const std::string key(crypto::kKeyBytes, 'k');
    absl::Time begin = absl::Now();
    for (size_t i = 0; i < events.size(); ++i) {
      v1::EventEnvelope e = events[i];
      for (int lookups = 0; lookups < 3; ++lookups) (void)crypto::StreamPseudonym(**vault, e.stream_id());
      const std::string key_id = crypto::DataKeyIdFor(**vault, e);
      if (!crypto::SealEvent(**vault, key_id, key, &e).ok()) Fail("sealing failed");
      sealed[i] = e.SerializeAsString();
    }
    const double seal_us = absl::ToDoubleMicroseconds(absl::Now() - begin) / events.size();
    // Opened as mappa-service opens: parsed, opened, and its opened bytes kept.
    begin = absl::Now();
    size_t opened_bytes = 0;
    for (const std::string& bytes : sealed) {
      v1::EventEnvelope e;
      if (!e.ParseFromString(bytes) || !crypto::OpenEvent(key, &e).ok()) Fail("opening failed");
      opened_bytes += e.SerializeAsString().size();
    }
    const double open_us = absl::ToDoubleMicroseconds(absl::Now() - begin) / events.size();
    std::cout << absl::StrFormat("(f) sealing per subject: %s events sealed at %.1f us each, opened at %.1f us each",
                                 Thousands(static_cast<double>(events.size())), seal_us, open_us);
    if (rate_at_64_ > 0) {
      std::cout << absl::StrFormat("; at most %.1f%% of the durable ingest rate (a) at 64 in flight",
                                   100 * seal_us * 1e-6 * rate_at_64_);
    }
    if (rebuild_rate_ > 0) {
      std::cout << absl::StrFormat(" and %.1f%% of the rebuild rate (d)", 100 * open_us * 1e-6 * rebuild_rate_);
    }
    std::cout << " (" << opened_bytes / events.size() << " bytes an event)" << std::endl;
  }

  double rate_at_64() const { return rate_at_64_; }
  // For a reused run: its people are all loaded.
  void Loaded(int64_t events) { loaded_ = events; }

 private:
  // The next commands of the load: people in a shuffled order, each command its own.
  std::function<std::string(int64_t)> Writes() {
    return [this](int64_t) {
      const int64_t n = loaded_++;
      const int64_t s = static_cast<int64_t>(Mix(static_cast<uint64_t>(n)) % static_cast<uint64_t>(subjects_));
      return IntelligenceRequest(absl::StrCat("load-", run_id_, "-", n), Subject(s, SubjectPnc(s)));
    };
  }
  std::function<std::string(int64_t)> Reads(uint64_t seed) {
    return [this, seed](int64_t i) {
      const uint64_t s = Mix(static_cast<uint64_t>(i) * 2 + seed) % static_cast<uint64_t>(std::min<int64_t>(subjects_, loaded_.load()));
      return RiskViewRequest(SubjectPnc(static_cast<int64_t>(s)));
    };
  }
  // The echo carries what the call it stands for carries.
  std::function<std::string(int64_t)> EchoOfWrite() {
    const std::string bytes = IntelligenceRequest("load-echo-0", Subject(0, SubjectPnc(0)));
    return [bytes](int64_t) { return bytes; };
  }
  // A read's answer is larger than its request: the echo of a read carries a loaded
  // person's whole answer each way.
  std::function<std::string(int64_t)> EchoOfRead() {
    const std::string bytes(std::max<size_t>(RiskViewRequest(SubjectPnc(0)).size(), AnswerBytes(SubjectPnc(0))), 'x');
    return [bytes](int64_t) { return bytes; };
  }
  static uint64_t Mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  // The size of the answer to GetRiskView of `pnc`.
  size_t AnswerBytes(const std::string& pnc) {
    std::optional<std::string> answer = ReadView(pnc);
    return answer.has_value() ? answer->size() : 0;
  }
  // The probe subject's events_applied, 0 while mappa-service holds no picture of them.
  uint64_t EventsApplied(const std::string& pnc) {
    std::optional<std::string> bytes = ReadView(pnc);
    if (!bytes.has_value()) return 0;
    v1::RiskView view;
    if (!view.ParseFromString(*bytes)) Fail("probe read: unreadable RiskView");
    return view.events_applied();
  }
  // GetRiskView of `pnc`, serialized; nullopt when mappa-service holds no picture of them.
  std::optional<std::string> ReadView(const std::string& pnc) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
    grpc::CompletionQueue cq;
    grpc::ByteBuffer reply;
    grpc::Status status;
    auto rpc = system_->mappa()->PrepareUnaryCall(&context, kRiskViewMethod, BufferOf(RiskViewRequest(pnc)), &cq);
    rpc->StartCall();
    rpc->Finish(&reply, &status, nullptr);
    void* tag = nullptr;
    bool ok = false;
    cq.Next(&tag, &ok);
    cq.Shutdown();
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) return std::nullopt;
    if (!status.ok()) Fail(absl::StrCat("read of ", pnc, ": ", status.error_message()));
    std::vector<grpc::Slice> slices;
    (void)reply.Dump(&slices);
    std::string bytes;
    for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    return bytes;
  }

  System* const system_;
  const int64_t subjects_ = absl::GetFlag(FLAGS_subjects);
  const absl::Duration duration_ = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  const int repeats_ = std::max(1, absl::GetFlag(FLAGS_repeats));
  const int probes_ = std::max(1, absl::GetFlag(FLAGS_probes));
  const std::string run_id_ = absl::StrCat(absl::ToUnixMicros(absl::Now()));
  std::atomic<int64_t> loaded_{0};
  int64_t probes_sent_ = 0;
  double rate_at_64_ = 0;
  double rebuild_rate_ = 0;
};

int Main() {
  std::vector<int64_t> checkpoints;
  for (const std::string& c : absl::GetFlag(FLAGS_checkpoints)) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(c, &n) || n <= 0) Fail("--checkpoints: '" + c + "' is not a positive count");
    checkpoints.push_back(n);
  }
  const int64_t events = absl::GetFlag(FLAGS_events);
  if (events <= 0) Fail("--events must be positive");
  if (checkpoints.empty()) checkpoints = {events / 4, events / 2, events};
  std::sort(checkpoints.begin(), checkpoints.end());
  checkpoints.erase(std::remove(checkpoints.begin(), checkpoints.end(), 0), checkpoints.end());
  if (checkpoints.empty() || checkpoints.back() != events) checkpoints.push_back(events);
  if (absl::GetFlag(FLAGS_subjects) <= 0) Fail("--subjects must be positive");
  std::set<std::string> phases;
  for (const std::string& p : absl::GetFlag(FLAGS_phases)) {
    if (p != "reads" && p != "visibility" && p != "ingest" && p != "rebuild" && p != "sealing") {
      Fail("--phases: unknown phase '" + p + "'");
    }
    phases.insert(p);
  }

  std::string dir = absl::GetFlag(FLAGS_work_dir);
  const bool temporary = dir.empty();
  if (temporary) {
    char pattern[] = "/tmp/safeguard-load-XXXXXX";
    if (mkdtemp(pattern) == nullptr) Fail("cannot make a work directory under /tmp");
    dir = pattern;
  }
  const bool reuse = absl::GetFlag(FLAGS_reuse);
  if (reuse && !std::filesystem::exists(dir + "/data")) {
    Fail(absl::StrCat("--reuse: --work_dir ", dir, " holds no run's data"));
  }
  if (!reuse && std::filesystem::exists(dir + "/data")) {
    Fail(absl::StrCat("--work_dir ", dir, " already holds a run's data; give a new directory, or --reuse"));
  }
  std::filesystem::create_directories(dir);
  std::cout << std::unitbuf << "safeguard-load: " << Thousands(events) << " events about "
            << Thousands(absl::GetFlag(FLAGS_subjects)) << " people, on " << std::thread::hardware_concurrency()
            << " cores; work directory " << dir << std::endl;
  System system(dir);
  system.Start();
  Run run(&system);
  if (reuse) {
    std::cout << "(e) not loaded: measuring the data already in " << dir << std::endl;
    run.Loaded(absl::GetFlag(FLAGS_subjects));
  } else {
    run.Load(checkpoints);
  }
  if (phases.contains("reads")) run.Reads();
  if (phases.contains("visibility")) run.Visibility(0);
  if (phases.contains("ingest")) run.Ingest();
  const double half_load = absl::GetFlag(FLAGS_half_load) > 0 ? absl::GetFlag(FLAGS_half_load) : run.rate_at_64() / 2;
  if (phases.contains("visibility") && half_load > 0) run.Visibility(half_load);
  if (phases.contains("rebuild")) run.Rebuild();
  if (phases.contains("sealing")) run.Sealing();
  system.Stop();
  if (temporary) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace safeguard::load

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Measures safeguardd against same-run baselines (docs/performance.md).\n"
      "  safeguard-load [--events=N --subjects=N --checkpoints=A,B,.. --seconds=S --repeats=N --probes=N "
      "--phases=reads,visibility,ingest,rebuild --work_dir=DIR [--reuse] --half_load=N]");
  const bool echo = argc > 1 && std::string(argv[1]) == "echo-server";
  if (echo) {
    argv[1] = argv[0];
    absl::ParseCommandLine(argc - 1, argv + 1);
    return safeguard::load::RunEchoServer();
  }
  absl::ParseCommandLine(argc, argv);
  return safeguard::load::Main();
}
