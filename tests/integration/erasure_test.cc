// Erasure and restriction as data protection decisions (docs/security.md, "Erasure and
// restriction"): the police's data protection officer erases or restricts a subject over
// real gRPC with mutual TLS; police-service destroys the subject's data keys; mappa-service
// drops what they sealed from its views; every reader is told what was erased, when and
// under what basis; and nothing of the subject is left in any file of any store or bus.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <set>

#include "common/bus/bus_config.h"
#include "common/bus/event_bus_rocksdb.h"
#include "common/crypto/sealing.h"
#include "common/store/backup.h"
#include "common/time_util.h"
#include "safeguard/v1/operations.grpc.pb.h"
#include "safeguard/v1/data_protection_service.grpc.pb.h"
#include "safeguard/v1/mappa_service.grpc.pb.h"
#include "safeguard/v1/police_service.grpc.pb.h"
#include "services/safeguard_audit/replay.h"
#include "services/safeguard_audit/verify.h"
#include "services/safeguardd/all_in_one.h"
#include "tests/testing/alert_watcher.h"
#include "tests/testing/file_search.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_pki.h"
#include "tests/testing/test_vault.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;
using safeguard::testing::IsOk;
using safeguard::testing::IsOkAndHolds;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;
using ::testing::HasSubstr;

// The subject erased: a name, date of birth, PNC id, address and email no one else has.
constexpr char kErasedPnc[] = "2011/0045123K";
constexpr char kErasedGiven[] = "Quillon";
constexpr char kErasedFamily[] = "Zebedee-Farthingale";
constexpr char kErasedBorn[] = "1961-07-19";
constexpr char kErasedStreet[] = "7 Wrenfold Close";
constexpr char kErasedEmail[] = "quillon@example.org";
// Everyone else: the default test subject.
constexpr char kOtherPnc[] = "2019/0012345X";

class ErasureTest : public ::testing::Test {
 protected:
  void SetUp() override { StartSystem(testing::TestVault()); }

  void StartSystem(std::shared_ptr<const crypto::KeyVault> vault, const std::string& config = "") {
    auto bus = ParseBusConfig("audit.checkpoint_interval = 50ms\n" + config);
    ASSERT_THAT(bus, IsOk());
    auto system = AllInOneSystem::Start(
        AllInOneOptions{.data_dir = dir_.path(), .bus = *bus, .security = pki_.Server(), .vault = std::move(vault)});
    ASSERT_THAT(system, IsOk());
    system_ = std::move(system).value();
    police_ = pki_.Stub<PoliceService>(system_->police_address(), "police-officer", "officer-7");
    mappa_ = pki_.Stub<MappaService>(system_->mappa_address(), "mappa-coordinator", "chair-3");
    dpo_ = pki_.Stub<DataProtectionService>(system_->police_address(), "police-data-protection", "dpo-1");
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  static Purpose Why() {
    Purpose p;
    p.set_code(RISK_MANAGEMENT);
    p.set_detail("MAPPA level 2 review, meeting M-42");
    return p;
  }

  static GetRiskViewRequest ViewRequest(const std::string& pnc) {
    GetRiskViewRequest r;
    r.mutable_subject()->set_pnc_id(pnc);
    *r.mutable_purpose() = Why();
    return r;
  }

  static GetAgencyRecordRequest RecordRequest(const std::string& pnc) {
    GetAgencyRecordRequest r;
    r.mutable_subject()->set_pnc_id(pnc);
    *r.mutable_purpose() = Why();
    return r;
  }

  // A search for the erased subject by name and date of birth.
  static FindPersonRequest FindErased() {
    FindPersonRequest find;
    find.mutable_subject()->set_given_name(kErasedGiven);
    find.mutable_subject()->set_family_name(kErasedFamily);
    find.mutable_subject()->set_date_of_birth(kErasedBorn);
    *find.mutable_purpose() = Why();
    return find;
  }

  static DataProtectionRequest Decision(const std::string& command_id, const std::string& pnc,
                                        DataProtectionBasis basis, const std::string& approved_by = "dpo-2") {
    DataProtectionRequest r;
    r.set_command_id(command_id);
    r.mutable_subject()->set_pnc_id(pnc);
    r.set_basis(basis);
    r.set_reason("Order of the Crown Court, case T20260117, to erase the record");
    r.set_approved_by(approved_by);
    return r;
  }

  // The alert a watcher was sent (listed as current, or raised) on the person `person`.
  static std::optional<Alert> AlertOn(const std::vector<AlertChange>& changes, const std::string& person) {
    for (const AlertChange& c : changes) {
      if (c.alert().subject_key() == person) return c.alert();
    }
    return std::nullopt;
  }
  // Whether the watcher was told to take down the alert named by `withdrawal_id` (bounded: 10 s).
  static bool AwaitWithdrawal(testing::AlertWatcher* watcher, const std::string& withdrawal_id) {
    return watcher->AwaitChange([&](const AlertChange& c) {
      return c.kind() == ALERT_WITHDRAWN && c.alert().withdrawal_id() == withdrawal_id;
    });
  }

  // Records the erased subject's conviction and register notification.
  void RecordErasedSubject() {
    RecordConvictionRequest conviction = testing::ValidConviction("cmd-erased-conviction", kErasedPnc);
    SubjectRef* s = conviction.mutable_header()->mutable_subject();
    s->set_given_name(kErasedGiven);
    s->set_family_name(kErasedFamily);
    s->set_date_of_birth(kErasedBorn);
    RecordRegisterNotificationRequest notification = testing::ValidNotification("cmd-erased-notification", kErasedPnc);
    *notification.mutable_header()->mutable_subject() = *s;
    notification.mutable_notification()->mutable_addresses(0)->set_line1(kErasedStreet);
    notification.mutable_notification()->mutable_online_identifiers(0)->set_value(kErasedEmail);
    CommandResult r;
    ASSERT_TRUE(police_->RecordConviction(Context().get(), conviction, &r).ok());
    ASSERT_TRUE(police_->RecordRegisterNotification(Context().get(), notification, &r).ok());
  }

  // Polls the view until it has applied `events` events (bounded: 10 s).
  RiskView AwaitView(const std::string& pnc, uint64_t events) {
    RiskView view;
    for (const absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end;) {
      view.Clear();
      grpc::Status st = mappa_->GetRiskView(Context().get(), ViewRequest(pnc), &view);
      if (st.ok() && view.events_applied() >= events) return view;
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "view of " << pnc << " did not reach " << events << " events";
    return view;
  }

  // Polls GetRiskView until it answers `code` (bounded: 10 s); its status.
  grpc::Status AwaitViewStatus(const std::string& pnc, grpc::StatusCode code) {
    grpc::Status st;
    for (const absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end;) {
      RiskView view;
      st = mappa_->GetRiskView(Context().get(), ViewRequest(pnc), &view);
      if (st.error_code() == code) return st;
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "the view of " << pnc << " did not come to answer " << code << "; last: " << st.error_message();
    return st;
  }

  // Every data key record on `topic`, in order, as the bus (embedded or Kafka) has them.
  std::vector<DataKeyRecord> KeyRecordsOn(const std::string& topic) {
    std::vector<DataKeyRecord> out;
    absl::Status read = system_->bus()->ReadWholeTopic(topic, [&](BusRecord r) {
      DataKeyRecord k;
      if (k.ParseFromString(r.value)) out.push_back(std::move(k));
      return absl::OkStatus();
    });
    if (!read.ok()) ADD_FAILURE() << "read " << topic << ": " << read;
    return out;
  }
  // Whether the latest record of data key `key_id` on `topic` says it was destroyed.
  bool DestroyedOnTopic(const std::string& topic, const std::string& key_id) {
    std::optional<bool> destroyed;
    for (const DataKeyRecord& k : KeyRecordsOn(topic)) {
      if (k.key_id() == key_id) destroyed = k.has_destroyed() && !k.has_wrapped();
    }
    return destroyed.value_or(false);
  }
  // The ciphertext of data key `key_id` as a record on `topic` carries it wrapped, once
  // there is one (bounded: 10 s); empty if none comes.
  std::string AwaitWrappedOnTopic(const std::string& topic, const std::string& key_id) {
    for (const absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end; absl::SleepFor(absl::Milliseconds(20))) {
      for (const DataKeyRecord& k : KeyRecordsOn(topic)) {
        if (k.key_id() == key_id && k.has_wrapped()) return k.wrapped().ciphertext();
      }
    }
    return "";
  }
  bool AwaitDestroyedOnTopic(const std::string& topic, const std::string& key_id) {
    for (const absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end; absl::SleepFor(absl::Milliseconds(20))) {
      if (DestroyedOnTopic(topic, key_id)) return true;
    }
    return false;
  }

  testing::TestPki& pki_ = testing::TestPki::Get();
  TempDir dir_;
  std::unique_ptr<AllInOneSystem> system_;
  std::unique_ptr<PoliceService::Stub> police_;
  std::unique_ptr<MappaService::Stub> mappa_;
  std::unique_ptr<DataProtectionService::Stub> dpo_;
};

// The issue's defect: nothing could be erased. Now the police's data protection officer
// erases a subject; police-service and mappa-service both answer that the record was
// erased, when and under what basis; no new fact about them is accepted; the other
// subject's picture is byte for byte as it was; and no file the system holds (each
// agency's store, mappa-service's state, the bus: write-ahead logs and table files)
// holds the subject's name, date of birth, PNC id, address or email any more.
TEST_F(ErasureTest, AnErasureLeavesNothingOfTheSubjectAnywhereAndEveryReaderIsToldWhenAndWhy) {
  RecordErasedSubject();
  CommandResult r;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction("cmd-other", kOtherPnc), &r).ok());
  RiskView erased_before = AwaitView(kErasedPnc, 2);
  ASSERT_EQ(erased_before.convictions_size(), 1);
  const RiskView other_before = AwaitView(kOtherPnc, 1);

  // The erased subject's data keys as they were carried wrapped: the police's, and
  // mappa-service's own (made when it recorded the reads above).
  const std::string erased_record = std::string("pnc:") + kErasedPnc;
  const std::string police_key = crypto::DataKeyId(*testing::TestVault(), AGENCY_POLICE, erased_record);
  const std::string mappa_key = crypto::DataKeyId(*testing::TestVault(), AGENCY_MAPPA, erased_record);
  const std::string police_wrapped = AwaitWrappedOnTopic(kPoliceKeysTopic, police_key);
  const std::string mappa_wrapped = AwaitWrappedOnTopic(kMappaKeysTopic, mappa_key);
  ASSERT_FALSE(police_wrapped.empty());
  ASSERT_FALSE(mappa_wrapped.empty());

  // A MAPPA coordinator's alerts page is open, showing the subject's overdue notification.
  auto watcher = std::make_unique<testing::AlertWatcher>(mappa_.get(), Why());
  const std::optional<Alert> shown = AlertOn(watcher->AwaitChanges(1), erased_record);
  ASSERT_TRUE(shown.has_value());
  ASSERT_FALSE(shown->withdrawal_id().empty());

  const absl::Time erased_at = absl::Now();
  CommandResult decision;
  grpc::Status erased = dpo_->RecordErasure(Context().get(), Decision("cmd-erase-1", kErasedPnc, ERASURE_COURT_ORDER),
                                            &decision);
  ASSERT_TRUE(erased.ok()) << erased.error_message();
  const std::string today = FormatIsoDate(DayOf(absl::Now()));

  // police-service: the record is erased, and says so.
  AgencyRecord record;
  grpc::Status read = police_->GetRecord(Context().get(), RecordRequest(kErasedPnc), &record);
  EXPECT_EQ(read.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(read.error_message(), HasSubstr("erased under a court order on " + today));
  // mappa-service: the same, once it has read the destroyed key's record.
  grpc::Status view = AwaitViewStatus(kErasedPnc, grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(view.error_message(), HasSubstr("police's record was erased under a court order on " + today));
  FindPersonResponse found;
  ASSERT_TRUE(mappa_->FindPerson(Context().get(), FindErased(), &found).ok());
  for (const PersonCandidate& c : found.candidates()) EXPECT_NE(c.record_key(), std::string("pnc:") + kErasedPnc);
  // The open alerts page is told to take the subject's alert down, by its withdrawal id
  // alone: no change it was sent afterwards names the subject.
  EXPECT_TRUE(AwaitWithdrawal(watcher.get(), shown->withdrawal_id()));
  for (const AlertChange& c : watcher->AwaitChanges(0)) {
    if (c.alert().subject_key() == erased_record) EXPECT_EQ(c.kind(), ALERT_CURRENT) << "only the listing names it";
  }
  watcher.reset();

  // Nothing more is recorded under the destroyed key.
  grpc::Status more = police_->RecordConviction(
      Context().get(), testing::ValidConviction("cmd-erased-again", kErasedPnc), &r);
  EXPECT_EQ(more.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << more.error_message();
  // The decision sent again is the same decision; a second one is refused, saying why.
  CommandResult again;
  ASSERT_TRUE(dpo_->RecordErasure(Context().get(), Decision("cmd-erase-1", kErasedPnc, ERASURE_COURT_ORDER), &again).ok());
  EXPECT_TRUE(again.idempotent_replay());
  EXPECT_EQ(again.event_id(), decision.event_id());
  grpc::Status twice = dpo_->RecordErasure(
      Context().get(), Decision("cmd-erase-2", kErasedPnc, ERASURE_COURT_ORDER), &again);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(twice.error_message(), HasSubstr("erased under a court order on " + today));

  // Everyone else's picture is as it was.
  RiskView other_after = AwaitView(kOtherPnc, 1);
  EXPECT_EQ(other_after.SerializeAsString(), other_before.SerializeAsString());

  // mappa-service has finished with the erasure (its purge, then its own key destroyed),
  // so the auditor below reads its state as it will stay.
  ASSERT_TRUE(AwaitDestroyedOnTopic(kMappaKeysTopic, mappa_key));

  // The auditor: the police log still verifies as signed, the checkpoints signed before the
  // erasure with those after; a replay of the logs reproduces every view mappa-service
  // holds; and the view as of a moment before the erasure says what was erased.
  const audit_tool::LogSource copy{.bus_dir = dir_.Sub("bus")};
  absl::StatusOr<audit_tool::VerifyOutcome> verified;
  for (const absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end; absl::SleepFor(absl::Milliseconds(50))) {
    verified = audit_tool::VerifyLogCopy({.server = system_->police_address(), .logs = copy, .topic = kPoliceTopic,
                                          .credentials = pki_.As("auditor", "auditor-1")});
    if (verified.ok() && verified->report.ok() && verified->report.verified_size >= decision.log_sequence()) break;
  }
  ASSERT_THAT(verified, IsOk());
  EXPECT_TRUE(verified->report.ok()) << verified->report.problem;
  EXPECT_GE(verified->report.verified_size, decision.log_sequence()) << "the erasure's decision included";
  auto replayed = audit_tool::ReplayAndCompare({.logs = copy, .live_state = dir_.Sub("mappa"),
                                                .work_dir = dir_.Sub("replay"), .vault = testing::TestVault().get()});
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(replayed->differences, 0u);
  Purpose audit;
  audit.set_code(AUDIT);
  audit.set_detail("Erasure check E-3");
  auto as_of = audit_tool::ViewAsOf({.logs = copy, .work_dir = dir_.Sub("as-of"), .as_of = erased_at - absl::Seconds(1),
                                     .subject = testing::TestSubject(kErasedPnc), .purpose = audit,
                                     .vault = testing::TestVault().get()});
  EXPECT_THAT(as_of, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(as_of.status().message(), HasSubstr("police's record was erased under a court order on " + today));
  std::filesystem::remove_all(dir_.Sub("replay"));  // the auditor's scratch state
  std::filesystem::remove_all(dir_.Sub("as-of"));

  // The police's key is destroyed on its keys topic, and mappa-service's own (which sealed
  // its reads of the subject) too: nothing is left of the record there.
  EXPECT_TRUE(DestroyedOnTopic(kPoliceKeysTopic, police_key));
  EXPECT_TRUE(AwaitDestroyedOnTopic(kMappaKeysTopic, mappa_key));

  // A backup made after the erasure (every store, while they serve).
  TempDir backups;
  Backups backup(BackupOptions{.data_dir = dir_.path(), .backup_dir = backups.path()});
  ASSERT_THAT(backup.BackUpNow(), IsOk());

  // Nothing of the subject is left in any file: not their name, date of birth, references
  // or email, nor either data key as it was carried wrapped (the keys topics are
  // compacted, and the destroyed records purged what they replaced); nor in the backup.
  system_.reset();
  const std::vector<std::string> needles = {kErasedPnc,   kErasedGiven, kErasedFamily, kErasedBorn,
                                            kErasedStreet, kErasedEmail, police_wrapped, mappa_wrapped};
  const testing::FileSearch search = testing::SearchFiles(dir_.path(), needles);
  EXPECT_THAT(search.found, ::testing::IsEmpty());
  EXPECT_GT(search.files, 10u);
  EXPECT_GE(search.tables, 2u) << "the stores' table files, read record by record";
  const testing::FileSearch in_backup = testing::SearchFiles(backups.path(), needles);
  EXPECT_THAT(in_backup.found, ::testing::IsEmpty());
  EXPECT_GE(in_backup.tables, 2u) << "the backup's table files, read record by record";
}

// The auditor's replay against a live state that has not read the keys topics' latest
// records (it stopped; or a copy of the bus taken after the copy of its state). The keys
// topics are compacted, so what it read there may be gone: a key wrapped again past its
// position serves as the record it replaced, and a key destroyed there is counted, the
// views it touches differing until mappa-service applies the erasure.
TEST_F(ErasureTest, AReplayBehindTheKeysTopicsUsesKeysWrappedAgainAndCountsLaterDestructions) {
  RecordErasedSubject();
  CommandResult r;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction("cmd-other", kOtherPnc), &r).ok());
  AwaitView(kErasedPnc, 2);
  AwaitView(kOtherPnc, 1);
  system_.reset();  // mappa-service's state stands where it is
  const std::string other_key = crypto::DataKeyId(*testing::TestVault(), AGENCY_POLICE, std::string("pnc:") + kOtherPnc);
  const std::string erased_key = crypto::DataKeyId(*testing::TestVault(), AGENCY_POLICE, std::string("pnc:") + kErasedPnc);
  {
    auto bus = RocksDbEventBus::Open(dir_.Sub("bus"));
    ASSERT_THAT(bus, IsOk());
    auto records = (*bus)->Read(kPoliceKeysTopic, 0, 1000);
    ASSERT_THAT(records, IsOk());
    std::vector<BusMessage> later;
    for (const BusRecord& record : *records) {
      DataKeyRecord k;
      ASSERT_TRUE(k.ParseFromString(record.value));
      if (k.key_id() == other_key) {  // wrapped again, as under a newer KEK
        auto key = testing::TestVault()->Unwrap(k.wrapped(), k.key_id());
        ASSERT_THAT(key, IsOk());
        auto wrapped = testing::TestVault()->Wrap(*key, k.key_id());
        ASSERT_THAT(wrapped, IsOk());
        *k.mutable_wrapped() = *wrapped;
        later.push_back({kPoliceKeysTopic, k.key_id(), k.SerializeAsString()});
      } else if (k.key_id() == erased_key) {
        k.clear_wrapped();
        k.mutable_destroyed()->set_basis("a court order");
        later.push_back({kPoliceKeysTopic, k.key_id(), k.SerializeAsString(), /*purge_replaced=*/true});
      }
    }
    ASSERT_EQ(later.size(), 2u);
    ASSERT_THAT((*bus)->Publish(later), IsOk());
  }
  auto replayed = audit_tool::ReplayAndCompare({.logs = {.bus_dir = dir_.Sub("bus")}, .live_state = dir_.Sub("mappa"),
                                                .work_dir = dir_.Sub("replay"), .vault = testing::TestVault().get()});
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(replayed->keys_destroyed_after_position, 1u);
  EXPECT_EQ(replayed->differences, 1u) << "the erased person's picture, until mappa-service applies the erasure";
  for (const audit_tool::ViewDigest& v : replayed->views) {
    if (v.view == std::string("person pnc:") + kOtherPnc) {
      EXPECT_TRUE(v.same()) << "opened with the key wrapped again";
    }
    if (v.view == std::string("person pnc:") + kErasedPnc) {
      EXPECT_FALSE(v.same());
    }
  }
}

// Who may decide, and what a decision must say: each bad field named, and nothing changed.
TEST_F(ErasureTest, OnlyTheAgencysOwnDataProtectionOfficerDecidesAndEveryFieldIsChecked) {
  RecordErasedSubject();
  CommandResult r;
  // Not a data protection officer: the access policy refuses.
  auto officer = pki_.Stub<DataProtectionService>(system_->police_address(), "police-officer", "officer-7");
  EXPECT_EQ(officer->RecordErasure(Context().get(), Decision("cmd-decision-0001", kErasedPnc, ERASURE_COURT_ORDER), &r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Another agency's officer: police-service refuses.
  auto probation_dpo = pki_.Stub<DataProtectionService>(system_->police_address(), "probation-data-protection", "pdpo-1");
  grpc::Status other = probation_dpo->RecordErasure(Context().get(), Decision("cmd-decision-0002", kErasedPnc, ERASURE_COURT_ORDER), &r);
  EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(other.error_message(), HasSubstr("only police's data protection officers"));
  // Approved by the officer themself, a restriction's basis, no reason: all named at once.
  DataProtectionRequest bad = Decision("cmd-decision-0003", kErasedPnc, RESTRICTION_EVIDENCE, "dpo-1");
  bad.clear_reason();
  grpc::Status refused = dpo_->RecordErasure(Context().get(), bad, &r);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("approved_by"));
  EXPECT_THAT(refused.error_message(), HasSubstr("basis"));
  EXPECT_THAT(refused.error_message(), HasSubstr("reason"));
  // No one held: nothing to erase.
  EXPECT_EQ(dpo_->RecordErasure(Context().get(), Decision("cmd-decision-0004", "2001/0000001A", ERASURE_COURT_ORDER), &r).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // None of it changed anything.
  AgencyRecord record;
  ASSERT_TRUE(police_->GetRecord(Context().get(), RecordRequest(kErasedPnc), &record).ok());
  EXPECT_EQ(record.events_size(), 2);
}

// A restriction hides the record from every read but the data protection officer's, at
// police-service and at mappa-service (where the person is still listed by FindPerson, so
// no one concludes there is no record); lifted, it is read as before.
TEST_F(ErasureTest, ARestrictedRecordIsReadOnlyByTheDataProtectionOfficerUntilLifted) {
  RecordErasedSubject();
  AwaitView(kErasedPnc, 2);
  const std::string person = std::string("pnc:") + kErasedPnc;
  auto alerts_of_person = [&] {
    ListAlertsRequest list;
    *list.mutable_purpose() = Why();
    ListAlertsResponse alerts;
    EXPECT_TRUE(mappa_->ListAlerts(Context().get(), list, &alerts).ok());
    int n = 0;
    for (const Alert& a : alerts.alerts()) n += a.subject_key() == person ? 1 : 0;
    return n;
  };
  ASSERT_GT(alerts_of_person(), 0) << "the overdue notification raises one";
  testing::AlertWatcher watcher(mappa_.get(), Why());  // a MAPPA coordinator's open alerts page
  const std::optional<Alert> shown = AlertOn(watcher.AwaitChanges(1), person);
  ASSERT_TRUE(shown.has_value());
  CommandResult r;
  ASSERT_TRUE(dpo_->RecordRestriction(Context().get(), Decision("cmd-restrict-0001", kErasedPnc, RESTRICTION_ACCURACY_CONTESTED),
                                      &r).ok());
  AgencyRecord record;
  grpc::Status officer = police_->GetRecord(Context().get(), RecordRequest(kErasedPnc), &record);
  EXPECT_EQ(officer.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(officer.error_message(), HasSubstr("restricted under DPA 2018 s.47(3) since"));
  ASSERT_TRUE(dpo_->GetRecord(Context().get(), RecordRequest(kErasedPnc), &record).ok());
  EXPECT_EQ(record.events_size(), 2);
  grpc::Status view = AwaitViewStatus(kErasedPnc, grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(view.error_message(), HasSubstr("police's record of this person is restricted under DPA 2018 s.47(3)"));
  FindPersonResponse found;
  ASSERT_TRUE(mappa_->FindPerson(Context().get(), FindErased(), &found).ok());
  ASSERT_EQ(found.candidates_size(), 1);
  EXPECT_FALSE(found.candidates(0).has_identity());
  ASSERT_EQ(found.candidates(0).data_protection_size(), 1);
  EXPECT_THAT(found.candidates(0).data_protection(0).notice(), HasSubstr("restricted under"));
  EXPECT_EQ(alerts_of_person(), 0) << "nor its alerts";
  EXPECT_TRUE(AwaitWithdrawal(&watcher, shown->withdrawal_id())) << "and an open watch is told to take it down";
  // Restricting it again is refused; lifting it (twice: the second refused) restores it.
  EXPECT_EQ(dpo_->RecordRestriction(Context().get(), Decision("cmd-restrict-0002", kErasedPnc, RESTRICTION_EVIDENCE), &r).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(dpo_->LiftRestriction(Context().get(), Decision("cmd-restrict-0003", kErasedPnc, RESTRICTION_ACCURACY_CONTESTED), &r).ok());
  EXPECT_EQ(dpo_->LiftRestriction(Context().get(), Decision("cmd-restrict-0004", kErasedPnc, RESTRICTION_ACCURACY_CONTESTED), &r).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(police_->GetRecord(Context().get(), RecordRequest(kErasedPnc), &record).ok());
  AwaitViewStatus(kErasedPnc, grpc::StatusCode::OK);
  // The open watch is shown the alert again, as it holds now.
  EXPECT_TRUE(watcher.AwaitChange([&](const AlertChange& c) {
    return c.kind() == ALERT_REINSTATED && c.alert().alert_id() == shown->alert_id();
  }));
  EXPECT_GT(alerts_of_person(), 0);
}

// Review and retention: each record's review date comes from the police's rules (here the
// defaults: a conviction for other offending is reviewed 10 years after the last event; a
// child sexual offence 10 years from the last review and by the subject's 100th
// birthday). The queue lists what is due, earliest first; a review that keeps the record
// sets the next date; the overdue count is in the status (and the metrics).
TEST_F(ErasureTest, ReviewsFallDueByTheRulesAndARetentionSetsTheNext) {
  RecordConvictionRequest old = testing::ValidConviction("cmd-old-conviction", kErasedPnc);
  old.mutable_conviction()->set_classification(OTHER);
  old.mutable_conviction()->set_offence("Theft");
  old.mutable_conviction()->set_offence_date("2011-06-01");
  old.mutable_conviction()->set_disposal_date("2012-03-01");
  CommandResult r;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), old, &r).ok());
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction("cmd-other", kOtherPnc), &r).ok());

  ListReviewsRequest due;
  *due.mutable_purpose() = Why();
  ListReviewsResponse queue;
  grpc::Status listed = dpo_->ListReviews(Context().get(), due, &queue);
  ASSERT_TRUE(listed.ok()) << listed.error_message();
  EXPECT_EQ(queue.overdue(), 1u);
  ASSERT_EQ(queue.reviews_size(), 1) << "the other is not due for years";
  EXPECT_THAT(queue.reviews(0).subject_keys(), ::testing::ElementsAre(std::string("pnc:") + kErasedPnc));
  EXPECT_EQ(queue.reviews(0).record_group(), "offending");
  EXPECT_EQ(queue.reviews(0).review_date(), "2022-03-01");
  EXPECT_TRUE(queue.reviews(0).overdue());
  EXPECT_EQ(queue.reviews(0).last_event_date(), "2012-03-01");
  due.set_due_by("2030-01-01");
  ASSERT_TRUE(dpo_->ListReviews(Context().get(), due, &queue).ok());
  ASSERT_EQ(queue.reviews_size(), 2);
  EXPECT_EQ(queue.reviews(1).record_group(), "public-protection");
  EXPECT_EQ(queue.reviews(1).review_date(), "2029-01-15") << "ten years from the conviction, never reviewed";

  auto ops = pki_.Stub<OperationsService>(system_->police_address(), "operator", "op-1");
  ServiceStatus status;
  ASSERT_TRUE(ops->GetStatus(Context().get(), GetStatusRequest(), &status).ok());
  EXPECT_EQ(status.reviews().overdue(), 1u);
  EXPECT_EQ(status.reviews().records(), 2u);

  // Reviewed and kept: due again ten years from today.
  DataProtectionRequest keep = Decision("cmd-retain-0001", kErasedPnc, RETAINED_AFTER_REVIEW);
  keep.set_reason("Still needed: linked to an open investigation");
  grpc::Status kept = dpo_->RecordRetention(Context().get(), keep, &r);
  ASSERT_TRUE(kept.ok()) << kept.error_message();
  const absl::CivilDay today = DayOf(absl::Now());
  due.set_due_by(FormatIsoDate(absl::CivilDay(today.year() + 11, 1, 1)));
  ASSERT_TRUE(dpo_->ListReviews(Context().get(), due, &queue).ok());
  EXPECT_EQ(queue.overdue(), 0u);
  ASSERT_EQ(queue.reviews_size(), 2);
  const ReviewDue& reviewed = queue.reviews(1);
  EXPECT_EQ(reviewed.last_review_date(), FormatIsoDate(today));
  EXPECT_EQ(reviewed.review_date(), FormatIsoDate(absl::CivilDay(today.year() + 10, today.month(), today.day())));
  // A reason that names the subject is refused: it outlives an erasure.
  keep.set_command_id("cmd-retain-0002");
  keep.set_reason(std::string("Reviewed ") + kErasedPnc);
  EXPECT_EQ(dpo_->RecordRetention(Context().get(), keep, &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Only the data protection officer sees the queue.
  auto officer = pki_.Stub<DataProtectionService>(system_->police_address(), "police-officer", "officer-7");
  EXPECT_EQ(officer->ListReviews(Context().get(), due, &queue).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// The same erasure with the services on Kafka (librdkafka's mock cluster): no record of any
// topic on the cluster, nor any file of any store, holds the subject's name, date of birth,
// references or email. (The mock cluster does not compact, so the record that carried the
// key wrapped is still there beside the one that says it was destroyed: docs/security.md,
// "What an erasure does not remove".)
class ErasureOnKafkaTest : public ErasureTest {
 protected:
  void SetUp() override { StartSystem(testing::TestVault(), "bus = kafka-mock\n"); }
};

TEST_F(ErasureOnKafkaTest, NoRecordOnTheClusterNorAnyFileOfAnyStoreHoldsTheErasedSubject) {
  RecordErasedSubject();
  CommandResult r;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction("cmd-other", kOtherPnc), &r).ok());
  AwaitView(kErasedPnc, 2);
  AwaitView(kOtherPnc, 1);
  const std::string erased_record = std::string("pnc:") + kErasedPnc;
  const std::string mappa_key = crypto::DataKeyId(*testing::TestVault(), AGENCY_MAPPA, erased_record);
  ASSERT_FALSE(AwaitWrappedOnTopic(kMappaKeysTopic, mappa_key).empty());
  CommandResult decision;
  ASSERT_TRUE(dpo_->RecordErasure(Context().get(), Decision("cmd-erase-1", kErasedPnc, ERASURE_COURT_ORDER), &decision).ok());
  AwaitViewStatus(kErasedPnc, grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(AwaitDestroyedOnTopic(kMappaKeysTopic, mappa_key));
  EXPECT_TRUE(DestroyedOnTopic(kPoliceKeysTopic, crypto::DataKeyId(*testing::TestVault(), AGENCY_POLICE, erased_record)));

  const std::vector<std::string> needles = {kErasedPnc, kErasedGiven, kErasedFamily, kErasedBorn, kErasedStreet, kErasedEmail};
  size_t records = 0;
  for (const char* topic : {kPoliceTopic, kProbationTopic, kChildrensTopic, kMappaTopic, kAuditAccessTopic,
                            kPoliceKeysTopic, kProbationKeysTopic, kChildrensKeysTopic, kMappaKeysTopic}) {
    ASSERT_THAT(system_->bus()->ReadWholeTopic(topic, [&](BusRecord record) {
      ++records;
      for (const std::string& needle : needles) {
        EXPECT_EQ(record.key.find(needle), std::string::npos) << needle << " in the key of " << topic << "@" << record.offset;
        EXPECT_EQ(record.value.find(needle), std::string::npos) << needle << " in " << topic << "@" << record.offset;
      }
      return absl::OkStatus();
    }), IsOk());
  }
  EXPECT_GE(records, 10u) << "the events, the keys, the reads' records and the decision";
  system_.reset();
  const testing::FileSearch search = testing::SearchFiles(dir_.path(), needles);
  EXPECT_THAT(search.found, ::testing::IsEmpty());
  EXPECT_GE(search.tables, 2u);
}

// Rotating the key-encryption key (docs/security.md): the keeper adds KEK 2 to the vault
// and restarts the services; each re-wraps every data key it holds under KEK 2 and
// publishes it again (the keys topics keep only the re-wrapped records); KEK 1 is then
// retired, and after a restart every picture and record reads as before, new events are
// recorded, and the auditor's replay of the logs, with the vault as it now is, agrees.
class KeyRotationTest : public ErasureTest {
 protected:
  void SetUp() override {
    ASSERT_THAT(crypto::FileKeyVault::Create(VaultPath()), IsOk());
    Restart();
  }
  std::string VaultPath() const { return vault_dir_.Sub("vault"); }
  void Restart() {
    system_.reset();
    auto vault = crypto::FileKeyVault::Open(VaultPath());
    ASSERT_THAT(vault, IsOk());
    vault_ = std::move(vault).value();
    StartSystem(vault_);
  }
  safeguard::v1::DataKeyStatus KeysOf(const std::string& address) {
    auto ops = pki_.Stub<OperationsService>(address, "operator", "op-1");
    ServiceStatus status;
    EXPECT_TRUE(ops->GetStatus(Context().get(), GetStatusRequest(), &status).ok());
    return status.data_keys();
  }
  // Whether every record on `topic` carries its key wrapped under `kek`, each key once.
  bool OnlyUnder(const std::string& topic, const std::string& kek) {
    const std::vector<DataKeyRecord> records = KeyRecordsOn(topic);
    std::set<std::string> seen;
    for (const DataKeyRecord& k : records) {
      if (k.wrapped().kek_id() != kek || !seen.insert(k.key_id()).second) return false;
    }
    return !records.empty();
  }

  TempDir vault_dir_;
  std::shared_ptr<const crypto::FileKeyVault> vault_;
};

TEST_F(KeyRotationTest, ANewKekWrapsEveryKeyAtTheNextStartAndTheRetiredOneLosesNothing) {
  RecordErasedSubject();
  const RiskView before = AwaitView(kErasedPnc, 2);
  AgencyRecord record_before;
  ASSERT_TRUE(police_->GetRecord(Context().get(), RecordRequest(kErasedPnc), &record_before).ok());
  ASSERT_TRUE(OnlyUnder(kPoliceKeysTopic, "1"));

  ASSERT_THAT(crypto::FileKeyVault::AddKek(VaultPath()), IsOkAndHolds(std::string("2")));
  Restart();
  EXPECT_EQ(KeysOf(system_->police_address()).current_kek(), "2");
  bool rewrapped = false;
  for (const absl::Time end = absl::Now() + absl::Seconds(10); !rewrapped && absl::Now() < end;
       absl::SleepFor(absl::Milliseconds(20))) {
    rewrapped = OnlyUnder(kPoliceKeysTopic, "2") && OnlyUnder(kMappaKeysTopic, "2");
  }
  ASSERT_TRUE(rewrapped) << "every key published again under KEK 2, the older records replaced";

  ASSERT_THAT(crypto::FileKeyVault::RetireKek(VaultPath(), "1"), IsOk());
  Restart();
  EXPECT_EQ(KeysOf(system_->police_address()).under_retired_keks(), 0u);
  EXPECT_EQ(KeysOf(system_->mappa_address()).under_retired_keks(), 0u);
  AgencyRecord record_after;
  grpc::Status read = police_->GetRecord(Context().get(), RecordRequest(kErasedPnc), &record_after);
  ASSERT_TRUE(read.ok()) << read.error_message();
  ASSERT_EQ(record_after.events_size(), record_before.events_size());
  for (int i = 0; i < record_after.events_size(); ++i) {
    EXPECT_EQ(record_after.events(i).SerializeAsString(), record_before.events(i).SerializeAsString());
  }
  EXPECT_EQ(AwaitView(kErasedPnc, 2).SerializeAsString(), before.SerializeAsString());
  CommandResult r;
  ASSERT_TRUE(police_->RecordConviction(Context().get(), testing::ValidConviction("cmd-other", kOtherPnc), &r).ok());
  AwaitView(kOtherPnc, 1);
  auto replayed = audit_tool::ReplayAndCompare({.logs = {.bus_dir = dir_.Sub("bus")}, .live_state = dir_.Sub("mappa"),
                                                .work_dir = dir_.Sub("replay"), .vault = vault_.get()});
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(replayed->differences, 0u);
}

}  // namespace
}  // namespace safeguard
