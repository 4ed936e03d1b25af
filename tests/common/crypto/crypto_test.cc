// The primitives and the vault personal data is protected with (common/crypto): sealing
// binds a ciphertext to its key and place, a vault file is refused when others may read
// it or it lies in the data directory, rotation keeps old keys unwrapping, and a sealed
// event keeps in clear only what the log's structure needs.
#include <sys/stat.h>

#include <fstream>
#include <functional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/aead.h"
#include "common/crypto/key_vault.h"
#include "common/crypto/sealing.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "common/ids.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace safeguard::crypto {
namespace {

using safeguard::testing::IsOk;
using safeguard::testing::IsOkAndHolds;
using safeguard::testing::StatusIs;
using safeguard::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Key(char fill) { return std::string(kKeyBytes, fill); }

TEST(AeadTest, OpensOnlyUnderItsKeyAndAssociatedDataAndUnaltered) {
  auto sealed = Seal(Key('a'), "Jane Carter 1980-02-03", "event-1");
  ASSERT_THAT(sealed, IsOk());
  EXPECT_EQ(sealed->find("Jane"), std::string::npos);
  EXPECT_THAT(Open(Key('a'), *sealed, "event-1"), IsOkAndHolds("Jane Carter 1980-02-03"));
  EXPECT_THAT(Open(Key('b'), *sealed, "event-1"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Open(Key('a'), *sealed, "event-2"), StatusIs(absl::StatusCode::kDataLoss)) << "moved to another event";
  std::string altered = *sealed;
  altered[kNonceBytes] ^= 1;
  EXPECT_THAT(Open(Key('a'), altered, "event-1"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Open(Key('a'), "short", "event-1"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Seal("too short", "x", ""), StatusIs(absl::StatusCode::kInvalidArgument));
  // A fresh nonce each time: the same plaintext never seals to the same bytes.
  EXPECT_NE(*Seal(Key('a'), "x", "y"), *Seal(Key('a'), "x", "y"));
}

TEST(AeadTest, HmacIsRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

std::string WriteFile(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
  return path;
}

TEST(FileKeyVaultTest, CreatedOwnerOnlyAndRefusedWhenOthersMayReadItOrItIsInTheDataDirectory) {
  TempDir dir;
  const std::string path = dir.Sub("keys/vault");
  ASSERT_THAT(FileKeyVault::Create(path), IsOk());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(FileKeyVault::Create(path), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(FileKeyVault::Open(path, dir.Sub("data")), IsOk());
  auto inside = FileKeyVault::Open(path, dir.Sub("keys"));
  EXPECT_THAT(inside, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(inside.status().message()), HasSubstr("inside the data directory"));
  ::chmod(path.c_str(), 0440);
  EXPECT_THAT(FileKeyVault::Open(path), IsOk()) << "a Secret read through the pod's group";
  for (mode_t mode : {0644, 0604, 0660, 0601}) {
    ::chmod(path.c_str(), mode);
    auto shared = FileKeyVault::Open(path);
    EXPECT_THAT(shared, StatusIs(absl::StatusCode::kFailedPrecondition)) << mode;
    EXPECT_THAT(std::string(shared.status().message()), HasSubstr(absl::StrFormat("mode %04o", mode)));
  }
  EXPECT_THAT(FileKeyVault::Open(dir.Sub("none")), StatusIs(absl::StatusCode::kNotFound));
}

TEST(FileKeyVaultTest, AMalformedLineIsRefusedByNumber) {
  TempDir dir;
  const std::string hex(64, 'a');
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"pseudonym-key " + hex + "\nkek 1 abc\n", "line 2: a key is 64 hex digits"},
           {"kek 1 " + hex + "\n", "no pseudonym-key"},
           {"pseudonym-key " + hex + "\n", "no kek"},
           {"pseudonym-key " + hex + "\nkek 1 " + hex + "\nkek 1 " + hex + "\n", "line 3: KEK 1 is given twice"},
           {"pseudonym-key " + hex + "\nkek zero " + hex + "\n", "line 2: a KEK's number"},
           {"pseudonym-key " + hex + "\nkeep " + hex + "\n", "line 2: expected"}}) {
    const std::string path = WriteFile(dir.Sub("vault"), text, 0600);
    auto vault = FileKeyVault::Open(path);
    EXPECT_THAT(vault, StatusIs(absl::StatusCode::kInvalidArgument)) << text;
    EXPECT_THAT(std::string(vault.status().message()), HasSubstr(expected)) << text;
  }
}

TEST(FileKeyVaultTest, ANewKekWrapsWhileTheOldStillUnwrapsUntilRetired) {
  TempDir dir;
  const std::string path = dir.Sub("vault");
  ASSERT_THAT(FileKeyVault::Create(path), IsOk());
  auto first = FileKeyVault::Open(path);
  ASSERT_THAT(first, IsOk());
  auto wrapped = (*first)->Wrap(Key('k'), "police/~k1");
  ASSERT_THAT(wrapped, IsOk());
  EXPECT_EQ(wrapped->kek_id(), "1");
  EXPECT_THAT((*first)->Unwrap(*wrapped, "police/~k2"), StatusIs(absl::StatusCode::kDataLoss))
      << "a wrapped key unwraps only as its own key's";

  ASSERT_THAT(FileKeyVault::AddKek(path), IsOkAndHolds("2"));
  auto second = FileKeyVault::Open(path);
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ((*second)->current_kek_id(), "2");
  EXPECT_EQ((*second)->Mac("x"), (*first)->Mac("x")) << "the pseudonym key does not rotate with the KEK";
  EXPECT_THAT((*second)->Unwrap(*wrapped, "police/~k1"), IsOkAndHolds(Key('k')));
  auto rewrapped = (*second)->Wrap(Key('k'), "police/~k1");
  ASSERT_THAT(rewrapped, IsOk());
  EXPECT_EQ(rewrapped->kek_id(), "2");

  EXPECT_THAT(FileKeyVault::RetireKek(path, "2"), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(FileKeyVault::RetireKek(path, "1"), IsOk());
  auto third = FileKeyVault::Open(path);
  ASSERT_THAT(third, IsOk());
  EXPECT_THAT((*third)->Unwrap(*wrapped, "police/~k1"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT((*third)->Unwrap(*rewrapped, "police/~k1"), IsOkAndHolds(Key('k')));
}

class SealingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(FileKeyVault::Create(dir_.Sub("vault")), IsOk());
    vault_ = *FileKeyVault::Open(dir_.Sub("vault"));
  }

  safeguard::v1::EventEnvelope Conviction() const {
    safeguard::v1::EventEnvelope e;
    e.set_event_id("4b0e1f5c-0000-4000-8000-000000000001");
    e.set_event_type("police.ConvictionRecorded");
    e.set_agency(safeguard::v1::AGENCY_POLICE);
    e.set_stream_id("police/pnc:2019/0012345X");
    e.set_stream_version(3);
    e.set_log_sequence(17);
    e.set_subject_key("pnc:2019/0012345X");
    e.mutable_subject()->set_pnc_id("2019/0012345X");
    e.mutable_subject()->set_given_name("Jane");
    e.mutable_subject()->set_family_name("Carter");
    e.mutable_subject()->set_date_of_birth("1980-02-03");
    e.mutable_conviction_recorded()->set_offence("Sexual assault of a child under 13");
    e.mutable_actor()->set_user("dc-jones");
    e.set_command_id("cmd-1");
    return e;
  }

  TempDir dir_;
  std::unique_ptr<FileKeyVault> vault_;
};

TEST_F(SealingTest, PersonalFieldsAreSealedAndTheLogsStructureStaysClear) {
  const safeguard::v1::EventEnvelope original = Conviction();
  safeguard::v1::EventEnvelope e = original;
  const std::string key_id = DataKeyIdFor(*vault_, e);
  EXPECT_TRUE(absl::StartsWith(key_id, "police/~")) << key_id;
  ASSERT_THAT(SealEvent(*vault_, key_id, Key('d'), &e), IsOk());
  const std::string bytes = e.SerializeAsString();
  for (const char* personal : {"Jane", "Carter", "1980-02-03", "2019/0012345X", "Sexual assault"}) {
    EXPECT_EQ(bytes.find(personal), std::string::npos) << personal;
  }
  EXPECT_FALSE(e.has_subject());
  EXPECT_FALSE(e.has_conviction_recorded());
  EXPECT_TRUE(IsPseudonym(e.subject_key())) << e.subject_key();
  EXPECT_TRUE(absl::StartsWith(e.stream_id(), "police/~")) << e.stream_id();
  EXPECT_EQ(e.subject_key(), SubjectPseudonym(*vault_, "pnc:2019/0012345X")) << "the same name every time";
  EXPECT_EQ(e.stream_id(), StreamPseudonym(*vault_, "police/pnc:2019/0012345X"));
  EXPECT_EQ(StreamPseudonym(*vault_, e.stream_id()), e.stream_id()) << "a pseudonym is not named again";
  EXPECT_EQ(e.event_type(), original.event_type());
  EXPECT_EQ(e.log_sequence(), 17u);
  EXPECT_EQ(e.stream_version(), 3u);
  EXPECT_EQ(e.actor().user(), "dc-jones");
  EXPECT_THAT(SealEvent(*vault_, key_id, Key('d'), &e), StatusIs(absl::StatusCode::kFailedPrecondition));

  safeguard::v1::EventEnvelope opened = e;
  EXPECT_THAT(OpenEvent(Key('x'), &opened), StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_THAT(OpenEvent(Key('d'), &opened), IsOk());
  EXPECT_EQ(opened.SerializeAsString(), original.SerializeAsString());

  // Its place altered on the bus (the clear fields the seal is bound to), or a clear
  // personal field put beside the seal: it does not open.
  for (const auto& alter : std::vector<std::function<void(safeguard::v1::EventEnvelope*)>>{
           [](auto* x) { x->set_stream_version(4); }, [](auto* x) { x->set_log_sequence(18); },
           [](auto* x) { x->set_event_type("police.IntelligenceRecorded"); },
           [](auto* x) { x->set_agency(safeguard::v1::AGENCY_PROBATION); },
           [](auto* x) { x->mutable_subject()->set_pnc_id("2020/0000001A"); },
           [](auto* x) { x->mutable_intelligence_recorded()->set_summary("planted"); }}) {
    safeguard::v1::EventEnvelope altered = e;
    alter(&altered);
    EXPECT_THAT(OpenEvent(Key('d'), &altered), StatusIs(absl::StatusCode::kDataLoss));
  }

  // A sealed part moved onto another event does not open there.
  safeguard::v1::EventEnvelope other = Conviction();
  other.set_event_id("4b0e1f5c-0000-4000-8000-000000000002");
  ASSERT_THAT(SealEvent(*vault_, key_id, Key('d'), &other), IsOk());
  *other.mutable_sealed() = e.sealed();
  EXPECT_THAT(OpenEvent(Key('d'), &other), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(SealingTest, KeysArePerAgencyAndSubjectAndAnotherVaultNamesDifferently) {
  safeguard::v1::EventEnvelope police = Conviction();
  safeguard::v1::EventEnvelope probation = Conviction();
  probation.set_agency(safeguard::v1::AGENCY_PROBATION);
  safeguard::v1::EventEnvelope someone_else = Conviction();
  someone_else.set_subject_key("pnc:2020/0000001A");
  safeguard::v1::EventEnvelope meeting = Conviction();
  meeting.set_subject_key("");
  meeting.set_stream_id("mappa/meeting/M-1");
  meeting.set_agency(safeguard::v1::AGENCY_MAPPA);
  EXPECT_NE(DataKeyIdFor(*vault_, police), DataKeyIdFor(*vault_, probation));
  EXPECT_TRUE(absl::StartsWith(DataKeyIdFor(*vault_, probation), "probation/~"));
  EXPECT_NE(DataKeyIdFor(*vault_, police), DataKeyIdFor(*vault_, someone_else));
  EXPECT_EQ(DataKeyIdFor(*vault_, meeting), DataKeyId(*vault_, safeguard::v1::AGENCY_MAPPA, "mappa/meeting/M-1"));
  ASSERT_THAT(FileKeyVault::Create(dir_.Sub("other")), IsOk());
  auto other = FileKeyVault::Open(dir_.Sub("other"));
  ASSERT_THAT(other, IsOk());
  EXPECT_NE(SubjectPseudonym(**other, "pnc:2019/0012345X"), SubjectPseudonym(*vault_, "pnc:2019/0012345X"))
      << "without the deployment's pseudonym key a name cannot be tried against a copy of the bus";
}

TEST_F(SealingTest, AnAccessRecordIsNamedByPseudonymAndLookUpsThatFoundNoOneShareTheDaysKey) {
  safeguard::v1::AccessRecord read;
  read.set_access_id("a-1");
  read.set_subject_key("pnc:2019/0012345X");
  read.add_recipients("Kim Walsh (mother)");
  read.set_disclosed("Dan Walker has a conviction for a sexual offence against a child.");
  EXPECT_EQ(AccessKeyBasis(read), "pnc:2019/0012345X") << "sealed under its subject's key";
  safeguard::v1::AccessRecord sealed = read;
  ASSERT_THAT(SealAccessRecord(*vault_, "mappa/~k", Key('m'), &sealed), IsOk());
  const std::string bytes = sealed.SerializeAsString();
  for (const char* personal : {"2019/0012345X", "Kim Walsh", "Dan Walker"}) EXPECT_EQ(bytes.find(personal), std::string::npos);
  EXPECT_EQ(sealed.subject_key(), SubjectPseudonym(*vault_, "pnc:2019/0012345X"));
  ASSERT_THAT(OpenAccessRecord(Key('m'), &sealed), IsOk());
  EXPECT_EQ(sealed.SerializeAsString(), read.SerializeAsString());

  auto lookup = [](const std::string& query, int64_t day) {
    safeguard::v1::AccessRecord r;
    r.set_query(query);
    r.mutable_at()->set_seconds(1796601600 + day * 86400 + 3600);
    return r;
  };
  EXPECT_EQ(AccessKeyBasis(lookup("Garry Wood 1969-02-03", 0)), AccessKeyBasis(lookup("Ann Other 1980-01-01", 0)))
      << "however many look-ups, one key a day";
  EXPECT_NE(AccessKeyBasis(lookup("Garry Wood 1969-02-03", 0)), AccessKeyBasis(lookup("Garry Wood 1969-02-03", 1)));
  safeguard::v1::AccessRecord a = lookup("Garry Wood 1969-02-03", 0), b = lookup("Ann Other 1980-01-01", 0);
  ASSERT_THAT(SealAccessRecord(*vault_, "mappa/~day", Key('d'), &a), IsOk());
  ASSERT_THAT(SealAccessRecord(*vault_, "mappa/~day", Key('d'), &b), IsOk());
  EXPECT_NE(a.subject_key(), b.subject_key()) << "each look-up named apart on the bus";
  EXPECT_EQ(a.SerializeAsString().find("Garry"), std::string::npos);
}

TEST_F(SealingTest, TheRingUnwrapsOnceAndADestroyedKeyIsNotFound) {
  KeyRing ring(vault_.get(), 2);
  auto made = ring.Create("police/~a", safeguard::v1::AGENCY_POLICE, absl::Now());
  ASSERT_THAT(made, IsOk());
  EXPECT_FALSE(ring.Find("police/~a").has_value()) << "held only once its record is durable";
  EXPECT_THAT(ring.Unwrap(made->record), IsOkAndHolds(made->key));
  EXPECT_EQ(ring.Find("police/~a"), made->key);
  ring.Hold("police/~b", Key('b'));
  ring.Hold("police/~c", Key('c'));
  EXPECT_EQ(ring.Find("police/~c"), Key('c')) << "at most two held: one let go";
  safeguard::v1::DataKeyRecord destroyed = made->record;
  destroyed.clear_wrapped();
  destroyed.mutable_destroyed()->set_basis("DPA 2018 s.47(3)");
  EXPECT_THAT(ring.Unwrap(destroyed), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace safeguard::crypto
