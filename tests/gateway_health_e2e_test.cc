// What a balancer sees of reuse-gatewayd while its registry is down: readiness (/readyz and
// grpc.health.v1) fails within seconds, liveness (/healthz) stays 200.
#include <sys/wait.h>

#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

using HealthStatus = grpc::health::v1::HealthCheckResponse;

// The gateway's gRPC health status (UNKNOWN when the call fails).
HealthStatus::ServingStatus GrpcHealth(const testing::Daemon& gateway) {
  auto channel = grpc::CreateChannel(gateway.grpc_address(), grpc::InsecureChannelCredentials());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  HealthStatus resp;
  grpc::Status s = grpc::health::v1::Health::NewStub(channel)->Check(
      &ctx, grpc::health::v1::HealthCheckRequest(), &resp);
  return s.ok() ? resp.status() : HealthStatus::UNKNOWN;
}

// Waits (bounded) until /readyz answers with `code` and gRPC health with `status`.
bool AwaitReadiness(const testing::Daemon& gateway, int code, HealthStatus::ServingStatus status) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < give_up) {
    auto ready = testing::HttpGet(gateway.admin_address(), "/readyz");
    if (ready.ok() && ready->rfind(absl::StrCat(code, " "), 0) == 0 &&
        GrpcHealth(gateway) == status) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(GatewayHealthTest, ReadinessFollowsTheRegistryLivenessDoesNot) {
  char tmpl[] = "/tmp/collectonce-gwhealth-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  auto registry = testing::Daemon::Start(REGISTRYD_BINARY,
                                         {"--insecure", "--no-sync", "--data-dir", dir + "/data",
                                          "--bootstrap-governance", "registryctl"},
                                         dir + "/registryd.log");
  ASSERT_TRUE(registry.ok()) << registry.status();
  const std::string registry_address = registry->grpc_address();
  auto gateway = testing::Daemon::Start(
      GATEWAYD_BINARY, {"--insecure", "--registry", registry_address}, dir + "/gateway.log");
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  EXPECT_TRUE(AwaitReadiness(*gateway, 200, HealthStatus::SERVING));

  auto stopped = registry->Stop(SIGTERM);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_TRUE(AwaitReadiness(*gateway, 503, HealthStatus::NOT_SERVING))
      << "the gateway still reports ready with its registry down";
  auto ready = testing::HttpGet(gateway->admin_address(), "/readyz");
  ASSERT_TRUE(ready.ok());
  EXPECT_THAT(*ready, ::testing::HasSubstr("registry"));
  auto live = testing::HttpGet(gateway->admin_address(), "/healthz");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(*live, "200 ok\n");

  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace collectonce
