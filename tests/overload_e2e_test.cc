// registryd with --max-concurrent-calls: once that many calls are in progress (here: open
// WatchChanges streams, which hold their slot for as long as they are open), a new call gets
// RESOURCE_EXHAUSTED with reason OVERLOADED and a RetryInfo at once; health checks still
// answer; when a slot frees up, calls succeed again.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/catalog/catalog.h"
#include "libs/rpc/errors.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

grpc::ClientContext* Ctx(grpc::ClientContext* ctx) {
  ctx->AddMetadata("x-principal", "registryctl");
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

// Waits (bounded) until /metrics shows exactly `n` calls in progress.
bool AwaitInFlight(const testing::Daemon& d, int n) {
  const std::string want = absl::StrCat("collectonce_rpc_in_flight ", n, "\n");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < give_up) {
    auto m = testing::HttpGet(d.admin_address(), "/metrics");
    if (m.ok() && m->find(want) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(OverloadTest, PastTheLimitCallsAreRefusedAtOnceWithRetryInfo) {
  char tmpl[] = "/tmp/collectonce-overload-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  constexpr int kLimit = 3;
  auto d = testing::Daemon::Start(
      REGISTRYD_BINARY,
      {"--insecure", "--no-sync", "--data-dir", dir + "/data", "--bootstrap-governance",
       "registryctl", "--max-concurrent-calls", std::to_string(kLimit)},
      dir + "/registryd.log");
  ASSERT_TRUE(d.ok()) << d.status();
  auto channel = grpc::CreateChannel(d->grpc_address(), grpc::InsecureChannelCredentials());
  auto gov = v1::GovernanceService::NewStub(channel);
  auto rec = v1::RecordService::NewStub(channel);
  auto apply_catalog = [&]() {
    auto cat = catalog::ParseCatalogText(ReadFile(std::string(COLLECTONCE_SOURCE_DIR) +
                                                  "/deploy/examples/catalog/enterprise.txtpb"));
    EXPECT_TRUE(cat.ok());
    v1::ApplyCatalogRequest req;
    *req.mutable_catalog() = *cat;
    v1::ApplyCatalogResponse resp;
    grpc::ClientContext ctx;
    return gov->ApplyCatalog(Ctx(&ctx), req, &resp);
  };
  {
    grpc::Status s = apply_catalog();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_TRUE(AwaitInFlight(*d, 0));

  // A probe's open health watch is neither counted nor given a slot.
  grpc::ClientContext health_watch_ctx;
  auto health_watch = grpc::health::v1::Health::NewStub(channel)->Watch(
      &health_watch_ctx, grpc::health::v1::HealthCheckRequest());
  {
    grpc::health::v1::HealthCheckResponse first;
    ASSERT_TRUE(health_watch->Read(&first));
    EXPECT_EQ(first.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  ASSERT_TRUE(AwaitInFlight(*d, 0)) << "an open health watch is counted as a call in progress";

  // Fill every slot with an open watch stream.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::WatchChangesResponse>>> watches;
  for (int i = 0; i < kLimit; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->AddMetadata("x-principal", "registryctl");
    v1::WatchChangesRequest req;
    req.set_after_sequence(1 << 30);  // nothing to send: the stream just stays open
    watches.push_back(rec->WatchChanges(contexts.back().get(), req));
    // One at a time, each admitted and counted before the next arrives: on a loaded
    // machine a call's count can outlive its reply for a moment, and a burst could then
    // refuse one of the streams that should fill the slots.
    ASSERT_TRUE(AwaitInFlight(*d, i + 1)) << "stream " << i << " was not admitted";
  }

  // One more: refused at once, with a reason and a retry delay.
  const auto t0 = std::chrono::steady_clock::now();
  grpc::Status refused = apply_catalog();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  rpc::RpcError e = rpc::FromGrpc(refused);
  EXPECT_EQ(e.reason, "OVERLOADED");
  EXPECT_GT(e.retry_delay_ms, 0);
  EXPECT_LT(took, std::chrono::seconds(2));
  // A further watch is refused the same way.
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-principal", "registryctl");
    v1::WatchChangesRequest req;
    auto extra = rec->WatchChanges(&ctx, req);
    v1::WatchChangesResponse ignored;
    EXPECT_FALSE(extra->Read(&ignored));
    EXPECT_EQ(extra->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  // Health checks are never refused.
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status s = grpc::health::v1::Health::NewStub(channel)->Check(
        &ctx, grpc::health::v1::HealthCheckRequest(), &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  auto metrics = testing::HttpGet(d->admin_address(), "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_THAT(*metrics, HasSubstr("# TYPE collectonce_rpc_overload_refused_total counter\n"
                                  "collectonce_rpc_overload_refused_total 2\n"));
  // Only the admitted calls are in flight: the refused ones never held a slot.
  EXPECT_THAT(*metrics, HasSubstr(absl::StrCat("\ncollectonce_rpc_in_flight ", kLimit, "\n")));

  // A slot frees up: calls go through again.
  contexts[0]->TryCancel();
  EXPECT_EQ(watches[0]->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(AwaitInFlight(*d, kLimit - 1));
  grpc::Status again = apply_catalog();
  EXPECT_TRUE(again.ok()) << again.error_message();

  for (int i = 1; i < kLimit; ++i) {
    contexts[i]->TryCancel();
    watches[i]->Finish();
  }
  watches.clear();
  health_watch_ctx.TryCancel();
  health_watch->Finish();
  gov.reset();
  rec.reset();
  channel.reset();
  auto st = d->Stop(SIGTERM, std::chrono::seconds(10));
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_TRUE(WIFEXITED(*st));
  std::filesystem::remove_all(dir);
}

// reuse-gatewayd with --max-concurrent-calls 1 in front of a "registry" that accepts TCP
// connections and never answers: the first PrefillForm holds the only slot while it waits
// for the registry, the second is refused at once with OVERLOADED; once the first has given
// up, the slot is free again.
TEST(OverloadTest, GatewayRefusesPastItsLimitWhileTheRegistryStalls) {
  char tmpl[] = "/tmp/collectonce-overload-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const int silent = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(silent, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(silent, 16), 0);  // never accepted: connections complete, nothing answers
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(silent, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string registry = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));

  auto g = testing::Daemon::Start(
      GATEWAYD_BINARY, {"--insecure", "--registry", registry, "--max-concurrent-calls", "1"},
      dir + "/reuse-gatewayd.log");
  ASSERT_TRUE(g.ok()) << g.status();
  auto channel = grpc::CreateChannel(g->grpc_address(), grpc::InsecureChannelCredentials());
  auto gw = gateway::v1::ReuseGateway::NewStub(channel);
  auto prefill = [&](grpc::ClientContext* ctx, gateway::v1::PrefillFormResponse* resp) {
    ctx->AddMetadata("x-principal", "spiffe://sanming.gov.cn/approval/market-regulation");
    gateway::v1::PrefillFormRequest req;
    req.set_form("matters/legal-representative-change");
    req.set_subject("enterprises/91350400MA2YQ8KX1E");
    return gw->PrefillForm(ctx, req, resp);
  };
  ASSERT_TRUE(AwaitInFlight(*g, 0));

  // The first call stalls on the registry for its whole (2 s) deadline.
  std::thread first([&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    gateway::v1::PrefillFormResponse resp;
    grpc::Status s = prefill(&ctx, &resp);
    EXPECT_FALSE(s.ok());
  });
  ASSERT_TRUE(AwaitInFlight(*g, 1));
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    gateway::v1::PrefillFormResponse resp;
    const auto t0 = std::chrono::steady_clock::now();
    grpc::Status s = prefill(&ctx, &resp);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    EXPECT_EQ(rpc::FromGrpc(s).reason, "OVERLOADED");
  }
  first.join();
  ASSERT_TRUE(AwaitInFlight(*g, 0));
  {
    // The slot is free: the next call is admitted (and fails only on the silent registry).
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    gateway::v1::PrefillFormResponse resp;
    grpc::Status s = prefill(&ctx, &resp);
    EXPECT_NE(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  }
  auto metrics = testing::HttpGet(g->admin_address(), "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_THAT(*metrics, HasSubstr("collectonce_rpc_overload_refused_total 1\n"));
  gw.reset();
  channel.reset();
  auto st = g->Stop(SIGTERM, std::chrono::seconds(20));
  ASSERT_TRUE(st.ok()) << st.status();
  close(silent);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace collectonce
