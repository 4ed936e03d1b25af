// safeguardctl: calls any Safeguard RPC from the command line, with readable output.
// Run `safeguardctl help` for usage.
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <future>
#include <iostream>
#include <map>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/security/client_options.h"
#include "common/grpc/status_mapping.h"
#include "common/ids.h"
#include "common/validation.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "safeguard/v1/audit.grpc.pb.h"
#include "safeguard/v1/data_protection_service.grpc.pb.h"
#include "safeguard/v1/disclosure_reads.grpc.pb.h"
#include "safeguard/v1/disclosure_service.grpc.pb.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/meeting_service.grpc.pb.h"
#include "safeguard/v1/operations.grpc.pb.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "safeguard/v1/probation_service.grpc.pb.h"
#include "safeguard/v1/childrens_service.grpc.pb.h"
#include "safeguard/v1/screening_service.grpc.pb.h"
#include "services/safeguardctl/render.h"
#include "services/safeguardctl/request_builder.h"

namespace {

using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

// A server-streaming call (e.g. mappa watch-alerts) through the generic stub: the one
// request is written, then every response is printed as it arrives until the server
// ends the stream or the deadline (--timeout) passes.
class StreamPrinter final : public grpc::ClientBidiReactor<Message, Message> {
 public:
  StreamPrinter(const Message& request, Message* response, bool json)
      : request_(request), response_(response), json_(json) {}

  void Begin() {
    StartWrite(&request_);
    StartWritesDone();
    StartRead(response_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    std::cout << (json_ ? safeguard::cli::RenderJson(*response_) + "\n" : safeguard::cli::Render(*response_))
              << std::flush;
    response_->Clear();
    StartRead(response_);
  }
  void OnDone(const grpc::Status& s) override { done_.set_value(s); }
  grpc::Status Await() { return done_.get_future().get(); }

 private:
  const Message& request_;
  Message* const response_;
  const bool json_;
  std::promise<grpc::Status> done_;
};

struct ServiceInfo {
  const char* full_name;
  const char* default_address;
  const char* address_env;
  const char* default_role;  // whose local certificate to present unless --as says
};

const std::map<std::string, ServiceInfo>& Services() {
  static const auto* services = new std::map<std::string, ServiceInfo>{
      {"police", {"safeguard.v1.PoliceService", "127.0.0.1:50051", "SAFEGUARD_POLICE", "police-officer"}},
      {"mappa", {"safeguard.v1.MappaService", "127.0.0.1:50052", "SAFEGUARD_MAPPA", "mappa-coordinator"}},
      {"probation", {"safeguard.v1.ProbationService", "127.0.0.1:50053", "SAFEGUARD_PROBATION", "probation-officer"}},
      {"childrens", {"safeguard.v1.ChildrensService", "127.0.0.1:50054", "SAFEGUARD_CHILDRENS", "social-worker"}},
      // Served by police-service: the disclosure scheme's cases, step by step.
      {"disclosure", {"safeguard.v1.DisclosureService", "127.0.0.1:50051", "SAFEGUARD_POLICE", "police-disclosure"}},
      // Served by each agency service for its own records (--server names which; police by
      // default): its data protection officer's erasures and restrictions.
      {"data-protection",
       {"safeguard.v1.DataProtectionService", "127.0.0.1:50051", "SAFEGUARD_POLICE", "police-data-protection"}},
      // Served by mappa-service: the cases as read, deadlines and management information.
      {"cases", {"safeguard.v1.DisclosureCaseService", "127.0.0.1:50052", "SAFEGUARD_MAPPA", "mappa-coordinator"}},
      // Served by mappa-service: MAPPA meetings and s.327A.
      {"meetings", {"safeguard.v1.MeetingService", "127.0.0.1:50052", "SAFEGUARD_MAPPA", "mappa-coordinator"}},
      // Served by mappa-service: MAPPA users' identity decisions.
      {"identity", {"safeguard.v1.IdentityService", "127.0.0.1:50052", "SAFEGUARD_MAPPA", "mappa-coordinator"}},
      // Served by mappa-service, for accredited platforms (the certificate names the platform).
      {"screening", {"safeguard.v1.ScreeningService", "127.0.0.1:50052", "SAFEGUARD_MAPPA", "platform"}},
      // Every service serves AuditService for its own log; name it with --server.
      {"audit", {"safeguard.v1.AuditService", "127.0.0.1:50051", "SAFEGUARD_POLICE", "auditor"}},
      // Every process serves OperationsService; name it with --server.
      {"ops", {"safeguard.v1.OperationsService", "127.0.0.1:50052", "SAFEGUARD_MAPPA", "operator"}},
  };
  return *services;
}

// "GetRiskView" -> "get-risk-view"
std::string Kebab(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c)) && !out.empty()) out.push_back('-');
    out.push_back(static_cast<char>(absl::ascii_tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

const ServiceDescriptor* Descriptor(const ServiceInfo& info) {
  // Touch each generated file so its descriptors are linked and registered.
  (void)safeguard::v1::RecordConvictionRequest::descriptor();
  (void)safeguard::v1::GetRiskViewRequest::descriptor();
  (void)safeguard::v1::GetStatusRequest::descriptor();
  (void)safeguard::v1::StartSupervisionRequest::descriptor();
  (void)safeguard::v1::RecordReferralRequest::descriptor();
  (void)safeguard::v1::CheckIdentifierRequest::descriptor();
  (void)safeguard::v1::ReceiveEnquiryRequest::descriptor();
  (void)safeguard::v1::GetDisclosureCaseRequest::descriptor();
  (void)safeguard::v1::ScheduleMeetingRequest::descriptor();
  (void)safeguard::v1::GetCheckpointRequest::descriptor();
  (void)safeguard::v1::DataProtectionRequest::descriptor();
  return google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(info.full_name);
}

void PrintUsage(std::ostream& out) {
  out << "Usage:\n"
         "  safeguardctl [options] SERVICE COMMAND [field=value ...]\n"
         "  safeguardctl [options] SERVICE COMMAND --json='{...}'\n"
         "  safeguardctl SERVICE COMMAND --help      fields of one command\n"
         "\nOptions:\n"
         "  --server=HOST:PORT   the service's address (default: police 127.0.0.1:50051,\n"
         "                       mappa 127.0.0.1:50052, probation 127.0.0.1:50053,\n"
         "                       childrens 127.0.0.1:50054; or $SAFEGUARD_POLICE,\n"
         "                       $SAFEGUARD_MAPPA, $SAFEGUARD_PROBATION, $SAFEGUARD_CHILDRENS)\n"
         "  --as=ROLE            present the local client certificate of ROLE\n"
         "                       (default: $SAFEGUARD_AS, else the service's usual role:\n"
         "                       police police-officer, disclosure police-disclosure,\n"
         "                       probation probation-officer, childrens social-worker,\n"
         "                       mappa/cases/meetings/identity mappa-coordinator,\n"
         "                       screening platform, audit auditor, ops operator)\n"
         "  --pki_dir=DIR        where the local certificates are (default: $SAFEGUARD_PKI,\n"
         "                       else ./safeguard-data/pki, which safeguardd creates)\n"
         "  --cert=FILE --key=FILE --ca=FILE\n"
         "                       present this certificate instead (PEM files)\n"
         "  --dev_plaintext      DEVELOPMENT servers only: no TLS; name yourself with\n"
         "                       --as (role) and --user (default: your login)\n"
         "  --output=text|json   readable text (default) or JSON\n"
         "  --timeout=SECONDS    give up after this long (default 10); for a watch\n"
         "                       (mappa watch-alerts), how long to keep watching\n"
         "\nA field is named by its path (header.subject.pnc_id=...) or, when the name is\n"
         "unique in the request, by its name alone (pnc_id=...). Repeat a field to add to a\n"
         "list; write addresses[0].postcode=... for lists of records. Enum values are\n"
         "case-insensitive (classification=child-sexual). A command without command_id\n"
         "gets a fresh one, printed so that you can repeat the command safely.\n"
         "\nCommands:\n";
  for (const auto& [name, info] : Services()) {
    const ServiceDescriptor* s = Descriptor(info);
    for (int i = 0; i < s->method_count(); ++i) {
      out << "  " << name << " " << Kebab(s->method(i)->name()) << "\n";
    }
  }
  out << "\nExample:\n"
         "  safeguardctl police record-conviction pnc_id=2019/0012345X disposal=conviction \\\n"
         "    offence='Sexual assault of a child under 13' classification=child-sexual \\\n"
         "    offence_date=2018-03-01 disposal_date=2019-01-15 court='Leeds Crown Court' \\\n"
         "    sentence='5 years imprisonment'\n"
         "  safeguardctl mappa get-risk-view pnc_id=2019/0012345X purpose.code=risk-management \\\n"
         "    purpose.detail='MAPPA level 2 review'\n";
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : fallback;
}

// Sets header.command_id to a fresh id if the request has one and it is empty.
void EnsureCommandId(Message* request) {
  // Agency commands carry it in their header; mappa-service's identity decisions at the top.
  Message* header = request;
  if (const auto* header_field = request->GetDescriptor()->FindFieldByName("header")) {
    header = request->GetReflection()->MutableMessage(request, header_field);
  }
  const auto* id_field = header->GetDescriptor()->FindFieldByName("command_id");
  if (id_field == nullptr || !header->GetReflection()->GetString(*header, id_field).empty()) return;
  const std::string id = absl::StrCat("cli-", safeguard::NewUuid());
  header->GetReflection()->SetString(header, id_field, id);
  std::cerr << "command_id: " << id << " (repeat with command_id=" << id << " to retry safely)\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string server, output = "text", json;
  const passwd* login = getpwuid(getuid());
  std::string user =
      EnvOr("SAFEGUARD_USER", EnvOr("USER", login != nullptr ? login->pw_name : ""));
  safeguard::security::ClientOptions client;
  client.pki_dir = EnvOr("SAFEGUARD_PKI", "./safeguard-data/pki");
  client.as = EnvOr("SAFEGUARD_AS", "");
  int timeout_seconds = 10;
  bool help = false;
  std::vector<std::string> positional, assignments;

  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value_of = [&](const std::string& flag, std::string* into) {
      if (absl::StartsWith(arg, flag + "=")) {
        *into = arg.substr(flag.size() + 1);
        return true;
      }
      if (arg == flag && i + 1 < argc) {
        *into = argv[++i];
        return true;
      }
      return false;
    };
    std::string timeout;
    if (arg == "--help" || arg == "-h" || arg == "help") {
      help = true;
    } else if (arg == "--dev_plaintext") {
      client.dev_plaintext = true;
    } else if (value_of("--server", &server) || value_of("--user", &user) || value_of("--as", &client.as) ||
               value_of("--pki_dir", &client.pki_dir) || value_of("--cert", &client.cert) ||
               value_of("--key", &client.key) || value_of("--ca", &client.ca) || value_of("--output", &output) ||
               value_of("--json", &json)) {
    } else if (value_of("--timeout", &timeout)) {
      if (!absl::SimpleAtoi(timeout, &timeout_seconds) || timeout_seconds <= 0) {
        std::cerr << "--timeout: expects a positive number of seconds\n";
        return 2;
      }
    } else if (absl::StartsWith(arg, "--")) {
      std::cerr << "unknown option " << arg << " (see safeguardctl help)\n";
      return 2;
    } else if (positional.size() < 2) {
      positional.push_back(arg);
    } else {
      assignments.push_back(arg);
    }
  }
  if (positional.empty()) {
    PrintUsage(help ? std::cout : std::cerr);
    return help ? 0 : 2;
  }
  auto service_it = Services().find(positional[0]);
  if (service_it == Services().end()) {
    std::cerr << "unknown service '" << positional[0] << "' (police, probation, childrens, mappa, identity, screening or ops)\n";
    return 2;
  }
  const ServiceDescriptor* service = Descriptor(service_it->second);
  if (positional.size() < 2) {
    std::cerr << "name a command of " << positional[0] << ":\n";
    for (int i = 0; i < service->method_count(); ++i) {
      std::cerr << "  " << positional[0] << " " << Kebab(service->method(i)->name()) << "\n";
    }
    return 2;
  }
  const MethodDescriptor* method = nullptr;
  for (int i = 0; i < service->method_count(); ++i) {
    if (Kebab(service->method(i)->name()) == positional[1] || service->method(i)->name() == positional[1]) {
      method = service->method(i);
    }
  }
  if (method == nullptr) {
    std::cerr << "unknown command '" << positional[1] << "' for " << positional[0]
              << " (see safeguardctl help)\n";
    return 2;
  }
  if (help) {
    std::cout << "safeguardctl " << positional[0] << " " << positional[1] << " [field=value ...]\n"
              << "Fields of " << method->input_type()->full_name()
              << " (REQUIRED: refused without it; every problem is reported at once):\n";
    for (const std::string& line : safeguard::cli::DescribeFields(method->input_type())) {
      std::cout << line << "\n";
    }
    return 0;
  }
  if (output != "text" && output != "json") {
    std::cerr << "--output: expects text or json\n";
    return 2;
  }

  auto* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<Message> request(factory->GetPrototype(method->input_type())->New());
  std::unique_ptr<Message> response(factory->GetPrototype(method->output_type())->New());
  if (!json.empty()) {
    auto st = google::protobuf::util::JsonStringToMessage(json, request.get());
    if (!st.ok()) {
      std::cerr << "--json: " << st.message() << "\n";
      return 2;
    }
  }
  for (const std::string& a : assignments) {
    if (absl::Status st = safeguard::cli::Assign(a, request.get()); !st.ok()) {
      std::cerr << st.message() << "\n";
      return 2;
    }
  }
  EnsureCommandId(request.get());

  if (server.empty()) {
    server = EnvOr(service_it->second.address_env, service_it->second.default_address);
  }
  if (client.as.empty()) client.as = service_it->second.default_role;
  client.user = user;
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      safeguard::security::ClientCredentialsFrom(client);
  if (!credentials.ok()) {
    std::cerr << credentials.status().message() << "\n";
    return 2;
  }
  auto channel = grpc::CreateChannel(server, *credentials);
  grpc::TemplatedGenericStub<Message, Message> stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
  const std::string path = absl::StrCat("/", service->full_name(), "/", method->name());
  grpc::Status status;
  if (method->server_streaming()) {
    StreamPrinter printer(*request, response.get(), output == "json");
    stub.PrepareBidiStreamingCall(&ctx, path, grpc::StubOptions(), &printer);
    printer.Begin();
    status = printer.Await();
    // A watch ends when its time is up: that is how it was asked to end.
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) return 0;
  } else {
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, path, grpc::StubOptions(), request.get(), response.get(),
                   [&done](grpc::Status s) { done.set_value(std::move(s)); });
    status = done.get_future().get();
  }
  if (!status.ok()) {
    static const char* kCodes[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
                                   "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                                   "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                   "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                                   "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    const int c = status.error_code();
    // Every field a request got wrong is in its rich details: one line each.
    const std::vector<safeguard::validation::FieldViolation> violations =
        safeguard::validation::FieldViolationsOf(safeguard::ToAbslStatus(status));
    if (violations.size() > 1) {
      std::cerr << "error: " << kCodes[c] << ": " << violations.size() << " problems with the request:\n";
      for (const auto& v : violations) std::cerr << "  " << v.field << ": " << v.description << "\n";
      std::cerr << "(safeguardctl " << positional[0] << " " << positional[1]
                << " --help lists the fields, which are required, and their formats)\n";
      return 1;
    }
    std::cerr << "error: " << (c >= 0 && c <= 16 ? kCodes[c] : "?") << ": " << status.error_message()
              << "\n";
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
        status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      std::cerr << "(is the service running at " << server << "?"
                << (client.dev_plaintext ? ")\n"
                                         : " Was its certificate signed by the CA you gave, and yours by its CA?"
                                           " See docs/security.md)\n");
    }
    return 1;
  }
  if (method->server_streaming()) return 0;  // printed as they came
  std::cout << (output == "json" ? safeguard::cli::RenderJson(*response)
                                 : safeguard::cli::Render(*response));
  if (output == "json") std::cout << "\n";
  return 0;
}
