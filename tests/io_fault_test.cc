// The registry's services on a real gRPC server over loopback, with the store on a file
// system that fails on demand: a write error, a failed sync or a full disk gives the writer
// an error (never OK), grpc.health.v1 turns NOT_SERVING and /healthz fails; after the fault
// clears and the registry restarts on the same directory, everything acknowledged is there
// and writes work again.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/catalog/catalog.h"
#include "libs/ident/uscc.h"
#include "libs/rpc/admin_server.h"
#include "libs/rpc/daemon.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/health_follower.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/test_util.h"
#include "libs/store/testing/fault_fs.h"
#include "services/registry/governance_service.h"
#include "services/registry/record_service.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
using store::testing::FaultFs;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using HealthResponse = grpc::health::v1::HealthCheckResponse;

using store::testing::Enterprise;
using store::testing::FieldText;
using store::testing::ReadFile;

// registryd's wiring, in process: store, services, health that follows the store, admin.
class Registry {
 public:
  static std::unique_ptr<Registry> Start(const std::string& dir, rocksdb::Env* env) {
    auto r = std::unique_ptr<Registry>(new Registry());
    store::RocksDbStoreOptions o;
    o.data_dir = dir;
    o.sync = true;
    o.env = env;
    o.index_hash = store::KeyedHash::FromKey("0123456789abcdef0123456789abcdef");
    o.block_cache_bytes = 8 << 20;
    o.write_buffer_bytes = 16 << 20;
    auto s = store::RocksDbStore::Open(std::move(o));
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return nullptr;
    r->store_ = *std::move(s);
    r->context_ = std::make_unique<registry::RegistryContext>(r->store_.get(), true, "registryctl");
    EXPECT_TRUE(r->context_->ReloadPolicy().ok());
    r->hub_ = std::make_unique<registry::WatchHub>(r->store_.get());
    r->records_ = std::make_unique<registry::RecordServiceImpl>(r->context_.get(), r->hub_.get());
    r->governance_ = std::make_unique<registry::GovernanceServiceImpl>(r->context_.get());
    rpc::EnableHealthAndReflection();
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &r->port_);
    b.RegisterService(r->records_.get());
    b.RegisterService(r->governance_.get());
    r->server_ = b.BuildAndStart();
    EXPECT_NE(r->port_, 0);
    store::Store* st = r->store_.get();
    r->follower_ = std::make_unique<rpc::HealthFollower>(
        r->server_->GetHealthCheckService(), [st] { return st->Health(); }, absl::Milliseconds(20));
    rpc::AdminServer::Handlers h;
    h.health = [st] { return st->Health(); };
    h.metrics = [] { return std::string(); };
    auto admin = rpc::AdminServer::Start("127.0.0.1:0", h);
    EXPECT_TRUE(admin.ok()) << admin.status();
    r->admin_ = *std::move(admin);
    r->channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", r->port_),
                                      grpc::InsecureChannelCredentials());
    return r;
  }
  ~Registry() {
    channel_.reset();
    follower_.reset();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->Wait();
    admin_.reset();
    hub_.reset();
    store_.reset();
  }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  store::Store* store() const { return store_.get(); }
  std::string admin_address() const { return absl::StrCat("127.0.0.1:", admin_->port()); }

 private:
  Registry() = default;
  std::unique_ptr<store::RocksDbStore> store_;
  std::unique_ptr<registry::RegistryContext> context_;
  std::unique_ptr<registry::WatchHub> hub_;
  std::unique_ptr<registry::RecordServiceImpl> records_;
  std::unique_ptr<registry::GovernanceServiceImpl> governance_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<rpc::HealthFollower> follower_;
  std::unique_ptr<rpc::AdminServer> admin_;
  std::shared_ptr<grpc::Channel> channel_;
};

grpc::ClientContext* Ctx(grpc::ClientContext* ctx) {
  ctx->AddMetadata("x-principal", "registryctl");
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

grpc::Status Put(const Registry& r, const std::string& subject, const std::string& value,
                 v1::UpdateRecordResponse* resp) {
  v1::UpdateRecordRequest up;
  up.set_name(subject);
  up.mutable_provenance()->set_source("market-regulation");
  (*up.mutable_values())["name"].set_string_value(value);
  grpc::ClientContext ctx;
  return v1::RecordService::NewStub(r.channel())->UpdateRecord(Ctx(&ctx), up, resp);
}

HealthResponse::ServingStatus Health(const Registry& r) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  HealthResponse resp;
  grpc::Status s = grpc::health::v1::Health::NewStub(r.channel())
                       ->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &resp);
  return s.ok() ? resp.status() : HealthResponse::UNKNOWN;
}

// Waits (bounded) for the health service to report `want`.
bool AwaitHealth(const Registry& r, HealthResponse::ServingStatus want) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < give_up) {
    if (Health(r) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

struct FaultCase {
  const char* name;
  void (*inject)(FaultFs&);
  void (*clear)(FaultFs&);
};

// Names the case in test output (instead of its bytes).
void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

class IoFaultE2eTest : public ::testing::TestWithParam<FaultCase> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-iofault-XXXXXX";
    dir_ = mkdtemp(tmpl);
    fs_ = std::make_shared<FaultFs>();
    env_ = FaultFs::MakeEnv(fs_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::shared_ptr<FaultFs> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_P(IoFaultE2eTest, WriterGetsAnErrorHealthFailsAndARestartResumes) {
  std::map<std::string, std::pair<int64_t, std::string>> acked;  // subject -> revision, value
  {
    auto reg = Registry::Start(dir_ + "/data", env_.get());
    ASSERT_NE(reg, nullptr);
    {
      auto cat = catalog::ParseCatalogText(ReadFile(std::string(COLLECTONCE_SOURCE_DIR) +
                                                    "/deploy/examples/catalog/enterprise.txtpb"));
      ASSERT_TRUE(cat.ok());
      v1::ApplyCatalogRequest req;
      *req.mutable_catalog() = *cat;
      v1::ApplyCatalogResponse resp;
      grpc::ClientContext ctx;
      grpc::Status s =
          v1::GovernanceService::NewStub(reg->channel())->ApplyCatalog(Ctx(&ctx), req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    for (int i = 0; i < 6; ++i) {
      v1::UpdateRecordResponse resp;
      const std::string value = absl::StrCat("之前", i);
      grpc::Status s = Put(*reg, Enterprise(i % 3), value, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
      acked[Enterprise(i % 3)] = {resp.record().revision(), value};
    }
    EXPECT_TRUE(AwaitHealth(*reg, HealthResponse::SERVING));
    EXPECT_EQ(*testing::HttpGet(reg->admin_address(), "/healthz"), "200 ok\n");

    GetParam().inject(*fs_);
    v1::UpdateRecordResponse resp;
    grpc::Status s = Put(*reg, Enterprise(0), "故障中", &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    EXPECT_EQ(rpc::FromGrpc(s).reason, "STORE_FAILED");
    EXPECT_TRUE(AwaitHealth(*reg, HealthResponse::NOT_SERVING));
    auto healthz = testing::HttpGet(reg->admin_address(), "/healthz");
    ASSERT_TRUE(healthz.ok()) << healthz.status();
    EXPECT_THAT(*healthz, StartsWith("503 "));

    // The fault clears, but this process takes no more writes: its counters may no longer
    // match the disk. Only a restart resumes.
    GetParam().clear(*fs_);
    s = Put(*reg, Enterprise(7), "之后", &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(rpc::FromGrpc(s).reason, "STORE_FAILED");
    EXPECT_EQ(Health(*reg), HealthResponse::NOT_SERVING);
  }

  auto reg = Registry::Start(dir_ + "/data", env_.get());
  ASSERT_NE(reg, nullptr);
  EXPECT_TRUE(AwaitHealth(*reg, HealthResponse::SERVING));
  EXPECT_EQ(*testing::HttpGet(reg->admin_address(), "/healthz"), "200 ok\n");
  // The failed write is there whole or not at all (after a failed sync its bytes may have
  // reached the log); everything acknowledged is there.
  for (const auto& [subject, rv] : acked) {
    const auto name = *catalog::ParseSubjectName(subject);
    auto at = reg->store()->GetRecord(name, store::AsOf::Revision(rv.first));
    ASSERT_TRUE(at.ok()) << subject << " revision " << rv.first << ": " << at.status();
    EXPECT_EQ(FieldText(*at, "name"), rv.second);
    auto current = reg->store()->GetRecord(name, store::AsOf::Current());
    ASSERT_TRUE(current.ok()) << current.status();
    if (subject == Enterprise(0) && current->revision() != rv.first) {
      EXPECT_EQ(current->revision(), rv.first + 1);
      EXPECT_EQ(FieldText(*current, "name"), "故障中");
    } else {
      EXPECT_EQ(current->revision(), rv.first) << subject;
    }
  }
  v1::UpdateRecordResponse resp;
  grpc::Status s = Put(*reg, Enterprise(0), "恢复", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GT(resp.record().revision(), acked[Enterprise(0)].first);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, IoFaultE2eTest,
    ::testing::Values(FaultCase{"WriteError",
                                [](FaultFs& f) { f.FailWrites(FaultFs::Fault::kIoError); },
                                [](FaultFs& f) { f.FailWrites(FaultFs::Fault::kNone); }},
                      FaultCase{"DiskFull",
                                [](FaultFs& f) { f.FailWrites(FaultFs::Fault::kNoSpace); },
                                [](FaultFs& f) { f.FailWrites(FaultFs::Fault::kNone); }},
                      FaultCase{"SyncError", [](FaultFs& f) { f.FailSyncs(true); },
                                [](FaultFs& f) { f.FailSyncs(false); }}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return info.param.name; });

}  // namespace
}  // namespace collectonce
