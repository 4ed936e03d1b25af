#include "common/security/access_policy.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/security/pki.h"
#include "common/validation.h"
#include "google/protobuf/descriptor.h"
#include "safeguard/v1/audit.pb.h"
#include "safeguard/v1/childrens_service.pb.h"
#include "safeguard/v1/data_protection_service.pb.h"
#include "safeguard/v1/disclosure_reads.pb.h"
#include "safeguard/v1/disclosure_service.pb.h"
#include "safeguard/v1/mappa_service.pb.h"
#include "safeguard/v1/meeting_service.pb.h"
#include "safeguard/v1/operations.pb.h"
#include "safeguard/v1/police_service.pb.h"
#include "safeguard/v1/probation_service.pb.h"
#include "safeguard/v1/screening_service.pb.h"

namespace safeguard::security {

// Defined in the file CMake generates from deploy/config/access-policy.conf.
extern const char kBuiltInAccessPolicy[];

namespace {

using google::protobuf::ServiceDescriptor;
namespace v1 = safeguard::v1;

constexpr absl::string_view kPackage = "safeguard.v1";

const std::vector<std::pair<absl::string_view, v1::Agency>>& Agencies() {
  static const auto* const agencies = new std::vector<std::pair<absl::string_view, v1::Agency>>{
      {"police", v1::AGENCY_POLICE},      {"probation", v1::AGENCY_PROBATION},
      {"childrens", v1::AGENCY_CHILDRENS_SERVICES}, {"mappa", v1::AGENCY_MAPPA},
      {"platform", v1::AGENCY_ONLINE_PLATFORM},     {"audit", v1::AGENCY_AUDIT},
      {"operations", v1::AGENCY_OPERATIONS},
  };
  return *agencies;
}

// Every Safeguard service, each descriptor reached through a message of its file so
// that the generated code is linked and registered.
const std::vector<const ServiceDescriptor*>& Services() {
  static const auto* const services = [] {
    auto* out = new std::vector<const ServiceDescriptor*>;
    const google::protobuf::FileDescriptor* files[] = {
        v1::RecordConvictionRequest::descriptor()->file(),  v1::ReceiveEnquiryRequest::descriptor()->file(),
        v1::StartSupervisionRequest::descriptor()->file(),  v1::RecordReferralRequest::descriptor()->file(),
        v1::GetRiskViewRequest::descriptor()->file(),       v1::GetDisclosureCaseRequest::descriptor()->file(),
        v1::ScheduleMeetingRequest::descriptor()->file(),   v1::CheckIdentifierRequest::descriptor()->file(),
        v1::GetCheckpointRequest::descriptor()->file(),     v1::GetStatusRequest::descriptor()->file(),
        v1::DataProtectionRequest::descriptor()->file(),
    };
    for (const auto* file : files) {
      for (int i = 0; i < file->service_count(); ++i) out->push_back(file->service(i));
    }
    return out;
  }();
  return *services;
}

const ServiceDescriptor* FindService(absl::string_view name) {
  for (const ServiceDescriptor* s : Services()) {
    if (s->name() == name) return s;
  }
  return nullptr;
}

std::string Path(const google::protobuf::MethodDescriptor* m) {
  return absl::StrCat("/", m->service()->full_name(), "/", m->name());
}

// The agencies whose roles may ever be granted `method` of `service`, whatever a policy
// file says. The heart of the access rules: see the header.
std::vector<absl::string_view> Ceiling(absl::string_view service, absl::string_view method) {
  if (service == "PoliceService" || service == "DisclosureService") return {"police"};
  if (service == "ProbationService") return {"probation"};
  if (service == "ChildrensService") return {"childrens"};
  // Served by each agency service for its own records; each refuses callers of another
  // agency (common/agency/data_protection.h).
  if (service == "DataProtectionService") return {"police", "probation", "childrens"};
  if (service == "MappaService" || service == "DisclosureCaseService") return {"mappa", "police"};
  if (service == "MeetingService") {
    if (method == "GetMeeting" || method == "ListDisclosureNotConsidered" || method == "ListMeetings") {
      return {"mappa", "police"};
    }
    return {"mappa"};
  }
  if (service == "IdentityService") {
    if (method == "ListIdentityLinks") return {"mappa", "police"};
    return {"mappa"};
  }
  if (service == "ScreeningService") return {"platform"};
  if (service == "AuditService") return {"audit"};
  if (service == "OperationsService") return {"operations"};
  return {};
}

bool IsSha256Hex(absl::string_view s) {
  if (s.size() != 64) return false;
  for (unsigned char c : s) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return true;
}

// The paths every authenticated caller may use: the standard health and reflection
// services, which carry no personal data.
bool IsOpenToEveryRole(absl::string_view path) {
  return absl::StartsWith(path, "/grpc.health.v1.Health/") ||
         absl::StartsWith(path, "/grpc.reflection.v1alpha.ServerReflection/") ||
         absl::StartsWith(path, "/grpc.reflection.v1.ServerReflection/");
}

// The services a person may use through a service acting for them (the console).
bool IsReachableThroughAService(absl::string_view path) {
  for (const char* service : {"MappaService", "IdentityService", "MeetingService", "DisclosureCaseService"}) {
    if (absl::StartsWith(path, absl::StrCat("/", kPackage, ".", service, "/"))) return true;
  }
  return false;
}

// "/safeguard.v1.PoliceService/RecordConviction" -> "PoliceService.RecordConviction"
std::string Readable(absl::string_view path) {
  absl::string_view p = absl::StripPrefix(path, "/");
  p = absl::StripPrefix(p, absl::StrCat(kPackage, "."));
  return absl::StrReplaceAll(p, {{"/", "."}});
}

}  // namespace

absl::StatusOr<v1::Agency> AgencyFromName(absl::string_view name) {
  for (const auto& [n, agency] : Agencies()) {
    if (n == name) return agency;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "'", name, "' is not an agency (police, probation, childrens, mappa, platform, audit, operations)"));
}

std::string AgencyName(v1::Agency agency) {
  for (const auto& [n, a] : Agencies()) {
    if (a == agency) return std::string(n);
  }
  return "";
}

absl::string_view AccessPolicy::BuiltInText() { return kBuiltInAccessPolicy; }

std::vector<std::string> AccessPolicy::AllMethods() {
  std::vector<std::string> out;
  for (const ServiceDescriptor* s : Services()) {
    for (int i = 0; i < s->method_count(); ++i) out.push_back(Path(s->method(i)));
  }
  return out;
}

absl::StatusOr<AccessPolicy> AccessPolicy::Parse(absl::string_view text) {
  AccessPolicy policy;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("access policy line ", line_number, ": ", why));
    };
    const auto defined = [&](absl::string_view name) -> Role* {
      auto it = std::find_if(policy.roles_.begin(), policy.roles_.end(), [&](const Role& r) { return r.name == name; });
      return it == policy.roles_.end() ? nullptr : &*it;
    };
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> words = absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (words.empty()) continue;
    const absl::string_view keyword = words[0];
    if (keyword == "role") {
      if (words.size() != 3) return fail("expected 'role NAME AGENCY'");
      if (!validation::IsIdentifier(words[1])) return fail(absl::StrCat("'", words[1], "' is not a role name (letters, digits, . _ - @)"));
      if (auto agency = AgencyFromName(words[2]); !agency.ok()) return fail(agency.status().message());
      if (policy.FindRole(words[1]) != nullptr) return fail(absl::StrCat("role '", words[1], "' is defined twice"));
      policy.roles_.push_back(Role{std::string(words[1]), std::string(words[2]), {}});
    } else if (keyword == "allow") {
      if (words.size() < 3) return fail("expected 'allow ROLE SERVICE/METHOD ...'");
      Role* role = defined(words[1]);
      if (role == nullptr) {
        return fail(absl::StrCat("role '", words[1], "' is not defined (define it with 'role' before granting)"));
      }
      for (size_t w = 2; w < words.size(); ++w) {
        std::vector<absl::string_view> parts = absl::StrSplit(words[w], '/');
        if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
          return fail(absl::StrCat("'", words[w], "' is not SERVICE/METHOD or SERVICE/*"));
        }
        const ServiceDescriptor* service = FindService(parts[0]);
        if (service == nullptr) return fail(absl::StrCat("no Safeguard service is called '", parts[0], "'"));
        std::vector<const google::protobuf::MethodDescriptor*> methods;
        if (parts[1] == "*") {
          for (int i = 0; i < service->method_count(); ++i) methods.push_back(service->method(i));
        } else if (const auto* m = service->FindMethodByName(std::string(parts[1])); m != nullptr) {
          methods.push_back(m);
        } else {
          return fail(absl::StrCat(parts[0], " has no method '", parts[1], "'"));
        }
        for (const auto* m : methods) {
          const std::vector<absl::string_view> ceiling = Ceiling(service->name(), m->name());
          if (std::find(ceiling.begin(), ceiling.end(), role->agency) == ceiling.end()) {
            return fail(absl::StrCat("role '", role->name, "' of agency ", role->agency, " may never call ",
                                     service->name(), ".", m->name(), " (only ",
                                     ceiling.empty() ? "no one" : absl::StrJoin(ceiling, " and "), ")"));
          }
          role->methods.insert(Path(m));
        }
      }
    } else if (keyword == "act-for") {
      if (words.size() < 3) return fail("expected 'act-for ROLE ROLE ...' (a service's role, then the roles it acts for)");
      Role* role = defined(words[1]);
      if (role == nullptr) return fail(absl::StrCat("role '", words[1], "' is not defined (define it with 'role' first)"));
      for (size_t w = 2; w < words.size(); ++w) {
        const Role* person = policy.FindRole(words[w]);
        if (person == nullptr) return fail(absl::StrCat("role '", words[w], "' is not defined (define it with 'role' first)"));
        if (person->name == role->name) return fail(absl::StrCat("role '", role->name, "' cannot act for itself"));
        if (person->agency != "mappa" && person->agency != "police") {
          return fail(absl::StrCat("role '", role->name, "' may never act for '", person->name, "' of agency ",
                                   person->agency, " (only for roles of mappa and police)"));
        }
        role->acts_for.insert(std::string(words[w]));
      }
    } else if (keyword == "revoke") {
      if (words.size() != 2 || !IsSha256Hex(words[1])) {
        return fail("expected 'revoke SHA256' with the certificate's 64 hex digit SHA-256");
      }
      policy.revoked_.insert(absl::AsciiStrToLower(words[1]));
    } else {
      return fail(absl::StrCat("unknown keyword '", keyword, "' (role, allow, act-for or revoke)"));
    }
  }
  if (policy.roles_.empty()) return absl::InvalidArgumentError("access policy: defines no role");
  // A service that acts for people is only ever the people it acts for: nothing of its
  // own, and never a step in a chain.
  for (const Role& role : policy.roles_) {
    if (role.acts_for.empty()) continue;
    if (!role.methods.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("access policy: role '", role.name,
                                                     "' acts for others, so it may be allowed nothing of its own"));
    }
    for (const std::string& person : role.acts_for) {
      if (!policy.FindRole(person)->acts_for.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("access policy: role '", role.name, "' may not act for '",
                                                       person, "', which acts for others itself"));
      }
    }
  }
  return policy;
}

absl::StatusOr<AccessPolicy> AccessPolicy::Load(const std::string& path) {
  if (path.empty()) return Parse(BuiltInText());
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<AccessPolicy> policy = Parse(*text);
  if (!policy.ok()) return absl::Status(policy.status().code(), absl::StrCat(path, ": ", policy.status().message()));
  return policy;
}

const AccessPolicy::Role* AccessPolicy::FindRole(absl::string_view name) const {
  for (const Role& r : roles_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

absl::StatusOr<const AccessPolicy::Role*> AccessPolicy::RoleOf(const Caller& caller) const {
  if (!caller.certificate_sha256.empty() && revoked_.contains(caller.certificate_sha256)) {
    return absl::PermissionDeniedError(
        absl::StrCat("certificate ", caller.certificate_sha256, " of ", caller.user, " has been revoked"));
  }
  const Role* role = FindRole(caller.role);
  if (role == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat("role '", caller.role, "' is not in the access policy"));
  }
  if (role->agency != caller.agency) {
    return absl::PermissionDeniedError(absl::StrCat("role '", caller.role, "' belongs to agency ", role->agency,
                                                    ", not to the caller's agency '", caller.agency, "'"));
  }
  return role;
}

bool AccessPolicy::MayActForAnyone(const Caller& via) const {
  absl::StatusOr<const Role*> service = RoleOf(via);
  return service.ok() && !(*service)->acts_for.empty();
}

absl::Status AccessPolicy::AuthorizeFor(const Caller& via, const Caller& person, absl::string_view method) const {
  absl::StatusOr<const Role*> service = RoleOf(via);
  if (!service.ok()) return service.status();
  if (!(*service)->acts_for.contains(person.role)) {
    return absl::PermissionDeniedError(
        absl::StrCat("role '", via.role, "' may not act for role '", person.role, "' (access policy)"));
  }
  // Through a service acting for them, a person reaches the consolidated views, meetings,
  // identity decisions and disclosure cases, whatever else their role may do itself.
  if (!IsOpenToEveryRole(method) && !IsReachableThroughAService(method)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a service acting for a person may call only MappaService, IdentityService, MeetingService and "
        "DisclosureCaseService, not ",
        Readable(method)));
  }
  return Authorize(person, method);
}

absl::Status AccessPolicy::Authorize(const Caller& caller, absl::string_view method) const {
  absl::StatusOr<const Role*> found = RoleOf(caller);
  if (!found.ok()) return found.status();
  const Role* role = *found;
  if (IsOpenToEveryRole(method) || role->methods.contains(std::string(method))) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("role '", caller.role, "' may not call ", Readable(method), " (access policy)"));
}

}  // namespace safeguard::security
