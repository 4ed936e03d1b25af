// Tamper evidence through the public AuditService of a running system: police-service
// signs checkpoints of its log; every event a copy of the bus holds is proven included in
// a signed root, offline, with nothing but the public key; an altered event fails its
// proof; successive checkpoints are proven consistent; mappa-service does the same for
// its own log.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "common/audit/checkpoint.h"
#include "common/merkle/merkle.h"
#include "common/bus/bus_config.h"
#include "common/bus/event_bus_rocksdb.h"
#include "safeguard/v1/audit.grpc.pb.h"
#include "safeguard/v1/envelope.pb.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "common/keys.h"
#include "rocksdb/db.h"
#include "safeguard/v1/storage.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "safeguard/v1/disclosure_reads.grpc.pb.h"
#include "safeguard/v1/disclosure_service.grpc.pb.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/mappa_state.pb.h"
#include "tests/testing/disclosure_requests.h"
#include "services/safeguard_audit/replay.h"
#include "services/safeguard_audit/verify.h"
#include "services/safeguardd/all_in_one.h"
#include "tests/testing/correction_requests.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_pki.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using safeguard::testing::TempDir;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bus = ParseBusConfig("audit.checkpoint_interval = 50ms\n");
    ASSERT_THAT(bus, IsOk());
    auto system = AllInOneSystem::Start(
        AllInOneOptions{.data_dir = dir_.path(), .bus = *bus, .security = pki_.Server(), .vault = testing::TestVault()});
    ASSERT_THAT(system, IsOk());
    system_ = std::move(system).value();
    police_ = pki_.Stub<PoliceService>(system_->police_address(), "police-officer");
    police_audit_ = pki_.Stub<AuditService>(system_->police_address(), "auditor", "auditor-1");
    mappa_audit_ = pki_.Stub<AuditService>(system_->mappa_address(), "auditor", "auditor-1");
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  void Record(int n, int from) {
    for (int i = from; i < from + n; ++i) {
      CommandResult r;
      auto request = testing::ValidConviction(absl::StrCat("cmd-audit-", i, "-000"),
                                              absl::StrCat("2019/00", 10000 + i, "X"));
      ASSERT_TRUE(police_->RecordConviction(Context().get(), request, &r).ok());
    }
  }

  // Polls until `stub`'s latest checkpoint covers `size` events (bounded: 10 s).
  SignedCheckpoint AwaitCheckpoint(AuditService::Stub* stub, uint64_t size) {
    SignedCheckpoint c;
    for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
      grpc::Status st = stub->GetCheckpoint(Context().get(), GetCheckpointRequest(), &c);
      if (st.ok() && c.size() >= size) return c;
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "no checkpoint of " << size << " events";
    return c;
  }

  std::string PublicKey(AuditService::Stub* stub) {
    PublicKeyResponse key;
    EXPECT_TRUE(stub->GetPublicKey(Context().get(), GetPublicKeyRequest(), &key).ok());
    return key.public_key();
  }

  // The police topic's messages, as an auditor's copy of the bus holds them.
  std::vector<BusRecord> PoliceTopic() {
    auto records = system_->embedded_bus()->Read(kPoliceTopic, 0, 10000);
    EXPECT_THAT(records, IsOk());
    return records.ok() ? *records : std::vector<BusRecord>();
  }

  testing::TestPki& pki_ = testing::TestPki::Get();
  TempDir dir_;
  std::unique_ptr<AllInOneSystem> system_;
  std::unique_ptr<PoliceService::Stub> police_;
  std::unique_ptr<AuditService::Stub> police_audit_;
  std::unique_ptr<AuditService::Stub> mappa_audit_;
};

TEST_F(AuditTest, EveryPublishedEventIsProvenInASignedRootAndAnAlteredOneIsNot) {
  Record(5, 0);
  const SignedCheckpoint checkpoint = AwaitCheckpoint(police_audit_.get(), 5);
  const std::string key = PublicKey(police_audit_.get());
  EXPECT_EQ(checkpoint.origin(), "safeguard/police");
  ASSERT_THAT(audit::VerifyCheckpoint(checkpoint, key), IsOk());

  std::vector<BusRecord> topic;
  for (const absl::Time deadline = absl::Now() + absl::Seconds(10);
       absl::Now() < deadline && (topic = PoliceTopic()).size() < 5;) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(topic.size(), 5u);
  for (const BusRecord& record : topic) {
    EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(record.value));
    GetInclusionProofRequest r;
    r.set_sequence(e.log_sequence());
    r.set_tree_size(checkpoint.size());
    InclusionProofResponse proof;
    ASSERT_TRUE(police_audit_->GetInclusionProof(Context().get(), r, &proof).ok());
    const std::vector<std::string> path(proof.proof().begin(), proof.proof().end());
    const std::string leaf = merkle::LeafHash(record.value);
    EXPECT_EQ(proof.leaf_hash(), leaf) << "the bus carries the bytes the tree hashes";
    EXPECT_TRUE(merkle::VerifyInclusion(leaf, e.log_sequence() - 1, checkpoint.size(), path, checkpoint.root_hash()))
        << "event " << e.log_sequence();

    // One byte changed anywhere in the event, and its proof fails.
    std::string altered = record.value;
    altered[altered.size() / 2] ^= 0x01;
    EXPECT_FALSE(merkle::VerifyInclusion(merkle::LeafHash(altered), e.log_sequence() - 1, checkpoint.size(), path,
                                        checkpoint.root_hash()));
  }

  // Bad requests name their field.
  GetInclusionProofRequest bad;
  InclusionProofResponse unused;
  grpc::Status st = police_audit_->GetInclusionProof(Context().get(), bad, &unused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), ::testing::StartsWith("sequence:"));
  bad.set_sequence(1);
  bad.set_tree_size(checkpoint.size() + 1000);
  st = police_audit_->GetInclusionProof(Context().get(), bad, &unused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), ::testing::StartsWith("tree_size:"));
}

TEST_F(AuditTest, SuccessiveCheckpointsAreSignedAndProvenConsistent) {
  const std::string key = PublicKey(police_audit_.get());
  for (int round = 0; round < 3; ++round) {
    Record(2, round * 2);
    AwaitCheckpoint(police_audit_.get(), static_cast<uint64_t>(round * 2 + 2));
  }
  ListCheckpointsRequest list;
  ListCheckpointsResponse checkpoints;
  ASSERT_TRUE(police_audit_->ListCheckpoints(Context().get(), list, &checkpoints).ok());
  ASSERT_GE(checkpoints.checkpoints_size(), 3);
  for (int i = 0; i < checkpoints.checkpoints_size(); ++i) {
    const SignedCheckpoint& b = checkpoints.checkpoints(i);
    EXPECT_THAT(audit::VerifyCheckpoint(b, key), IsOk());
    if (i == 0) continue;
    const SignedCheckpoint& a = checkpoints.checkpoints(i - 1);
    EXPECT_LT(a.size(), b.size());
    GetConsistencyProofRequest r;
    r.set_from_size(a.size());
    r.set_to_size(b.size());
    ConsistencyProofResponse proof;
    ASSERT_TRUE(police_audit_->GetConsistencyProof(Context().get(), r, &proof).ok());
    const std::vector<std::string> path(proof.proof().begin(), proof.proof().end());
    EXPECT_TRUE(merkle::VerifyConsistency(a.size(), b.size(), a.root_hash(), b.root_hash(), path))
        << a.size() << " -> " << b.size();
    // A root that was not the log's is not consistent with the next.
    EXPECT_FALSE(merkle::VerifyConsistency(a.size(), b.size(), merkle::LeafHash("forged"), b.root_hash(), path));
  }

  // Checkpoints survive a restart and the log's key stays the same.
  const SignedCheckpoint last = checkpoints.checkpoints(checkpoints.checkpoints_size() - 1);
  system_.reset();
  SetUp();
  EXPECT_EQ(PublicKey(police_audit_.get()), key);
  SignedCheckpoint again;
  GetCheckpointRequest r;
  r.set_size(last.size());
  ASSERT_TRUE(police_audit_->GetCheckpoint(Context().get(), r, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), last.SerializeAsString());
}

// The auditor's tool on a copy taken from the bus: as signed; then, with one event's bytes
// altered on the bus, that event is named; with one removed, the gap is named.
TEST_F(AuditTest, TheAuditorsToolVerifiesTheBusCopyAndNamesTheBadEvent) {
  Record(6, 0);
  AwaitCheckpoint(police_audit_.get(), 6);
  for (const absl::Time deadline = absl::Now() + absl::Seconds(10);
       absl::Now() < deadline && PoliceTopic().size() < 6;) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  // Recorded when the system was commissioned, kept away from it.
  PublicKeyResponse key;
  ASSERT_TRUE(police_audit_->GetPublicKey(Context().get(), GetPublicKeyRequest(), &key).ok());
  const std::string pem = dir_.path() + "/police-recorded.pub.pem";
  {
    std::ofstream out(pem);
    out << key.public_key_pem();
  }
  auto verify = [&] {
    return audit_tool::VerifyLogCopy({.server = system_->police_address(),
                                      .logs = {.bus_dir = dir_.path() + "/bus"},
                                      .topic = kPoliceTopic,
                                      .public_key_pem = pem,
                                      .credentials = pki_.As("auditor", "auditor-1")});
  };
  auto intact = verify();
  ASSERT_THAT(intact, IsOk());
  EXPECT_TRUE(intact->report.ok()) << intact->report.problem;
  EXPECT_TRUE(intact->key_recorded);
  EXPECT_EQ(intact->report.verified_size, 6u);
  EXPECT_THAT(audit_tool::Describe(*intact), ::testing::HasSubstr("OK: every event up to 6 is as signed"));

  // Change one byte of the third message on the bus, with the system stopped.
  const std::vector<BusRecord> topic = PoliceTopic();
  EventEnvelope third;
  ASSERT_TRUE(third.ParseFromString(topic[2].value));
  system_.reset();
  auto rewrite = [&](const std::function<void(rocksdb::DB*, const std::string& key, BusLogRecord record)>& change) {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_.path() + "/bus", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string key = NamedPrefix("t", kPoliceTopic);
    AppendBigEndian64(&key, 2);
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), key, &value).ok());
    BusLogRecord record;
    ASSERT_TRUE(record.ParseFromString(value));
    change(db.get(), key, record);
  };
  rewrite([](rocksdb::DB* db, const std::string& key, BusLogRecord record) {
    std::string event = record.value();
    EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(event));
    event[event.find(e.sealed().ciphertext()) + 20] ^= 0x20;  // a byte of its sealed personal part
    record.set_value(event);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), key, record.SerializeAsString()).ok());
  });
  SetUp();
  auto altered = verify();
  ASSERT_THAT(altered, IsOk());
  EXPECT_FALSE(altered->report.ok());
  EXPECT_EQ(altered->report.first_bad_sequence, third.log_sequence());
  EXPECT_THAT(altered->report.problem, ::testing::HasSubstr(absl::StrCat("event ", third.log_sequence(), " was altered")));

  // Remove it instead.
  system_.reset();
  rewrite([](rocksdb::DB* db, const std::string& key, BusLogRecord) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), key).ok());
  });
  SetUp();
  auto removed = verify();
  ASSERT_THAT(removed, IsOk());
  EXPECT_EQ(removed->report.first_bad_sequence, third.log_sequence());
  EXPECT_THAT(removed->report.problem, ::testing::HasSubstr(absl::StrCat("event ", third.log_sequence(), " is missing")));
}

// What the panel could have seen: the view rebuilt from the log as of a moment equals what
// the live API returned then; and the auditor lists who consulted it, when and why.
TEST_F(AuditTest, AViewAsOfAMomentIsWhatTheLiveApiReturnedThenAndEveryConsultationIsListed) {
  auto mappa = pki_.Stub<MappaService>(system_->mappa_address(), "mappa-chair", "chair-5");
  const std::string pnc = "2019/0012345X";
  GetRiskViewRequest read;
  *read.mutable_subject() = testing::TestSubject(pnc);
  read.mutable_purpose()->set_code(MAPPA_MEETING);
  read.mutable_purpose()->set_detail("MAPPA level 2 meeting M-5");
  size_t reads = 0;
  auto live = [&](size_t convictions) {
    RiskView v;
    for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
      v.Clear();
      ++reads;
      if (mappa->GetRiskView(Context().get(), read, &v).ok() && static_cast<size_t>(v.convictions_size()) == convictions) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return v;
  };
  CommandResult r;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction("cmd-asof-1", pnc), &r).ok());
  const RiskView then = live(1);
  ASSERT_EQ(then.convictions_size(), 1);
  const absl::Time moment = absl::Now();
  absl::SleepFor(absl::Milliseconds(5));
  auto second = testing::ValidConviction("cmd-asof-2", pnc);
  second.mutable_conviction()->set_offence("Possession of indecent images of children");
  ASSERT_TRUE(police_->RecordConviction(Context().get(), second, &r).ok());
  ASSERT_EQ(live(2).convictions_size(), 2);

  Purpose purpose;
  purpose.set_code(AUDIT);
  purpose.set_detail("Complaint C-17: what did the panel know?");
  auto rebuilt = audit_tool::ViewAsOf({.logs = {.bus_dir = dir_.path() + "/bus"},
                                       .work_dir = dir_.path() + "/as-of",
                                       .as_of = moment,
                                       .subject = testing::TestSubject(pnc),
                                       .purpose = purpose, .vault = testing::TestVault().get()});
  ASSERT_THAT(rebuilt, IsOk());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(then, *rebuilt))
      << then.DebugString() << "\n---\n" << rebuilt->DebugString();

  // Each record names the certificate the reader presented.
  auto chair_certificate = security::ReadCertificateSubject(pki_.Issue("mappa-chair", "chair-5").client.certificate_pem);
  ASSERT_THAT(chair_certificate, IsOk());
  auto consultations = audit_tool::Consultations({.bus_dir = dir_.path() + "/bus"}, kAuditAccessTopic, {"pnc:" + pnc},
                                                  *testing::TestVault(), Topics().keys());
  ASSERT_THAT(consultations, IsOk());
  EXPECT_EQ(consultations->size(), reads) << "every live read, any before the subject was known included";
  for (const AccessRecord& a : *consultations) {
    EXPECT_EQ(a.actor().user(), "chair-5");
    EXPECT_EQ(a.actor().certificate_sha256(), chair_certificate->sha256);
    EXPECT_EQ(a.view(), "mappa.RiskView");
    EXPECT_EQ(a.purpose().detail(), "MAPPA level 2 meeting M-5");
  }
  EXPECT_THAT(audit_tool::DescribeConsultation(consultations->front()),
              ::testing::HasSubstr("chair-5 (mappa-chair, AGENCY_MAPPA)  mappa.RiskView  MAPPA_MEETING: MAPPA level 2 meeting M-5"));
  EXPECT_THAT(audit_tool::DescribeConsultation(consultations->front()),
              ::testing::HasSubstr("certificate " + chair_certificate->sha256));
}

// The live views are derived: replayed from the copy of the logs up to where the live state
// stands, every one is byte-for-byte the same; a doctored live view is named.
TEST_F(AuditTest, ReplayingTheLogsGivesEveryLiveViewAndADoctoredOneIsNamed) {
  Record(3, 0);
  auto disclosure = pki_.Stub<DisclosureService>(system_->police_address(), "police-disclosure");
  CommandResult r;
  ASSERT_TRUE(disclosure->ReceiveEnquiry(Context().get(), testing::Enquiry("CSODS/KENT/77", absl::Now() - absl::Hours(1),
                                                                            RIGHT_TO_ASK, "kent"),
                                         &r)
                  .ok());
  // Wait until mappa-service has consumed all of it.
  auto cases = pki_.Stub<DisclosureCaseService>(system_->mappa_address(), "mappa-coordinator");
  for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
    GetDisclosureStatisticsResponse mi;
    if (cases->GetDisclosureStatistics(Context().get(), GetDisclosureStatisticsRequest(), &mi).ok() &&
        mi.total().enquiries() == 1) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  // The convictions came before it on the same topic, so they are consumed too.

  auto report = audit_tool::ReplayAndCompare(
      {.logs = {.bus_dir = dir_.path() + "/bus"}, .live_state = dir_.path() + "/mappa", .work_dir = dir_.path() + "/replay-1", .vault = testing::TestVault().get()});
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->differences, 0u);
  std::vector<std::string> names;
  for (const auto& v : report->views) names.push_back(v.view);
  EXPECT_THAT(names, ::testing::IsSupersetOf({std::string("case CSODS/KENT/77"), std::string("person pnc:2019/0010000X")}));
  EXPECT_GE(report->events_replayed, 4u);

  // Doctor one stored picture (services/mappa/state/prefixes.h: "V" person key): drop the
  // conviction from it.
  system_.reset();
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_.path() + "/mappa", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string bytes;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "Vpnc:2019/0010001X", &bytes).ok());
    safeguard::v1::StoredPicture v;
    ASSERT_TRUE(v.ParseFromString(bytes));
    v.mutable_facts()->clear_convictions();
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "Vpnc:2019/0010001X", v.SerializeAsString()).ok());
  }
  auto doctored = audit_tool::ReplayAndCompare(
      {.logs = {.bus_dir = dir_.path() + "/bus"}, .live_state = dir_.path() + "/mappa", .work_dir = dir_.path() + "/replay-2", .vault = testing::TestVault().get()});
  ASSERT_THAT(doctored, IsOk());
  EXPECT_EQ(doctored->differences, 1u);
  for (const auto& v : doctored->views) {
    EXPECT_EQ(v.same(), v.view != "person pnc:2019/0010001X") << v.view;
  }
}

// A conviction quashed on appeal, through the public APIs: the picture shows the current
// truth (no conviction, the correction listed), the timeline the history (the conviction as
// recorded, marked retracted, and the retraction), a view as of a moment before it what was
// believed then, and a replay of the log the live picture, byte for byte.
TEST_F(AuditTest, ACorrectionIsInThePictureTheTimelineTheViewAsOfAndTheReplay) {
  auto mappa = pki_.Stub<MappaService>(system_->mappa_address(), "mappa-chair", "chair-5");
  const std::string pnc = "2019/0012345X";
  Purpose purpose;
  purpose.set_code(MAPPA_MEETING);
  purpose.set_detail("MAPPA level 2 meeting M-9");
  auto live = [&](const std::function<bool(const RiskView&)>& done) {
    GetRiskViewRequest read;
    *read.mutable_subject() = testing::TestSubject(pnc);
    *read.mutable_purpose() = purpose;
    RiskView v;
    for (const absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
      v.Clear();
      if (mappa->GetRiskView(Context().get(), read, &v).ok() && done(v)) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return v;
  };
  CommandResult convicted;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction("cmd-quash-0001", pnc), &convicted).ok());
  const RiskView before = live([](const RiskView& v) { return v.convictions_size() == 1; });
  ASSERT_TRUE(before.flags().duty_to_consider_disclosure());
  const absl::Time moment = absl::Now();
  absl::SleepFor(absl::Milliseconds(5));

  RecordCorrectionRequest quash = testing::Correction(testing::ValidConviction("x", pnc).header(), "cmd-quash-0002",
                                                      convicted.event_id(), RETRACTED, QUASHED_ON_APPEAL);
  quash.mutable_correction()->set_decided_by("Court of Appeal (Criminal Division)");
  CommandResult quashed;
  grpc::Status st = police_->RecordCorrection(Context().get(), quash, &quashed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const RiskView now = live([](const RiskView& v) { return v.corrections_size() == 1; });
  ASSERT_EQ(now.corrections_size(), 1) << "the picture is still there, with its correction";
  EXPECT_EQ(now.convictions_size(), 0);
  EXPECT_FALSE(now.flags().duty_to_consider_disclosure()) << "alerts and flags follow the correction";
  EXPECT_EQ(now.corrections(0).decided_by(), "Court of Appeal (Criminal Division)");
  EXPECT_EQ(now.corrections(0).provenance().event_id(), quashed.event_id());

  GetTimelineRequest timeline;
  *timeline.mutable_subject() = testing::TestSubject(pnc);
  *timeline.mutable_purpose() = purpose;
  GetTimelineResponse history;
  ASSERT_TRUE(mappa->GetTimeline(Context().get(), timeline, &history).ok());
  ASSERT_EQ(history.entries_size(), 2);
  EXPECT_THAT(history.entries(0).summary(), ::testing::StartsWith("Conviction: "));
  EXPECT_EQ(history.entries(0).correction().kind(), RETRACTED);
  EXPECT_EQ(history.entries(0).correction().reason(), QUASHED_ON_APPEAL);
  EXPECT_THAT(history.entries(1).summary(), ::testing::StartsWith("Correction: retracted event " + convicted.event_id()));

  Purpose audit;
  audit.set_code(AUDIT);
  audit.set_detail("Appeal A-3: what did the panel know before the appeal?");
  auto then = audit_tool::ViewAsOf({.logs = {.bus_dir = dir_.path() + "/bus"}, .work_dir = dir_.path() + "/as-of",
                                    .as_of = moment, .subject = testing::TestSubject(pnc), .purpose = audit, .vault = testing::TestVault().get()});
  ASSERT_THAT(then, IsOk());
  EXPECT_EQ(then->convictions_size(), 1) << "as it was believed then";
  EXPECT_EQ(then->corrections_size(), 0);

  auto report = audit_tool::ReplayAndCompare(
      {.logs = {.bus_dir = dir_.path() + "/bus"}, .live_state = dir_.path() + "/mappa", .work_dir = dir_.path() + "/replay", .vault = testing::TestVault().get()});
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->differences, 0u);
  EXPECT_GE(report->events_replayed, 2u);
}

TEST_F(AuditTest, EachServiceSignsItsOwnLogWithItsOwnKey) {
  const SignedCheckpoint mappa = AwaitCheckpoint(mappa_audit_.get(), 0);
  EXPECT_EQ(mappa.origin(), "safeguard/mappa-events");
  EXPECT_THAT(audit::VerifyCheckpoint(mappa, PublicKey(mappa_audit_.get())), IsOk());
  EXPECT_NE(PublicKey(mappa_audit_.get()), PublicKey(police_audit_.get()));
  EXPECT_FALSE(audit::VerifyCheckpoint(mappa, PublicKey(police_audit_.get())).ok());
}

}  // namespace
}  // namespace safeguard
