#include "services/safeguard_audit/verify.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/audit/checkpoint.h"
#include "common/merkle/merkle.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/status_macros.h"
#include "safeguard/v1/audit.grpc.pb.h"
#include "services/safeguard_audit/replay.h"

namespace safeguard::audit_tool {
namespace {

namespace v1 = safeguard::v1;

absl::Status FromGrpc(const grpc::Status& st, absl::string_view what) {
  if (st.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(st.error_code()), absl::StrCat(what, ": ", st.error_message()));
}

}  // namespace

absl::StatusOr<VerifyOutcome> VerifyLogCopy(const VerifyOptions& options) {
  auto stub = v1::AuditService::NewStub(grpc::CreateChannel(options.server, options.credentials));
  auto context = [&] {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  };
  VerifyOutcome out;
  v1::PublicKeyResponse served;
  RETURN_IF_ERROR(FromGrpc(stub->GetPublicKey(context().get(), v1::GetPublicKeyRequest(), &served), "public key"));
  out.origin = served.origin();
  std::string key = served.public_key();
  if (!options.public_key_pem.empty()) {
    ASSIGN_OR_RETURN(key, audit::ReadPublicKeyPem(options.public_key_pem));
    out.key_recorded = true;
  }
  out.key_id = audit::KeyId(key);

  std::vector<v1::SignedCheckpoint> checkpoints;
  for (uint64_t after = 0;;) {
    v1::ListCheckpointsRequest r;
    r.set_after_size(after);
    r.set_page_size(1000);
    v1::ListCheckpointsResponse page;
    RETURN_IF_ERROR(FromGrpc(stub->ListCheckpoints(context().get(), r, &page), "checkpoints"));
    if (page.checkpoints().empty()) break;
    for (const auto& c : page.checkpoints()) checkpoints.push_back(c);
    after = page.checkpoints(page.checkpoints_size() - 1).size();
  }

  ASSIGN_OR_RETURN(std::vector<BusRecord> records, ReadLog(options.logs, options.topic));
  std::vector<std::string> messages;
  for (auto& r : records) messages.push_back(std::move(r.value));
  ASSIGN_OR_RETURN(audit::LogOrder ordered, audit::InLogOrder(messages));
  if (!ordered.problem.empty()) {
    out.report.events = ordered.events.size();
    out.report.problem = ordered.problem;
    out.report.first_bad_sequence = ordered.sequence;
    return out;
  }

  // The service's own leaf hash, believed only once its proof reaches the signed root.
  audit::LeafReference reference = [&](uint64_t seq, uint64_t size) -> absl::StatusOr<std::string> {
    v1::GetInclusionProofRequest r;
    r.set_sequence(seq);
    r.set_tree_size(size);
    v1::InclusionProofResponse proof;
    RETURN_IF_ERROR(FromGrpc(stub->GetInclusionProof(context().get(), r, &proof), "inclusion proof"));
    for (const auto& c : checkpoints) {
      if (c.size() != size) continue;
      const std::vector<std::string> path(proof.proof().begin(), proof.proof().end());
      if (merkle::VerifyInclusion(proof.leaf_hash(), seq - 1, size, path, c.root_hash())) return proof.leaf_hash();
    }
    return absl::DataLossError("the service's proof does not reach the signed root");
  };
  ASSIGN_OR_RETURN(out.report, audit::VerifyLog(out.origin, key, ordered.events, checkpoints, reference));
  return out;
}

std::string Describe(const VerifyOutcome& o) {
  const audit::LogReport& r = o.report;
  std::string s = absl::StrCat("log ", o.origin, ", key ", o.key_id,
                               o.key_recorded ? " (the recorded key)" : " (as the service presents it: record it)",
                               "\n  events in the copy:     ", r.events, "\n  checkpoints verified:   ",
                               r.checkpoints_verified, "\n  proven up to event:     ", r.verified_size, "\n");
  if (r.ok()) {
    absl::StrAppend(&s, "OK: every event up to ", r.verified_size, " is as signed",
                    r.events > r.verified_size
                        ? absl::StrCat("; events ", r.verified_size + 1, " to ", r.events, " await the next checkpoint")
                        : std::string(),
                    "\n");
  } else {
    absl::StrAppend(&s, "PROBLEM: ", r.problem, "\n");
  }
  return s;
}

}  // namespace safeguard::audit_tool
