// The process's figures in Prometheus's text format: each metric one block with its HELP
// and TYPE, labelled samples escaped, histograms cumulative, collectors' samples merged
// into the block of their name, and values that read back exactly.
#include "common/metrics/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_split.h"
#include "common/logging.h"

namespace safeguard::metrics {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, EachMetricIsOneBlockWithItsHelpTypeAndEscapedLabels) {
  Registry r;
  r.AddCounter("safeguard_widgets_total", "Widgets made.", {"colour"}).With({"red \"dark\"\\\n"}).Add(2);
  r.AddCounter("safeguard_widgets_total", "Widgets made.", {"colour"}).With({"blue"}).Add();
  r.AddGauge("safeguard_queue", "Queued.").With({}).Set(3.5);
  const std::string text = r.Render();
  EXPECT_EQ(text,
            "# HELP safeguard_queue Queued.\n"
            "# TYPE safeguard_queue gauge\n"
            "safeguard_queue 3.5\n"
            "# HELP safeguard_widgets_total Widgets made.\n"
            "# TYPE safeguard_widgets_total counter\n"
            "safeguard_widgets_total{colour=\"blue\"} 1\n"
            "safeguard_widgets_total{colour=\"red \\\"dark\\\"\\\\\\n\"} 2\n");
}

TEST(MetricsTest, AHistogramCountsCumulativelyWithItsSumAndCount) {
  Registry r;
  Family<Histogram>& h = r.AddHistogram("safeguard_call_seconds", "Calls.", {"method"}, {0.1, 1});
  h.With({"Get"}).Observe(0.05);
  h.With({"Get"}).Observe(0.5);
  h.With({"Get"}).Observe(5);
  const std::string text = r.Render();
  EXPECT_THAT(text, HasSubstr("safeguard_call_seconds_bucket{method=\"Get\",le=\"0.1\"} 1\n"
                              "safeguard_call_seconds_bucket{method=\"Get\",le=\"1\"} 2\n"
                              "safeguard_call_seconds_bucket{method=\"Get\",le=\"+Inf\"} 3\n"
                              "safeguard_call_seconds_sum{method=\"Get\"} 5.55\n"
                              "safeguard_call_seconds_count{method=\"Get\"} 3\n"))
      << text;
}

TEST(MetricsTest, CollectorsSamplesJoinTheBlockOfTheirNameAndStopWithTheirHandle) {
  Registry r;
  auto police = r.AddCollector([](Sink& s) { s.Gauge("safeguard_pending", "Pending.", {{"service", "police"}}, 4); });
  auto mappa = r.AddCollector([](Sink& s) { s.Gauge("safeguard_pending", "Pending.", {{"service", "mappa"}}, 0); });
  std::string text = r.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE safeguard_pending gauge\n"
                              "safeguard_pending{service=\"police\"} 4\n"
                              "safeguard_pending{service=\"mappa\"} 0\n"));
  EXPECT_EQ(text.find("# HELP safeguard_pending"), text.rfind("# HELP safeguard_pending")) << "one block only";
  police.reset();
  text = r.Render();
  EXPECT_THAT(text, Not(HasSubstr("police")));
  EXPECT_THAT(text, HasSubstr("safeguard_pending{service=\"mappa\"} 0\n"));
}

TEST(MetricsTest, ACollectorMayLogWithoutDeadlock) {
  Registry& r = Registry::Process();
  auto handle = r.AddCollector([](Sink& s) {
    logging::Warning("a collector's warning");  // counts a record: adds a metric
    s.Gauge("safeguard_collector_logged", "Logged.", {}, 1);
  });
  EXPECT_THAT(r.Render(), HasSubstr("safeguard_collector_logged 1\n"));
}

TEST(MetricsTest, ValuesReadBackExactly) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(123456789012), "123456789012");
  EXPECT_EQ(FormatValue(0.29), "0.29");
  EXPECT_EQ(FormatValue(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(LoggingTest, JsonTextIsEscaped) {
  EXPECT_EQ(logging::JsonEscape("say \"hi\"\\\n\t\x01"), "say \\\"hi\\\"\\\\\\n\\t\\u0001");
  EXPECT_EQ(logging::JsonEscape("caf\xc3\xa9"), "caf\xc3\xa9");    // UTF-8 kept
  EXPECT_EQ(logging::JsonEscape("bad \xff"), "bad \\u00ff");      // not UTF-8: escaped
}

TEST(LoggingTest, ARecordIsOneJsonObjectWithTimeLevelComponentMessageAndFields) {
  logging::Init("test-service", logging::Format::kJson);
  ::testing::internal::CaptureStderr();
  logging::Info("a \"quoted\" message", {{"method", "safeguard.v1.PoliceService/RecordConviction"},
                                         {"duration_ms", 1.5},
                                         {"events", int64_t{3}}});
  const std::string line = ::testing::internal::GetCapturedStderr();
  logging::Init("safeguard", logging::Format::kText);
  EXPECT_THAT(line, ContainsRegex("^\\{\"time\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\",\"level\":\"info\","
                                  "\"component\":\"test-service\",\"message\":\"a \\\\\"quoted\\\\\" message\","
                                  "\"method\":\"safeguard.v1.PoliceService/RecordConviction\","
                                  "\"duration_ms\":1.5,\"events\":3\\}\n$"))
      << line;
}

TEST(LoggingTest, ReferencesToPeopleAreReplacedByADigest) {
  const std::string once = logging::Redact("stream police/pnc:2019/0012345X is missing version 4");
  EXPECT_THAT(once, ::testing::MatchesRegex("stream police/<ref [0-9a-f]{12}> is missing version 4"));
  EXPECT_EQ(logging::Redact("again police/pnc:2019/0012345X"), "again police/" + once.substr(14, 18));
  EXPECT_THAT(logging::Redact("record probation:X123456, and childrens:CS-1 (and email:a@b.example)"),
              ::testing::MatchesRegex("record <ref [0-9a-f]{12}>, and <ref [0-9a-f]{12}> \\(and <ref [0-9a-f]{12}>\\)"));
  EXPECT_EQ(logging::Redact("a call: safeguard.v1.PoliceService/RecordConviction OK"),
            "a call: safeguard.v1.PoliceService/RecordConviction OK");
}

TEST(LoggingTest, LogFormatIsJsonOrText) {
  EXPECT_TRUE(logging::ParseFormat("json").ok());
  EXPECT_TRUE(logging::ParseFormat("TEXT").ok());
  absl::StatusOr<logging::Format> bad = logging::ParseFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("--log_format"));
}

}  // namespace
}  // namespace safeguard::metrics
