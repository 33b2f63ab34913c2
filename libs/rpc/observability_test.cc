// Logs, traces and metrics rendering, without a server.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/rpc/log.h"
#include "libs/rpc/metrics.h"
#include "libs/rpc/trace.h"
#include "nlohmann/json.hpp"

namespace collectonce::rpc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kTime = absl::FromUnixMillis(1795746679123);  // 2026-11-27T02:31:19.123Z

TEST(MaskDigitRunsTest, MasksIdAndPhoneNumbersKeepsShortNumbers) {
  EXPECT_EQ(MaskDigitRuns("id 35040319450312001X ok"), "id 350*************1X ok");
  EXPECT_EQ(MaskDigitRuns("13859871234"), "138******34");
  EXPECT_EQ(MaskDigitRuns("revision 42 of 1234567890"), "revision 42 of 1234567890");
  EXPECT_EQ(MaskDigitRuns("127.0.0.1:7400"), "127.0.0.1:7400");
  EXPECT_EQ(MaskDigitRuns(""), "");
}

TEST(LoggerTest, JsonLineHasFieldsEscapedAndMasked) {
  Logger log("registryd", LogFormat::kJson);
  std::string line =
      log.Format(LogLevel::kWarning, "say \"hi\"\n",
                 {{"principal", "spiffe://x"},
                  {"duration_ms", 1.5},
                  {"count", 3},
                  {"error", "no person 350403194503120012"},
                  LogField::Verbatim("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")},
                 kTime);
  EXPECT_EQ(line,
            "{\"time\":\"2026-11-27T02:31:19.123Z\",\"level\":\"warning\",\"component\":"
            "\"registryd\",\"msg\":\"say \\\"hi\\\"\\n\",\"principal\":\"spiffe://x\","
            "\"duration_ms\":1.500,\"count\":3,\"error\":\"no person 350*************12\","
            "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}");
}

// A field may carry bytes a caller sent: what is not UTF-8 becomes U+FFFD, control
// characters are escaped, and the line parses as JSON.
TEST(LoggerTest, JsonLineStaysValidJsonForBytesThatAreNotUtf8) {
  Logger log("registryd", LogFormat::kJson);
  std::string line = log.Format(LogLevel::kWarning, std::string("bad \xff\xfe name"),
                                {{"principal", std::string("spiffe://\xc3(x")},
                                 {"path", std::string("a\x01"
                                                      "b 三明")}},
                                kTime);
  EXPECT_EQ(line,
            "{\"time\":\"2026-11-27T02:31:19.123Z\",\"level\":\"warning\",\"component\":"
            "\"registryd\",\"msg\":\"bad \xef\xbf\xbd\xef\xbf\xbd name\",\"principal\":"
            "\"spiffe://\xef\xbf\xbd(x\",\"path\":\"a\\u0001b 三明\"}");
  EXPECT_FALSE(nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false).is_discarded());
}

TEST(LoggerTest, VerbatimIdsAreNotMasked) {
  Logger log("x", LogFormat::kJson);
  std::string line = log.Format(LogLevel::kInfo, "m",
                                {LogField::Verbatim("trace_id", "12345678901234567890")}, kTime);
  EXPECT_THAT(line, HasSubstr("12345678901234567890"));
}

TEST(LoggerTest, TextLineIsReadable) {
  Logger log("reuse-gatewayd", LogFormat::kText);
  EXPECT_EQ(log.Format(LogLevel::kInfo, "serving", {{"a", "b c"}, {"n", 2}}, kTime),
            "2026-11-27T02:31:19.123Z INFO reuse-gatewayd: serving a=\"b c\" n=2");
}

TEST(LogFormatTest, Parses) {
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(ParseLogFormat("xml").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TraceContextTest, ParsesTheSpecificationExample) {
  auto t = TraceContext::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(t->sampled);
  EXPECT_EQ(t->Traceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST(TraceContextTest, RejectsMalformedHeaders) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
       }) {
    EXPECT_FALSE(TraceContext::Parse(bad).has_value()) << bad;
  }
  // A later version may carry more fields.
  EXPECT_TRUE(TraceContext::Parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"));
}

TEST(TraceContextTest, ChildKeepsTraceAndPointsAtParent) {
  TraceContext root = TraceContext::Start();
  EXPECT_EQ(root.trace_id.size(), 32u);
  EXPECT_EQ(root.span_id.size(), 16u);
  TraceContext child = root.Child();
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_EQ(child.parent_span_id, root.span_id);
  EXPECT_NE(child.span_id, root.span_id);
  auto parsed = TraceContext::Parse(child.Traceparent());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->span_id, child.span_id);
}

TEST(RpcMetricsTest, LatencyIsByMethodAndCode) {
  RpcMetrics m;
  m.Record("/a.B/C", 0, 0.002);
  m.Record("/a.B/C", 5, 0.2);
  m.AddGauge("collectonce_x_bytes", "X.", [] { return 7.0; });
  m.AddCounterFunction("collectonce_y_total", "Y.", [] { return 2.0; });
  std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("collectonce_rpc_requests_total{method=\"/a.B/C\",code=\"OK\"} 1"));
  EXPECT_THAT(text, HasSubstr("collectonce_rpc_latency_seconds_bucket{method=\"/a.B/C\",code="
                              "\"NOT_FOUND\",le=\"0.25\"} 1"));
  EXPECT_THAT(text, HasSubstr("collectonce_rpc_latency_seconds_bucket{method=\"/a.B/C\",code="
                              "\"OK\",le=\"0.0025\"} 1"));
  EXPECT_THAT(text, HasSubstr("# TYPE collectonce_x_bytes gauge\ncollectonce_x_bytes 7\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE collectonce_y_total counter\ncollectonce_y_total 2\n"));
  EXPECT_THAT(text, Not(HasSubstr("code=\"NOT_FOUND\",le=\"0.1\"} 1")));
}

TEST(RpcMetricsTest, AnotherPrefixNamesAnotherFamily) {
  RpcMetrics m("collectonce_gateway_registry", "Calls to the registry");
  m.Record("/a.B/C", 14, 0.01);
  std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("# HELP collectonce_gateway_registry_requests_total Calls to the "
                              "registry, by method and status code.\n"));
  EXPECT_THAT(text, HasSubstr("collectonce_gateway_registry_requests_total{method=\"/a.B/C\","
                              "code=\"UNAVAILABLE\"} 1"));
  EXPECT_THAT(text, HasSubstr("collectonce_gateway_registry_latency_seconds_count{method=\"/a.B/"
                              "C\",code=\"UNAVAILABLE\"} 1"));
  EXPECT_THAT(text, Not(HasSubstr("collectonce_rpc_")));
}

}  // namespace
}  // namespace collectonce::rpc
