// police-service and mappa-service as separate processes on librdkafka's mock Kafka
// cluster (real Kafka protocol over loopback), with real broker faults injected from this
// process. In every case, every acknowledged command's event must reach the view exactly
// once, each subject's stream complete and applied in order (versions 1..N, nothing held
// back, no open gap). Each test prints how many events it checked.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "common/bus/bus_factory.h"
#include "common/bus/kafka_mock_cluster.h"
#include "tests/testing/child_process.h"
#include "tests/testing/load_and_verify.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_vault.h"
#include "tests/testing/test_pki.h"

namespace safeguard {
namespace {

constexpr int16_t kProduceApiKey = 0;  // Kafka protocol ProduceRequest
constexpr int kPartitions = 4;

// One service as a child process, restartable on the same data directory.
class ServiceProcess {
 public:
  ServiceProcess(std::string binary, std::string name, const testing::TempDir& dir, std::string bootstrap)
      : binary_(std::move(binary)), name_(std::move(name)), dir_(dir), bootstrap_(std::move(bootstrap)) {}

  void Start() {
    const std::string endpoints = dir_.Sub(name_ + ".endpoints");
    std::filesystem::remove(endpoints);
    const testing::TestPki& pki = testing::TestPki::Get();
    process_ = std::make_unique<testing::ChildProcess>(
        binary_,
        std::vector<std::string>{absl::StrCat("--data_dir=", dir_.Sub(name_)), "--port=0", "--metrics_port=0",
                                 absl::StrCat("--bootstrap_servers=", bootstrap_),
                                 absl::StrCat("--key_vault=", testing::TestVaultPath()),
                                 absl::StrCat("--endpoints_file=", endpoints),
                                 absl::StrCat("--tls_ca=", pki.dir(), "/ca.pem"),
                                 absl::StrCat("--tls_cert=", pki.dir(), "/server.pem"),
                                 absl::StrCat("--tls_key=", pki.dir(), "/server-key.pem")},
        dir_.Sub(name_ + ".log"));
    address_ = testing::AwaitKeyValueFile(endpoints, absl::Seconds(60))[name_];
    ASSERT_FALSE(address_.empty()) << name_ << " did not start; see " << dir_.Sub(name_ + ".log");
  }
  void Kill() { process_->Kill(SIGKILL); }
  const std::string& address() const { return address_; }

 private:
  const std::string binary_, name_;
  const testing::TempDir& dir_;
  const std::string bootstrap_;
  std::unique_ptr<testing::ChildProcess> process_;
  std::string address_;
};

class KafkaFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto mock = KafkaMockCluster::Start(3, AllTopics(Topics{}), kPartitions);
    ASSERT_TRUE(mock.ok()) << mock.status();
    mock_ = std::move(mock).value();
    police_ = std::make_unique<ServiceProcess>(POLICE_SERVICE_PATH, "police-service", dir_,
                                               mock_->bootstrap_servers());
    mappa_ = std::make_unique<ServiceProcess>(MAPPA_SERVICE_PATH, "mappa-service", dir_,
                                              mock_->bootstrap_servers());
    ASSERT_NO_FATAL_FAILURE(police_->Start());
    ASSERT_NO_FATAL_FAILURE(mappa_->Start());
  }
  void TearDown() override {
    police_.reset();
    mappa_.reset();
    mock_.reset();
  }

  void VerifyAndReport(const std::string& scenario) {
    ASSERT_TRUE(testing::ResendUnanswered(police_->address(), as_, &ledger_).ok());
    testing::Verification v =
        testing::VerifyExactlyOnce(mappa_->address(), as_, limits_.subjects, &ledger_, absl::Seconds(90));
    EXPECT_TRUE(v.ok()) << v.Describe() << "; logs in " << dir_.path();
    EXPECT_GT(v.checked, 0u);
    std::cout << "kafka fault test (" << scenario << "): " << v.Describe() << " (" << ledger_.resent
              << " resent)" << std::endl;
  }

  testing::TempDir dir_;
  std::unique_ptr<KafkaMockCluster> mock_;
  std::unique_ptr<ServiceProcess> police_;
  std::unique_ptr<ServiceProcess> mappa_;
  testing::Ledger ledger_;
  const security::CredentialsForRole as_ = testing::TestPki::Get().ForRole();
  testing::LoadLimits limits_{.clients = 4, .subjects = 8, .max_commands = 300,
                              .max_time = absl::Seconds(8)};
};

TEST_F(KafkaFaultTest, BrokerTakenDownAndBroughtBackDuringWrites) {
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread load([&] { testing::RunLoad(police_->address(), as_, limits_, &ledger_, &stop, &sent); });
  const absl::Time give_up = absl::Now() + limits_.max_time;
  for (int broker : {1, 2}) {
    while (absl::Now() < give_up && sent.load() < limits_.max_commands * broker / 3) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    ASSERT_EQ(rd_kafka_mock_broker_set_down(mock_->raw(), broker), RD_KAFKA_RESP_ERR_NO_ERROR);
    absl::SleepFor(absl::Milliseconds(1500));
    ASSERT_EQ(rd_kafka_mock_broker_set_up(mock_->raw(), broker), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  load.join();
  VerifyAndReport("brokers 1 and 2 down for 1.5 s each during writes");
}

TEST_F(KafkaFaultTest, InjectedProduceErrors) {
  // Retriable errors the idempotent producer must ride out, then a disconnect.
  rd_kafka_mock_push_request_errors(
      mock_->raw(), kProduceApiKey, 8, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
      RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR__TRANSPORT,
      RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread load([&] { testing::RunLoad(police_->address(), as_, limits_, &ledger_, &stop, &sent); });
  // Midway, a second volley.
  const absl::Time give_up = absl::Now() + limits_.max_time;
  while (absl::Now() < give_up && sent.load() < limits_.max_commands / 2) absl::SleepFor(absl::Milliseconds(5));
  rd_kafka_mock_push_request_errors(mock_->raw(), kProduceApiKey, 4, RD_KAFKA_RESP_ERR__TRANSPORT,
                                    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                                    RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
  load.join();
  VerifyAndReport("12 produce errors injected");
}

TEST_F(KafkaFaultTest, MappaServiceKilledAndRestartedMidStream) {
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread load([&] { testing::RunLoad(police_->address(), as_, limits_, &ledger_, &stop, &sent); });
  const absl::Time give_up = absl::Now() + limits_.max_time;
  for (int round = 1; round <= 2; ++round) {
    while (absl::Now() < give_up && sent.load() < limits_.max_commands * round / 3) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    mappa_->Kill();
    ASSERT_NO_FATAL_FAILURE(mappa_->Start());
  }
  load.join();
  VerifyAndReport("mappa-service SIGKILLed twice mid-stream");
}

TEST_F(KafkaFaultTest, PoliceServiceKilledWithEventsInItsOutbox) {
  // Every broker away: commands are acknowledged (durable in the police store) but the
  // relay cannot deliver them, so they wait in the outbox.
  ASSERT_EQ(rd_kafka_mock_broker_set_down(mock_->raw(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::atomic<bool> stop{false};
  testing::LoadLimits limits = limits_;
  limits.max_commands = 60;
  testing::RunLoad(police_->address(), as_, limits, &ledger_, &stop);
  safeguard::v1::ServiceStatus before = testing::GetServiceStatus(police_->address(), as_);
  EXPECT_GT(before.outbox_pending(), 0u);
  police_->Kill();
  ASSERT_EQ(rd_kafka_mock_broker_set_up(mock_->raw(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_NO_FATAL_FAILURE(police_->Start());
  // Carry on writing after the restart as well.
  testing::RunLoad(police_->address(), as_, limits, &ledger_, &stop);
  VerifyAndReport(absl::StrCat("police-service SIGKILLed with ", before.outbox_pending(),
                               " events in its outbox"));
  EXPECT_EQ(testing::GetServiceStatus(police_->address(), as_).outbox_pending(), 0u);
}

}  // namespace
}  // namespace safeguard
