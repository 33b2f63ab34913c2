#include "libs/rpc/process_metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace collectonce::rpc {
namespace {

using ::testing::HasSubstr;

// Fields are counted after the last ')': a command name with spaces and parentheses does
// not shift them.
TEST(ProcessMetricsTest, ParsesProcStatAfterTheCommandName) {
  const std::string stat =
      "4242 (registry d) (x)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 150 0 0 20 0 9 0 "
      "123456 1073741824 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
  internal::ProcStat s;
  ASSERT_TRUE(internal::ParseProcStat(stat, 100, 4096, &s));
  EXPECT_DOUBLE_EQ(s.cpu_seconds, 4.0);  // (250 + 150) / 100
  EXPECT_DOUBLE_EQ(s.start_ticks, 123456);
  EXPECT_DOUBLE_EQ(s.virtual_bytes, 1073741824);
  EXPECT_DOUBLE_EQ(s.resident_bytes, 2048.0 * 4096);
  EXPECT_FALSE(internal::ParseProcStat("4242 (short) S 1 2 3", 100, 4096, &s));
  EXPECT_FALSE(internal::ParseProcStat("no parenthesis", 100, 4096, &s));
}

TEST(ProcessMetricsTest, RendersBuildInfoAndProcessSeries) {
  RpcMetrics metrics;
  AddProcessMetrics(&metrics, "registryd");
  Admission admission(2);
  AddAdmissionMetrics(&metrics, &admission);
  const std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr(std::string("\ncollectonce_build_info{component=\"registryd\","
                                          "version=\"") +
                              BuildVersion() + "\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_open_fds gauge\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE collectonce_rpc_overload_refused_total counter\n"
                              "collectonce_rpc_overload_refused_total 0\n"));
  EXPECT_THAT(text, HasSubstr("\ncollectonce_rpc_in_flight 0\n"));
  EXPECT_STRNE(BuildVersion(), "unknown");
}

}  // namespace
}  // namespace collectonce::rpc
