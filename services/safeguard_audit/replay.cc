#include "services/safeguard_audit/replay.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "absl/strings/escaping.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/enum_name.h"
#include "common/grpc/caller.h"
#include "common/crypto/sealing.h"
#include "common/progress.h"
#include "common/status_macros.h"
#include "common/time_util.h"
#include "safeguard/v1/envelope.pb.h"
#include "services/mappa/cases/case_folder.h"
#include "services/mappa/ingest/projector.h"
#include "services/mappa/meetings/meeting_folder.h"
#include "services/mappa/projection/person_views.h"
#include "services/mappa/reads/person_reads.h"
#include "services/mappa/state/mappa_state.h"

namespace safeguard::audit_tool {
namespace v1 = safeguard::v1;

absl::StatusOr<v1::RiskView> ViewAsOf(const AsOfOptions& options) {
  std::error_code ec;
  if (std::filesystem::exists(options.work_dir) && !std::filesystem::is_empty(options.work_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(options.work_dir, ": the rebuilt state needs an empty directory"));
  }
  std::filesystem::create_directories(options.work_dir, ec);
  if (ec) return absl::FailedPreconditionError(absl::StrCat(options.work_dir, ": ", ec.message()));
  const Clock then = [t = options.as_of] { return t; };
  ASSIGN_OR_RETURN(std::unique_ptr<mappa::MappaState> state,
                   mappa::MappaState::Open({.path = (std::filesystem::path(options.work_dir) / "mappa").string()}));
  ASSIGN_OR_RETURN(std::unique_ptr<mappa::Projector> store,
                   mappa::Projector::Create(state.get(), then, {.vault = options.vault, .topics = options.topics.keys()}));
  // The data keys first, whenever they were made: a key is not a fact the panel knew, and
  // a key destroyed since is destroyed for the past too.
  for (const std::string& topic : options.topics.keys()) {
    ASSIGN_OR_RETURN(std::vector<BusRecord> records, ReadLog(options.logs, topic));
    for (size_t i = 0; i < records.size(); i += 1000) {
      RETURN_IF_ERROR(store->Apply(std::vector<BusRecord>(records.begin() + i,
                                                          records.begin() + std::min(records.size(), i + 1000)))
                          .status());
    }
  }
  for (const std::string& topic : {options.topics.police, options.topics.probation, options.topics.childrens,
                                   options.topics.mappa}) {
    ASSIGN_OR_RETURN(std::vector<BusRecord> records, ReadLog(options.logs, topic));
    std::vector<BusRecord> known;  // recorded by then
    for (BusRecord& r : records) {
      v1::EventEnvelope e;
      if (e.ParseFromString(r.value) && FromProtoTimestamp(e.recorded_at()) > options.as_of) continue;
      known.push_back(std::move(r));
      if (known.size() == 1000) {
        RETURN_IF_ERROR(store->Apply(known).status());
        known.clear();
      }
    }
    if (!known.empty()) RETURN_IF_ERROR(store->Apply(known).status());
  }
  // Read as mappa-service reads, with "now" the moment asked about. The read's own access
  // record goes to a scratch bus: the auditor's copy is not the live log.
  ASSIGN_OR_RETURN(std::unique_ptr<RocksDbEventBus> scratch,
                   RocksDbEventBus::Open((std::filesystem::path(options.work_dir) / "scratch-bus").string()));
  AccessLog access(scratch.get(), options.topics.audit_access, then);
  mappa::PersonReads reads(state.get(), &access, then, options.vault);
  v1::GetRiskViewRequest request;
  *request.mutable_subject() = options.subject;
  *request.mutable_purpose() = options.purpose;
  ASSIGN_OR_RETURN(RecordedAnswer<v1::RiskView> answer, reads.Answer(request));
  CallContext call;
  call.actor.set_user(options.user);
  call.actor.set_role("auditor");
  RETURN_IF_ERROR(access.RecordNow(call, answer.purpose, std::move(answer.consulted)));
  return std::move(answer.answer);
}

namespace {

std::string Digest(const google::protobuf::Message& m) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), len));
}

// Every view of `state`, by name, with its digest.
absl::StatusOr<std::map<std::string, std::string>> Digests(const mappa::MappaState& state) {
  std::map<std::string, std::string> out;
  const mappa::Snapshot snapshot = state.Read();
  RETURN_IF_ERROR(mappa::VisitPeople(snapshot, "", [&](const v1::RiskView& v) {
    out[absl::StrCat("person ", v.subject_key())] = Digest(v);
    return true;
  }));
  RETURN_IF_ERROR(mappa::VisitCases(snapshot, "", [&](const v1::DisclosureCase& c) {
    out[absl::StrCat("case ", c.case_ref())] = Digest(c);
    return true;
  }));
  RETURN_IF_ERROR(mappa::VisitMeetings(snapshot, [&](const v1::MappaMeeting& m) {
    out[absl::StrCat("meeting ", m.meeting_ref())] = Digest(m);
    return true;
  }));
  return out;
}

}  // namespace

absl::StatusOr<ReplayReport> ReplayAndCompare(const ReplayOptions& options) {
  std::error_code ec;
  if (std::filesystem::exists(options.work_dir) && !std::filesystem::is_empty(options.work_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(options.work_dir, ": the rebuilt state needs an empty directory"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<mappa::MappaState> live, mappa::MappaState::OpenReadOnly(options.live_state));
  // Where the live state stands: replay exactly that much.
  ASSIGN_OR_RETURN(std::vector<v1::ConsumerPosition> positions, mappa::StreamSequencer::Positions(live->Read()));
  // The keys topics first, as mappa-service reads them: each key comes before the events
  // sealed under it, which then need not wait for it.
  const std::vector<std::string> keys_topics = options.topics.keys();
  auto is_keys_topic = [&](const std::string& topic) {
    return std::find(keys_topics.begin(), keys_topics.end(), topic) != keys_topics.end();
  };
  std::stable_partition(positions.begin(), positions.end(),
                        [&](const v1::ConsumerPosition& p) { return is_keys_topic(p.topic()); });
  std::filesystem::create_directories(options.work_dir, ec);
  ASSIGN_OR_RETURN(std::unique_ptr<mappa::MappaState> rebuilt,
                   mappa::MappaState::Open({.path = (std::filesystem::path(options.work_dir) / "mappa").string()}));
  ASSIGN_OR_RETURN(std::unique_ptr<mappa::Projector> projector,
                   mappa::Projector::Create(rebuilt.get(), SystemClock(),
                                            {.vault = options.vault, .topics = keys_topics}));
  ReplayReport report;
  uint64_t to_replay = 0;
  for (const v1::ConsumerPosition& p : positions) to_replay += static_cast<uint64_t>(p.next_offset());
  Progress replaying("replaying the logs into a fresh state", "records", to_replay);
  uint64_t replayed = 0;
  std::map<std::string, std::vector<BusRecord>> topics;  // each read once, for all its partitions
  for (const v1::ConsumerPosition& p : positions) {
    if (!topics.count(p.topic())) {
      ASSIGN_OR_RETURN(topics[p.topic()], ReadLog(options.logs, p.topic()));
    }
    const std::vector<BusRecord>& records = topics[p.topic()];
    const bool keys_topic = is_keys_topic(p.topic());
    std::vector<BusRecord> batch;
    for (const BusRecord& r : records) {
      if (r.partition != p.partition()) continue;
      if (r.offset >= p.next_offset()) {
        // A keys topic is compacted: the record of a key the live state read may since
        // have been replaced by a later one, beyond where the live state stands. A key
        // re-wrapped (a newer KEK) serves the same; one destroyed is an erasure the live
        // state has not applied yet, so its views differ until it has.
        v1::DataKeyRecord k;
        if (!keys_topic || !k.ParseFromString(r.value)) continue;
        if (k.has_destroyed()) {
          ++report.keys_destroyed_after_position;
          continue;
        }
      }
      batch.push_back(r);
      if (batch.size() == 1000) {
        ASSIGN_OR_RETURN(mappa::ApplyStats stats, projector->Apply(batch));
        report.events_replayed += stats.applied;
        replaying.Set(replayed += batch.size());
        batch.clear();
      }
    }
    if (!batch.empty()) {
      ASSIGN_OR_RETURN(mappa::ApplyStats stats, projector->Apply(batch));
      report.events_replayed += stats.applied;
      replaying.Set(replayed += batch.size());
    }
  }
  ASSIGN_OR_RETURN(auto live_digests, Digests(*live));
  ASSIGN_OR_RETURN(auto rebuilt_digests, Digests(*rebuilt));
  std::map<std::string, ViewDigest> all;
  for (auto& [name, d] : live_digests) all[name].live = d;
  for (auto& [name, d] : rebuilt_digests) all[name].rebuilt = d;
  for (auto& [name, v] : all) {
    v.view = name;
    if (!v.same()) ++report.differences;
    report.views.push_back(std::move(v));
  }
  return report;
}

namespace {

// Every access record on `audit_topic` that `keep` keeps, in order.
absl::StatusOr<std::vector<v1::AccessRecord>> AccessRecords(const LogSource& logs, const std::string& audit_topic,
                                                            const std::function<bool(const v1::AccessRecord&)>& keep) {
  ASSIGN_OR_RETURN(std::vector<BusRecord> records, ReadLog(logs, audit_topic));
  std::vector<v1::AccessRecord> out;
  for (const BusRecord& r : records) {
    v1::AccessRecord a;
    if (!a.ParseFromString(r.value)) {
      return absl::DataLossError(
          absl::StrCat("access record at ", r.topic, "/", r.partition, "@", r.offset, " is unreadable"));
    }
    if (keep(a)) out.push_back(std::move(a));
  }
  // Partition by partition from the bus: put in time order for the reader.
  std::stable_sort(out.begin(), out.end(), [](const v1::AccessRecord& a, const v1::AccessRecord& b) {
    return FromProtoTimestamp(a.at()) < FromProtoTimestamp(b.at());
  });
  return out;
}

}  // namespace

absl::StatusOr<std::vector<v1::AccessRecord>> Consultations(const LogSource& logs, const std::string& audit_topic,
                                                            const std::vector<std::string>& subject_keys,
                                                            const crypto::KeyVault& vault,
                                                            const std::vector<std::string>& keys_topics) {
  // The records name subjects by pseudonym; their details are sealed under the keys on
  // the keys topics (the latest record of each: a destroyed key opens nothing).
  std::vector<std::string> names;
  for (const std::string& k : subject_keys) names.push_back(crypto::SubjectPseudonym(vault, k));
  ASSIGN_OR_RETURN(std::vector<v1::AccessRecord> records, AccessRecords(logs, audit_topic, [&](const v1::AccessRecord& a) {
                     return !a.has_refusal() && std::find(names.begin(), names.end(), a.subject_key()) != names.end();
                   }));
  crypto::LatestKeyRecords latest;
  for (const std::string& topic : keys_topics) {
    ASSIGN_OR_RETURN(std::vector<BusRecord> on_topic, ReadLog(logs, topic));
    for (const BusRecord& r : on_topic) {
      v1::DataKeyRecord k;
      if (!k.ParseFromString(r.value)) return absl::DataLossError(absl::StrCat("unreadable key record on ", topic));
      latest.Add(std::move(k));
    }
  }
  const auto& keys = latest.records();
  for (v1::AccessRecord& a : records) {
    auto k = keys.find(a.sealed().key_id());
    if (!a.has_sealed() || k == keys.end() || !k->second.has_wrapped()) continue;  // erased: stays sealed
    ASSIGN_OR_RETURN(const std::string key, vault.Unwrap(k->second.wrapped(), k->first));
    RETURN_IF_ERROR(crypto::OpenAccessRecord(key, &a));
  }
  return records;
}

absl::StatusOr<std::vector<v1::AccessRecord>> Refusals(const LogSource& logs, const std::string& audit_topic) {
  return AccessRecords(logs, audit_topic, [](const v1::AccessRecord& a) { return a.has_refusal(); });
}

std::string DescribeConsultation(const v1::AccessRecord& a) {
  const v1::Actor& actor = a.actor();
  std::string line = absl::StrCat(FormatTimestamp(a.at()), "  ", actor.user(), " (", actor.role(), ", ",
                                  EnumName(actor.agency()), ")",
                                  actor.has_via() ? absl::StrCat(" via ", actor.via().user(), " (", actor.via().role(), ")")
                                                  : "",
                                  "  ", a.view(), "  ", EnumName(a.purpose().code()), ": ", a.purpose().detail());
  if (a.has_sealed()) {
    absl::StrAppend(&line, "\n    which subject, and what was disclosed: sealed under data key ", a.sealed().key_id(),
                    ", destroyed (erased)");
  }
  if (!a.recipients().empty()) {
    absl::StrAppend(&line, "\n    disclosed to ", absl::StrJoin(a.recipients(), ", "));
    if (!a.disclosed().empty()) absl::StrAppend(&line, ": \"", a.disclosed(), "\"");
    if (!a.event_id().empty()) absl::StrAppend(&line, " (event ", a.event_id(), ")");
  }
  absl::StrAppend(&line, "\n    ", actor.certificate_sha256().empty()
                                      ? "no certificate (a --dev_plaintext caller)"
                                      : absl::StrCat("certificate ", actor.certificate_sha256()),
                  actor.has_via() ? absl::StrCat(", forwarded by certificate ", actor.via().certificate_sha256()) : "",
                  a.peer().empty() ? "" : absl::StrCat(", from ", a.peer()));
  return line;
}

std::string DescribeRefusal(const v1::AccessRecord& a) {
  const v1::Actor& actor = a.actor();
  const v1::Refusal& r = a.refusal();
  std::string who = actor.role().empty()
                        ? std::string("an unidentified caller")
                        : absl::StrCat(actor.user(), " (", actor.role(), ", ", EnumName(actor.agency()), ")");
  std::string line = absl::StrCat(FormatTimestamp(a.at()), "  REFUSED  ", who, "  ", r.method(), "  ", r.code(), ": ",
                                  r.reason());
  if (r.not_recorded_before() > 0) {
    absl::StrAppend(&line, "\n    and ", r.not_recorded_before(),
                    " refused call(s) just before, not recorded one by one (at most 100 a second are)");
  }
  if (!actor.certificate_sha256().empty()) absl::StrAppend(&line, "\n    certificate ", actor.certificate_sha256());
  return line;
}

}  // namespace safeguard::audit_tool
