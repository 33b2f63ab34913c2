// The real registryd binary on an ephemeral loopback port.
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
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

class RegistrydTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-e2e-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  testing::Daemon StartRegistry() {
    auto d = testing::Daemon::Start(
        REGISTRYD_BINARY,
        {"--insecure", "--data-dir", dir_ + "/data", "--bootstrap-governance", "registryctl"},
        dir_ + "/registryd.log");
    EXPECT_TRUE(d.ok()) << d.status();
    return *std::move(d);
  }
  grpc::ClientContext* Ctx(grpc::ClientContext* ctx) {
    ctx->AddMetadata("x-principal", "registryctl");
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }
  std::string dir_;
};

TEST_F(RegistrydTest, ServesHealthAdminAndRecordsAndStopsCleanlyOnSigterm) {
  testing::Daemon d = StartRegistry();
  auto channel = grpc::CreateChannel(d.grpc_address(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest hreq;
  grpc::health::v1::HealthCheckResponse hresp;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(health->Check(Ctx(&ctx), hreq, &hresp).ok());
    EXPECT_EQ(hresp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  auto healthz = testing::HttpGet(d.admin_address(), "/healthz");
  ASSERT_TRUE(healthz.ok()) << healthz.status();
  EXPECT_EQ(*healthz, "200 ok\n");

  auto gov = v1::GovernanceService::NewStub(channel);
  auto rec = v1::RecordService::NewStub(channel);
  auto cat = catalog::ParseCatalogText(
      ReadFile(std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples/catalog/enterprise.txtpb"));
  ASSERT_TRUE(cat.ok());
  {
    v1::ApplyCatalogRequest req;
    *req.mutable_catalog() = *cat;
    v1::ApplyCatalogResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = gov->ApplyCatalog(Ctx(&ctx), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::UpdateRecordRequest up;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"tp(
    name: "enterprises/91350400MA2YQ8KX1E" provenance { source: "market-regulation" }
    values { key: "name" value { string_value: "福建省钢源粉体材料有限公司" } }
    values { key: "registered_capital" value { decimal_value: "5000" } })tp",
                                                            &up));
  {
    v1::UpdateRecordResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = rec->UpdateRecord(Ctx(&ctx), up, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.record().revision(), 1);
  }
  // A bad check character in the name: INVALID_ARGUMENT, nothing written.
  up.set_name("enterprises/91350400MA2YQ8KX1F");
  {
    v1::UpdateRecordResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = rec->UpdateRecord(Ctx(&ctx), up, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("check character"));
  }
  auto metrics = testing::HttpGet(d.admin_address(), "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_THAT(
      *metrics,
      HasSubstr("collectonce_rpc_requests_total{method=\"/collectonce.registry.v1.RecordService/"
                "UpdateRecord\",code=\"INVALID_ARGUMENT\"} 1"));
  EXPECT_THAT(*metrics, HasSubstr("collectonce_store_commit_sequence 1"));

  // Clients go away first: an idle client with no thread polling its channel would only
  // see the server's GOAWAY at its next backup poll (5 s), holding up the drain.
  gov.reset();
  rec.reset();
  health.reset();
  channel.reset();
  auto status = d.Stop(SIGTERM, std::chrono::seconds(3));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_THAT(d.Log(), HasSubstr("stopped"));

  // Everything acknowledged is there after a restart.
  testing::Daemon again = StartRegistry();
  auto channel2 = grpc::CreateChannel(again.grpc_address(), grpc::InsecureChannelCredentials());
  auto rec2 = v1::RecordService::NewStub(channel2);
  auto gov2 = v1::GovernanceService::NewStub(channel2);
  v1::Matter matter;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"tp(
    name: "matters/governance-enterprise" title: "数据治理核查" subject_kind: ENTERPRISE
    purpose: "核查" form_fields { key: "a" catalog_field: "name" use: PREFILL })tp",
                                                            &matter));
  {
    v1::ApplyMatterRequest req;
    *req.mutable_matter() = matter;
    v1::Matter out;
    grpc::ClientContext ctx;
    grpc::Status ms = gov2->ApplyMatter(Ctx(&ctx), req, &out);
    ASSERT_TRUE(ms.ok()) << ms.error_message();
    v1::ApplyPrincipalRequest preq;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"tp(principal {
      name: "principals/registryctl" identity: "registryctl" roles: GOVERNANCE
      grants { matter: "matters/governance-enterprise" } })tp",
                                                              &preq));
    v1::Principal pout;
    grpc::ClientContext ctx2;
    grpc::Status s = gov2->ApplyPrincipal(Ctx(&ctx2), preq, &pout);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::GetRecordRequest get;
  get.set_name("enterprises/91350400MA2YQ8KX1E");
  get.mutable_options()->set_purpose("matters/governance-enterprise");
  v1::Record r;
  grpc::ClientContext ctx;
  grpc::Status s = rec2->GetRecord(Ctx(&ctx), get, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(r.fields_size(), 1);
  EXPECT_EQ(r.fields(0).value().string_value(), "福建省钢源粉体材料有限公司");
}

// --max-message-mb is gRPC's own receive limit: a request just under it reaches the
// service (and is refused there: no catalog, an oversized reason), one just over it is
// refused by the transport with RESOURCE_EXHAUSTED; neither writes anything.
TEST_F(RegistrydTest, MessageSizeLimitIsEnforcedAtItsBoundary) {
  auto d =
      testing::Daemon::Start(REGISTRYD_BINARY,
                             {"--insecure", "--data-dir", dir_ + "/data", "--bootstrap-governance",
                              "registryctl", "--max-message-mb", "1"},
                             dir_ + "/registryd.log");
  ASSERT_TRUE(d.ok()) << d.status();
  auto channel = grpc::CreateChannel(d->grpc_address(), grpc::InsecureChannelCredentials());
  auto rec = v1::RecordService::NewStub(channel);
  auto call = [&](size_t total_bytes) {
    v1::UpdateRecordRequest req;
    req.set_name("enterprises/91350400MA2YQ8KX1E");
    req.mutable_provenance()->set_source("market-regulation");
    (*req.mutable_values())["name"].set_string_value("福建省钢源粉体材料有限公司");
    const size_t base = req.ByteSizeLong() + 8;  // the reason's tag and length
    req.set_reason(std::string(total_bytes - base, 'x'));
    v1::UpdateRecordResponse resp;
    grpc::ClientContext ctx;
    return rec->UpdateRecord(Ctx(&ctx), req, &resp);
  };
  grpc::Status under = call((1 << 20) - 64);
  EXPECT_FALSE(under.ok());
  EXPECT_NE(under.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << under.error_message();
  grpc::Status over = call((1 << 20) + 64);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << over.error_message();
  auto metrics = testing::HttpGet(d->admin_address(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(*metrics, HasSubstr("collectonce_store_commit_sequence 0\n"));
  channel.reset();
  rec.reset();
  EXPECT_TRUE(d->Stop(SIGTERM).ok());
}

TEST_F(RegistrydTest, RefusesToStartWithoutAModeOrOnAPublicAddressWhenInsecure) {
  auto d = testing::Daemon::Start(REGISTRYD_BINARY, {"--data-dir", dir_ + "/x"}, dir_ + "/a.log",
                                  std::chrono::seconds(10));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("--insecure"));
}

}  // namespace
}  // namespace collectonce
