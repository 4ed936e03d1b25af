// Drives police-service with concurrent clients, keeps the ledger of what was
// acknowledged, and checks afterwards that mappa-service shows every acknowledged event
// exactly once, each subject's stream complete (versions 1..N), nothing held back.
// Shared by the crash test and the Kafka fault tests. Every call is made through `as`:
// police-officer writes, mappa-coordinator reads, operator asks for status.
#pragma once

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/security/transport_security.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/operations.grpc.pb.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "tests/testing/police_requests.h"

namespace safeguard::testing {

inline std::string LoadSubjectPnc(int i) { return absl::StrCat("2020/", 1000000 + i, "C"); }

// What the clients were told.
struct Ledger {
  std::mutex mu;
  std::map<std::string, std::string> acked;  // command id -> event id
  std::map<std::string, safeguard::v1::RecordIntelligenceRequest> unanswered;
  std::map<int, int> next_command;            // per client
  size_t resent = 0;
};

struct LoadLimits {
  int clients = 4;
  int subjects = 6;
  int max_commands = 400;
  absl::Duration max_time = absl::Seconds(2);
};

inline grpc::Status SendCommand(safeguard::v1::PoliceService::Stub* stub,
                                const safeguard::v1::RecordIntelligenceRequest& r,
                                safeguard::v1::CommandResult* out, absl::Duration timeout) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  return stub->RecordIntelligence(&ctx, r, out);
}

// Runs `limits.clients` writers against `police_address` until `max_commands` were sent,
// `max_time` passed, or `stop` is set. Returns how many were sent. Every outcome goes in
// the ledger: acknowledged, or unanswered (to be resent with the same command id).
inline int RunLoad(const std::string& police_address, const security::CredentialsForRole& as,
                   const LoadLimits& limits, Ledger* ledger, std::atomic<bool>* stop,
                   std::atomic<int>* sent_counter = nullptr) {
  auto stub = safeguard::v1::PoliceService::NewStub(grpc::CreateChannel(police_address, *as("police-officer")));
  std::atomic<int> local_sent{0};
  std::atomic<int>& sent = sent_counter != nullptr ? *sent_counter : local_sent;
  const absl::Time end = absl::Now() + limits.max_time;
  std::vector<std::thread> clients;
  for (int c = 0; c < limits.clients; ++c) {
    clients.emplace_back([&, c] {
      while (!stop->load() && absl::Now() < end && sent.fetch_add(1) < limits.max_commands) {
        int n;
        {
          std::lock_guard<std::mutex> lock(ledger->mu);
          n = ledger->next_command[c]++;
        }
        auto r = ValidIntelligence(absl::StrCat("load-", c, "-", n),
                                   LoadSubjectPnc((c * 7 + n) % limits.subjects));
        r.mutable_intelligence()->set_intelligence_ref(absl::StrCat("INT-", c, "-", n));
        safeguard::v1::CommandResult result;
        grpc::Status st = SendCommand(stub.get(), r, &result, absl::Seconds(10));
        std::lock_guard<std::mutex> lock(ledger->mu);
        if (st.ok()) {
          ledger->acked[r.header().command_id()] = result.event_id();
        } else {
          ledger->unanswered[r.header().command_id()] = r;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  return std::min(sent.load(), limits.max_commands);
}

// Sends every unanswered command again, with its own command id; returns the first error.
inline grpc::Status ResendUnanswered(const std::string& police_address, const security::CredentialsForRole& as,
                                     Ledger* ledger) {
  auto stub = safeguard::v1::PoliceService::NewStub(grpc::CreateChannel(police_address, *as("police-officer")));
  std::lock_guard<std::mutex> lock(ledger->mu);
  ledger->resent += ledger->unanswered.size();
  for (auto it = ledger->unanswered.begin(); it != ledger->unanswered.end();) {
    safeguard::v1::CommandResult result;
    grpc::Status st = SendCommand(stub.get(), it->second, &result, absl::Seconds(30));
    if (!st.ok()) return st;
    ledger->acked[it->first] = result.event_id();
    it = ledger->unanswered.erase(it);
  }
  return grpc::Status::OK;
}

inline safeguard::v1::ServiceStatus GetServiceStatus(const std::string& address,
                                                    const security::CredentialsForRole& as) {
  auto stub = safeguard::v1::OperationsService::NewStub(grpc::CreateChannel(address, *as("operator")));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  safeguard::v1::ServiceStatus status;
  stub->GetStatus(&ctx, safeguard::v1::GetStatusRequest(), &status);
  return status;
}

struct Verification {
  size_t checked = 0;                      // acknowledged commands
  std::vector<std::string> missing;        // acknowledged, not in the view
  std::vector<std::string> duplicated;     // in the view more than once
  std::vector<std::string> unacknowledged; // in the view, never acknowledged to anyone
  std::vector<std::string> broken_streams; // versions not exactly 1..N
  safeguard::v1::ServiceStatus mappa_status;
  bool ok() const {
    return missing.empty() && duplicated.empty() && unacknowledged.empty() &&
           broken_streams.empty() && mappa_status.events_waiting() == 0 &&
           mappa_status.open_gaps_size() == 0;
  }
  std::string Describe() const {
    return absl::StrCat(checked, " acknowledged events checked: ", missing.size(), " missing, ",
                        duplicated.size(), " duplicated, ", unacknowledged.size(),
                        " unacknowledged, ", broken_streams.size(), " broken streams, ",
                        mappa_status.events_waiting(), " waiting, ", mappa_status.open_gaps_size(),
                        " open gaps");
  }
};

// Waits (up to `timeout`) for every acknowledged event to reach mappa-service, then
// checks exactly-once and per-subject order.
inline Verification VerifyExactlyOnce(const std::string& mappa_address, const security::CredentialsForRole& as,
                                      int subjects, Ledger* ledger, absl::Duration timeout) {
  auto mappa = safeguard::v1::MappaService::NewStub(grpc::CreateChannel(mappa_address, *as("mappa-coordinator")));
  std::map<std::string, int> counts;  // event id -> appearances
  std::map<std::string, std::vector<uint64_t>> versions;
  auto collect = [&] {
    counts.clear();
    versions.clear();
    for (int s = 0; s < subjects; ++s) {
      std::string token;
      do {
        safeguard::v1::GetTimelineRequest req;
        req.mutable_subject()->set_pnc_id(LoadSubjectPnc(s));
        req.mutable_purpose()->set_code(safeguard::v1::AUDIT);
        req.mutable_purpose()->set_detail("test verification");
        req.set_page_size(500);
        req.set_page_token(token);
        safeguard::v1::GetTimelineResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        if (!mappa->GetTimeline(&ctx, req, &resp).ok()) break;  // subject not seen yet
        for (const auto& e : resp.entries()) {
          counts[e.provenance().event_id()]++;
          versions[e.provenance().stream_id()].push_back(e.provenance().stream_version());
        }
        token = resp.next_page_token();
      } while (!token.empty());
    }
  };
  std::lock_guard<std::mutex> lock(ledger->mu);
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    collect();
    size_t present = 0;
    for (const auto& [id, event_id] : ledger->acked) present += counts.count(event_id);
    if (present == ledger->acked.size() || absl::Now() > deadline) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  Verification v;
  v.checked = ledger->acked.size();
  std::set<std::string> acked_events;
  for (const auto& [id, event_id] : ledger->acked) {
    acked_events.insert(event_id);
    if (!counts.contains(event_id)) v.missing.push_back(id);
  }
  for (const auto& [event_id, n] : counts) {
    if (n > 1) v.duplicated.push_back(event_id);
    if (!acked_events.contains(event_id)) v.unacknowledged.push_back(event_id);
  }
  for (auto& [stream, vs] : versions) {
    std::sort(vs.begin(), vs.end());
    for (size_t i = 0; i < vs.size(); ++i) {
      if (vs[i] != i + 1) {
        v.broken_streams.push_back(stream);
        break;
      }
    }
  }
  v.mappa_status = GetServiceStatus(mappa_address, as);
  return v;
}

}  // namespace safeguard::testing
