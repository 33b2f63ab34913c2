// Observability of the real daemons: /metrics of registryd and reuse-gatewayd pass
// `promtool check metrics` and carry the documented series; every log line is JSON with
// the access-log fields; a W3C traceparent sent to the gateway shows up, with the same
// trace id, in the gateway's and the registry's log lines.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
namespace gw = ::collectonce::gateway::v1;
using ::testing::HasSubstr;
using ::testing::Not;

const char kExamples[] = COLLECTONCE_SOURCE_DIR "/deploy/examples";
const char kSteel[] = "enterprises/91350400MA2YQ8KX1E";
const char kMarket[] = "spiffe://sanming.gov.cn/approval/market-regulation";
const char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
const char kCallerSpan[] = "00f067aa0ba902b7";
const char kIdNumber[] = "350403194503120012";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    out.emplace_back(l);
  }
  return out;
}

// The value of a string field in a JSON log line ("" when absent).
std::string Field(const std::string& line, const std::string& key) {
  std::smatch m;
  std::regex re(absl::StrCat("\"", key, "\":\"([^\"]*)\""));
  return std::regex_search(line, m, re) ? m[1].str() : "";
}

// The value of an unlabelled series (-1 when absent).
double Value(const std::string& metrics, const std::string& name) {
  std::smatch m;
  std::regex re(absl::StrCat("\n", name, " ([0-9.e+]+)\n"));
  return std::regex_search(metrics, m, re) ? std::stod(m[1].str()) : -1;
}

// A daemon that served calls has spent CPU, holds memory and sockets, and started in the
// last hour; the open descriptors are below their limit.
void ExpectPlausibleProcessFigures(const std::string& metrics) {
  EXPECT_GT(Value(metrics, "process_cpu_seconds_total"), 0);
  EXPECT_GT(Value(metrics, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(Value(metrics, "process_virtual_memory_bytes"),
            Value(metrics, "process_resident_memory_bytes"));
  EXPECT_GT(Value(metrics, "process_open_fds"), 3);
  EXPECT_LT(Value(metrics, "process_open_fds"), Value(metrics, "process_max_fds"));
  const double now = static_cast<double>(time(nullptr));
  EXPECT_GT(Value(metrics, "process_start_time_seconds"), now - 3600);
  EXPECT_LE(Value(metrics, "process_start_time_seconds"), now + 1);
}

class ObservabilityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/collectonce-obs-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    auto r = testing::Daemon::Start(REGISTRYD_BINARY,
                                    {"--insecure", "--no-sync", "--data-dir", *dir_ + "/data",
                                     "--bootstrap-governance", "registryctl"},
                                    *dir_ + "/registryd.log");
    ASSERT_TRUE(r.ok()) << r.status();
    registry_ = new testing::Daemon(*std::move(r));
    auto g = testing::Daemon::Start(GATEWAYD_BINARY,
                                    {"--insecure", "--registry", registry_->grpc_address()},
                                    *dir_ + "/gateway.log");
    ASSERT_TRUE(g.ok()) << g.status();
    gateway_ = new testing::Daemon(*std::move(g));
    const std::string ctl =
        absl::StrCat("REGISTRYCTL_REGISTRY=", registry_->grpc_address(), " ", REGISTRYCTL_BINARY);
    for (const std::string& args :
         {absl::StrCat("catalog apply -f ", kExamples, "/catalog/enterprise.txtpb"),
          absl::StrCat("catalog apply -f ", kExamples, "/catalog/person.txtpb"),
          absl::StrCat("matter apply -f ", kExamples, "/matters"),
          absl::StrCat("bundle apply -f ", kExamples, "/bundles"),
          absl::StrCat("principal apply -f ", kExamples, "/principals"),
          absl::StrCat("import --kind enterprise ", kExamples,
                       "/demo/enterprises.csv --source market-regulation --report ", *dir_,
                       "/import-report.txt")}) {
      testing::ShellResult r = testing::RunShell(absl::StrCat(ctl, " ", args));
      ASSERT_EQ(r.exit_code, 0) << args << ": " << r.out;
    }
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete registry_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  grpc::Status Prefill(const std::string& form, const std::string& subject,
                       const std::string& id_number,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
    auto ch = grpc::CreateChannel(gateway_->grpc_address(), grpc::InsecureChannelCredentials());
    auto stub = gw::ReuseGateway::NewStub(ch);
    gw::PrefillFormRequest req;
    req.set_form(form);
    req.set_subject(subject);
    req.set_id_number(id_number);
    req.set_case_id("SM-2026-0001");
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-principal", kMarket);
    for (const auto& [k, v] : headers) ctx.AddMetadata(k, v);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    gw::PrefillFormResponse out;
    return stub->PrefillForm(&ctx, req, &out);
  }

  // Scrapes /metrics, checks it with promtool and returns it.
  static std::string ScrapeAndCheck(const testing::Daemon& d, const std::string& name) {
    auto m = testing::HttpGet(d.admin_address(), "/metrics");
    EXPECT_TRUE(m.ok()) << m.status();
    if (!m.ok()) return "";
    EXPECT_EQ(m->substr(0, 4), "200 ");
    const std::string body = m->substr(4);
    const std::string path = absl::StrCat(*dir_, "/", name, ".prom");
    std::ofstream(path) << body;
    testing::ShellResult check = testing::RunShell(absl::StrCat("promtool check metrics < ", path));
    EXPECT_EQ(check.exit_code, 0) << name << ":\n" << check.out << "\n" << body;
    return body;
  }

  static std::string* dir_;
  static testing::Daemon* registry_;
  static testing::Daemon* gateway_;
};

std::string* ObservabilityTest::dir_ = nullptr;
testing::Daemon* ObservabilityTest::registry_ = nullptr;
testing::Daemon* ObservabilityTest::gateway_ = nullptr;

TEST_F(ObservabilityTest, MetricsOfBothDaemonsPassPromtoolAndCarryTheKeySeries) {
  ASSERT_TRUE(Prefill("matters/legal-representative-change", kSteel, "", {}).ok());
  EXPECT_EQ(Prefill("matters/no-such-matter", kSteel, "", {}).error_code(),
            grpc::StatusCode::NOT_FOUND);

  const std::string reg = ScrapeAndCheck(*registry_, "registryd");
  for (const char* series : {
           "collectonce_rpc_requests_total{method=\"/collectonce.registry.v1.RecordService/"
           "GetRecord\",code=\"OK\"} ",
           "collectonce_rpc_latency_seconds_bucket{method=\"/collectonce.registry.v1."
           "RecordService/GetRecord\",code=\"OK\",le=\"+Inf\"} ",
           "collectonce_rpc_requests_total{method=\"/collectonce.registry.v1.GovernanceService/"
           "GetMatter\",code=\"NOT_FOUND\"} 1",
           "\ncollectonce_store_commit_sequence ",
           "\ncollectonce_audit_log_size ",
           "\ncollectonce_store_healthy 1\n",
           "\ncollectonce_rocksdb_live_data_bytes ",
           "\ncollectonce_rocksdb_sst_files_bytes ",
           "\ncollectonce_rocksdb_memtable_bytes ",
           "\ncollectonce_rocksdb_block_cache_usage_bytes ",
           "\ncollectonce_rocksdb_block_cache_capacity_bytes 268435456\n",
           "\ncollectonce_rocksdb_pending_compaction_bytes ",
           "\ncollectonce_rocksdb_estimated_keys ",
           "\ncollectonce_rocksdb_background_errors_total 0\n",
           "\ncollectonce_build_info{component=\"registryd\",version=\"",
           "# TYPE collectonce_rpc_overload_refused_total counter\n"
           "collectonce_rpc_overload_refused_total 0\n",
           "\ncollectonce_rpc_in_flight ",
           "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ",
           "\nprocess_resident_memory_bytes ",
           "\nprocess_virtual_memory_bytes ",
           "\nprocess_open_fds ",
           "\nprocess_max_fds ",
           "\nprocess_start_time_seconds ",
       }) {
    EXPECT_THAT(reg, HasSubstr(series));
  }
  ExpectPlausibleProcessFigures(reg);
  // The imports wrote keys, and RocksDB counts them.
  EXPECT_THAT(reg, Not(HasSubstr("\ncollectonce_rocksdb_estimated_keys 0\n")));

  const std::string gwm = ScrapeAndCheck(*gateway_, "gateway");
  for (const char* series : {
           "collectonce_rpc_requests_total{method=\"/collectonce.gateway.v1.ReuseGateway/"
           "PrefillForm\",code=\"OK\"} ",
           "collectonce_rpc_requests_total{method=\"/collectonce.gateway.v1.ReuseGateway/"
           "PrefillForm\",code=\"NOT_FOUND\"} 1",
           "collectonce_rpc_latency_seconds_count{method=\"/collectonce.gateway.v1.ReuseGateway/"
           "PrefillForm\",code=\"NOT_FOUND\"} 1",
           "collectonce_gateway_forms_served_total{form=\"matters/legal-representative-change\"}",
           "\ncollectonce_gateway_reuse_report_failures_total ",
           // The gateway's own view of its registry calls.
           "collectonce_gateway_registry_requests_total{method=\"/collectonce.registry.v1."
           "RecordService/GetRecord\",code=\"OK\"} ",
           // A missing matter is looked up twice: as the gateway, then as the caller.
           "collectonce_gateway_registry_requests_total{method=\"/collectonce.registry.v1."
           "GovernanceService/GetMatter\",code=\"NOT_FOUND\"} 2",
           "collectonce_gateway_registry_latency_seconds_bucket{method=\"/collectonce.registry."
           "v1.RecordService/GetRecord\",code=\"OK\",le=\"5\"} ",
           "\ncollectonce_build_info{component=\"reuse-gatewayd\",version=\"",
           "\ncollectonce_rpc_overload_refused_total 0\n",
           "\nprocess_resident_memory_bytes ",
           "\nprocess_open_fds ",
       }) {
    EXPECT_THAT(gwm, HasSubstr(series));
  }
  ExpectPlausibleProcessFigures(gwm);
}

TEST_F(ObservabilityTest, TraceparentTravelsFromTheGatewayToTheRegistryLog) {
  const std::string traceparent = absl::StrCat("00-", kTraceId, "-", kCallerSpan, "-01");
  grpc::Status s =
      Prefill("matters/legal-representative-change", kSteel, "", {{"traceparent", traceparent}});
  ASSERT_TRUE(s.ok()) << s.error_message();

  // Access lines are written before the status is sent, so both are there now.
  std::string gateway_span;
  for (const auto& line : Lines(gateway_->Log())) {
    if (Field(line, "trace_id") == kTraceId) {
      EXPECT_EQ(Field(line, "method"), "/collectonce.gateway.v1.ReuseGateway/PrefillForm");
      EXPECT_EQ(Field(line, "parent_span_id"), kCallerSpan);
      EXPECT_EQ(Field(line, "principal"), kMarket);
      EXPECT_EQ(Field(line, "code"), "OK");
      gateway_span = Field(line, "span_id");
    }
  }
  ASSERT_EQ(gateway_span.size(), 16u) << gateway_->Log();
  EXPECT_NE(gateway_span, kCallerSpan);

  bool registry_saw_it = false;
  for (const auto& line : Lines(registry_->Log())) {
    if (Field(line, "trace_id") != kTraceId) continue;
    if (Field(line, "method") != "/collectonce.registry.v1.RecordService/GetRecord") continue;
    registry_saw_it = true;
    // The registry's span is a child of the gateway's.
    EXPECT_EQ(Field(line, "parent_span_id"), gateway_span);
    EXPECT_EQ(Field(line, "principal"), "spiffe://sanming.gov.cn/reuse-gateway");
    EXPECT_EQ(Field(line, "on_behalf_of"), kMarket);
  }
  EXPECT_TRUE(registry_saw_it) << registry_->Log();
}

TEST_F(ObservabilityTest, CallsWithoutTraceparentStartATrace) {
  ASSERT_TRUE(Prefill("matters/legal-representative-change", kSteel, "",
                      {{"x-request-id", "start-a-trace-1"}})
                  .ok());
  std::string trace;
  for (const auto& line : Lines(gateway_->Log())) {
    if (Field(line, "request_id") == "start-a-trace-1") {
      trace = Field(line, "trace_id");
      EXPECT_EQ(Field(line, "parent_span_id"), "");
    }
  }
  ASSERT_EQ(trace.size(), 32u) << gateway_->Log();
  EXPECT_THAT(registry_->Log(), HasSubstr(absl::StrCat("\"trace_id\":\"", trace, "\"")));
}

TEST_F(ObservabilityTest, EveryLogLineIsJsonAndNoIdNumberIsLoggedWhole) {
  // The ID number travels in the request and, deliberately, in the request id header.
  Prefill("matters/social-insurance-enrollment", "", kIdNumber,
          {{"x-request-id", absl::StrCat("case-", kIdNumber)}});
  bool saw_masked = false;
  for (const auto* d : {gateway_, registry_}) {
    const std::string log = d->Log();
    EXPECT_THAT(log, Not(HasSubstr(kIdNumber)));
    EXPECT_THAT(log, HasSubstr("serving gRPC on "));
    for (const auto& line : Lines(log)) {
      EXPECT_EQ(line.rfind("{\"time\":\"", 0), 0u) << line;
      EXPECT_EQ(line.back(), '}') << line;
      EXPECT_THAT(line, HasSubstr("\"level\":\""));
      EXPECT_THAT(line, HasSubstr("\"msg\":\""));
      if (Field(line, "msg") == "rpc") {
        for (const char* key : {"request_id", "principal", "method", "code", "trace_id"}) {
          EXPECT_THAT(line, HasSubstr(absl::StrCat("\"", key, "\":\""))) << line;
        }
        EXPECT_THAT(line, HasSubstr("\"duration_ms\":")) << line;
      }
      if (Field(line, "request_id") == "case-350*************12") saw_masked = true;
    }
  }
  EXPECT_TRUE(saw_masked) << gateway_->Log();
}

}  // namespace
}  // namespace collectonce
