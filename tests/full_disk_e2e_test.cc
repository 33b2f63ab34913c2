// registryd on a real, small file system (a tmpfs) that fills while it takes writes: the
// write that finds no space fails UNAVAILABLE and is not acknowledged, the process stays up
// and serves reads, /healthz answers 503 and grpc.health.v1 NOT_SERVING, SIGTERM ends it
// with exit 0 (no SIGABRT from RocksDB's file logger, which is not used), a start on the
// full disk exits 4 (NO_SPACE) with a message naming the directory, and once there is space
// again everything acknowledged is there and writes work.
//
// Mounting a tmpfs needs root (CAP_SYS_ADMIN); where the test cannot mount one it is
// skipped and prints why (the FaultFs tests of a full disk, io_fault_test and
// store_fault_test, still run everywhere).
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/catalog/catalog.h"
#include "libs/ident/uscc.h"
#include "libs/rpc/errors.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using HealthResponse = grpc::health::v1::HealthCheckResponse;

constexpr char kPurpose[] = "matters/governance-enterprise";
// Small enough to fill quickly, large enough for RocksDB's files at open (a 4 MiB MANIFEST
// block, OPTIONS files) and a first write.
constexpr char kTmpfsSize[] = "size=24m";
// What the filler leaves free: room for some writes before the disk is full.
constexpr uint64_t kLeftFree = 512 << 10;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Enterprise(int i) {
  return absl::StrCat("enterprises/", ident::MakeUscc(absl::StrFormat("91350400MA%07d", i)));
}

std::string Name(const v1::Record& r) {
  for (const auto& f : r.fields()) {
    if (f.field() == "name") return f.value().string_value();
  }
  return "<absent>";
}

grpc::ClientContext* Ctx(grpc::ClientContext* ctx) {
  ctx->AddMetadata("x-principal", "registryctl");
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-full-disk-XXXXXX";
    dir_ = mkdtemp(tmpl);
    disk_ = dir_ + "/disk";
    std::filesystem::create_directories(disk_);
    std::filesystem::create_directories(dir_ + "/keys");
    if (geteuid() != 0) {
      skip_ = "not running as root: a tmpfs cannot be mounted here";
    } else if (mount("tmpfs", disk_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, kTmpfsSize) != 0) {
      skip_ = absl::StrCat("mounting a tmpfs failed: ", std::strerror(errno));
    } else {
      mounted_ = true;
    }
  }
  void TearDown() override {
    daemon_.reset();
    if (HasFailure()) std::cerr << "registryd log:\n" << ReadFile(dir_ + "/registryd.log");
    if (mounted_) umount2(disk_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(dir_);
  }

  // The flags of every start: the keys and the published head off the data disk, as in
  // production, so that only the data directory fills.
  std::vector<std::string> Flags() const {
    return {"--insecure",
            "--data-dir",
            disk_ + "/registry",
            "--index-key-file",
            dir_ + "/keys/index.key",
            "--audit-key-file",
            dir_ + "/keys/audit-signing.pem",
            "--bootstrap-governance",
            "registryctl",
            "--write-buffer-mb",
            "8",
            "--block-cache-mb",
            "8",
            "--log-format",
            "text"};
  }
  void Start() {
    auto d = testing::Daemon::Start(REGISTRYD_BINARY, Flags(), dir_ + "/registryd.log");
    ASSERT_TRUE(d.ok()) << d.status();
    daemon_ = std::make_unique<testing::Daemon>(*std::move(d));
    channel_ = grpc::CreateChannel(daemon_->grpc_address(), grpc::InsecureChannelCredentials());
    rec_ = v1::RecordService::NewStub(channel_);
  }
  // Stops with SIGTERM; the exit status as waitpid reports it.
  int Stop() {
    auto status = daemon_->Stop(SIGTERM);
    EXPECT_TRUE(status.ok()) << status.status();
    daemon_.reset();
    return status.ok() ? *status : -1;
  }

  void SetUpGovernance() {
    auto gov = v1::GovernanceService::NewStub(channel_);
    auto cat = catalog::ParseCatalogText(ReadFile(std::string(COLLECTONCE_SOURCE_DIR) +
                                                  "/deploy/examples/catalog/enterprise.txtpb"));
    ASSERT_TRUE(cat.ok());
    v1::ApplyCatalogRequest creq;
    *creq.mutable_catalog() = *cat;
    v1::ApplyCatalogResponse cresp;
    grpc::ClientContext c1;
    grpc::Status s = gov->ApplyCatalog(Ctx(&c1), creq, &cresp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::ApplyMatterRequest mreq;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"tp(matter {
      name: "matters/governance-enterprise" title: "数据治理核查" subject_kind: ENTERPRISE
      purpose: "核查" form_fields { key: "a" catalog_field: "name" use: PREFILL } })tp",
                                                              &mreq));
    v1::Matter mout;
    grpc::ClientContext c2;
    s = gov->ApplyMatter(Ctx(&c2), mreq, &mout);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::ApplyPrincipalRequest preq;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"tp(principal {
      name: "principals/registryctl" identity: "registryctl" roles: GOVERNANCE
      grants { matter: "matters/governance-enterprise" } })tp",
                                                              &preq));
    v1::Principal pout;
    grpc::ClientContext c3;
    s = gov->ApplyPrincipal(Ctx(&c3), preq, &pout);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status Put(const std::string& subject, const std::string& value,
                   v1::UpdateRecordResponse* resp) {
    v1::UpdateRecordRequest up;
    up.set_name(subject);
    up.mutable_provenance()->set_source("market-regulation");
    (*up.mutable_values())["name"].set_string_value(value);
    grpc::ClientContext ctx;
    return rec_->UpdateRecord(Ctx(&ctx), up, resp);
  }
  grpc::Status Read(const std::string& subject, int64_t revision, v1::Record* out) {
    v1::GetRecordRequest get;
    get.set_name(subject);
    get.mutable_options()->set_purpose(kPurpose);
    get.mutable_options()->set_revision(revision);
    grpc::ClientContext ctx;
    return rec_->GetRecord(Ctx(&ctx), get, out);
  }
  HealthResponse::ServingStatus Health() {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    HealthResponse resp;
    grpc::Status s = grpc::health::v1::Health::NewStub(channel_)->Check(
        &ctx, grpc::health::v1::HealthCheckRequest(), &resp);
    return s.ok() ? resp.status() : HealthResponse::UNKNOWN;
  }
  bool AwaitHealth(HealthResponse::ServingStatus want) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < give_up) {
      if (Health() == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  uint64_t FreeBytes() const {
    struct statvfs st;
    return statvfs(disk_.c_str(), &st) == 0 ? uint64_t{st.f_bavail} * st.f_frsize : 0;
  }
  // Takes all free space of the data disk but `leave` bytes, as another process would.
  void Fill(uint64_t leave) {
    const uint64_t free = FreeBytes();
    if (free <= leave) return;
    const std::string path = disk_ + absl::StrCat("/filler-", fillers_++);
    const int fd = open(path.c_str(), O_CREAT | O_WRONLY, 0600);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    EXPECT_EQ(posix_fallocate(fd, 0, static_cast<off_t>(free - leave)), 0);
    close(fd);
  }
  void RemoveFillers() {
    for (int i = 0; i < fillers_; ++i) std::filesystem::remove(disk_ + absl::StrCat("/filler-", i));
  }

  std::string dir_, disk_, skip_;
  bool mounted_ = false;
  int fillers_ = 0;
  std::unique_ptr<testing::Daemon> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RecordService::Stub> rec_;
};

TEST_F(FullDiskTest, AFullDiskFailsWritesKeepsServingAndNeverAborts) {
  if (!mounted_) {
    std::cout << "full_disk_e2e_test skipped: " << skip_ << "\n";
    GTEST_SKIP() << skip_;
  }
  std::cout << "full disk: a real tmpfs (" << kTmpfsSize << ") at " << disk_ << "\n";
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(SetUpGovernance());
  std::map<std::string, std::pair<int64_t, std::string>> acked;  // subject -> revision, value
  for (int i = 0; i < 5; ++i) {
    v1::UpdateRecordResponse resp;
    const std::string value = absl::StrCat("满盘之前", i, "号企业有限公司");
    grpc::Status s = Put(Enterprise(i), value, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    acked[Enterprise(i)] = {resp.record().revision(), value};
  }
  ASSERT_EQ(Stop(), 0);

  // Filled after the store opened again (which removes the earlier write-ahead log and the
  // space reserved for it) and before the new log's first write reserves any: the writes
  // below run into the end of the disk.
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(AwaitHealth(HealthResponse::SERVING));
  ASSERT_NO_FATAL_FAILURE(Fill(kLeftFree));
  grpc::Status failed;
  int written = 0;
  const std::string padding(60, 'x');
  for (int i = 0; i < 100000 && failed.ok(); ++i) {
    const std::string subject = Enterprise(100 + i % 500);
    const std::string value = absl::StrCat("满盘", i, padding);
    v1::UpdateRecordResponse resp;
    grpc::Status s = Put(subject, value, &resp);
    if (s.ok()) {
      acked[subject] = {resp.record().revision(), value};
      ++written;
    } else {
      failed = s;
    }
  }
  std::cout << "acknowledged " << written << " writes before the disk was full; free now "
            << FreeBytes() << " bytes\n";
  EXPECT_GT(written, 0);
  ASSERT_FALSE(failed.ok()) << "the disk never filled";
  EXPECT_EQ(failed.error_code(), grpc::StatusCode::UNAVAILABLE) << failed.error_message();
  EXPECT_EQ(rpc::FromGrpc(failed).reason, "STORE_FAILED");

  // Still up: health says so, reads of what was acknowledged go on.
  EXPECT_EQ(kill(daemon_->pid(), 0), 0) << "registryd died on the full disk";
  EXPECT_TRUE(AwaitHealth(HealthResponse::NOT_SERVING));
  auto healthz = testing::HttpGet(daemon_->admin_address(), "/healthz");
  ASSERT_TRUE(healthz.ok()) << healthz.status();
  EXPECT_THAT(*healthz, StartsWith("503 "));
  for (const auto& [subject, rv] : acked) {
    v1::Record r;
    grpc::Status s = Read(subject, rv.first, &r);
    ASSERT_TRUE(s.ok()) << subject << ": " << s.error_message();
    EXPECT_EQ(Name(r), rv.second);
  }
  EXPECT_FALSE(std::filesystem::exists(disk_ + "/registry/LOG")) << "RocksDB's info log is on disk";

  // A clean stop, no SIGABRT.
  const int stopped = Stop();
  EXPECT_TRUE(WIFEXITED(stopped)) << "registryd ended by signal "
                                  << (WIFSIGNALED(stopped) ? WTERMSIG(stopped) : 0);
  EXPECT_EQ(WIFEXITED(stopped) ? WEXITSTATUS(stopped) : -1, 0);

  // A start on the full disk refuses with its own exit code and says what to do.
  ASSERT_NO_FATAL_FAILURE(Fill(0));
  std::string command = absl::StrCat("timeout 30 ", REGISTRYD_BINARY);
  for (const std::string& f : Flags()) absl::StrAppend(&command, " ", f);
  absl::StrAppend(&command, " --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 2>&1");
  testing::ShellResult refused = testing::RunShell(command);
  testing::KeepTestOutput("full_disk_e2e_test-refused-start", refused.out);
  EXPECT_EQ(refused.exit_code, 4) << refused.out;
  EXPECT_THAT(refused.out, HasSubstr("no space left on the disk of " + disk_ + "/registry"));
  EXPECT_THAT(refused.out, HasSubstr("NO_SPACE"));
  EXPECT_THAT(refused.out, ::testing::Not(HasSubstr("Assertion")));

  // Space again: everything acknowledged is there and writes work.
  RemoveFillers();
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_TRUE(AwaitHealth(HealthResponse::SERVING));
  for (const auto& [subject, rv] : acked) {
    v1::Record r;
    grpc::Status s = Read(subject, rv.first, &r);
    ASSERT_TRUE(s.ok()) << subject << " revision " << rv.first << ": " << s.error_message();
    EXPECT_EQ(Name(r), rv.second);
  }
  v1::UpdateRecordResponse resp;
  grpc::Status s = Put(Enterprise(0), "腾出空间之后有限公司", &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(Stop(), 0);
}

}  // namespace
}  // namespace collectonce
