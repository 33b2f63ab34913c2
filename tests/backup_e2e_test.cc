// Backups of the real registryd: `backup create` refuses the live data directory and any
// directory inside it; `backup restore --audit-key` brings the signing key along, so heads
// saved before the backup still verify against the restored registry, and a restore without
// it says so; a daemon logs every key it creates.
#include <sys/wait.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCreatedAuditKey[] = "created a new audit signing key";
constexpr char kCreatedEvidenceKey[] = "created a new evidence signing key";
constexpr int kExitInvalidArgument = 64 + 3;

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-backup-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  testing::Daemon Start(const std::string& data, const std::string& log) {
    auto d = testing::Daemon::Start(
        REGISTRYD_BINARY,
        {"--insecure", "--no-sync", "--data-dir", data, "--bootstrap-governance", "registryctl"},
        log);
    EXPECT_TRUE(d.ok()) << d.status();
    return *std::move(d);
  }
  testing::ShellResult Ctl(const testing::Daemon& d, const std::string& args) {
    testing::ShellResult r = testing::RunShell(absl::StrCat(
        "REGISTRYCTL_REGISTRY=", d.grpc_address(), " ", REGISTRYCTL_BINARY, " ", args));
    testing::KeepTestOutput("registryctl.txt", r.out);
    return r;
  }
  std::string dir_;
};

TEST_F(BackupTest, CreateRefusesTheStoreAndRestoreCarriesTheSigningKey) {
  const std::string data = dir_ + "/data";
  testing::Daemon live = Start(data, dir_ + "/live.log");
  // A fresh data directory: both keys are new, and the daemon says so.
  EXPECT_THAT(live.Log(), HasSubstr(kCreatedAuditKey));
  EXPECT_THAT(live.Log(), HasSubstr("created a new person-index key"));
  testing::ShellResult applied =
      Ctl(live, absl::StrCat("catalog apply -f ", COLLECTONCE_SOURCE_DIR,
                             "/deploy/examples/catalog/enterprise.txtpb"));
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  const std::string head = dir_ + "/head.json";
  testing::ShellResult saved = Ctl(live, absl::StrCat("audit head > ", head));
  ASSERT_EQ(saved.exit_code, 0) << saved.out;

  // The data directory itself, a directory inside it (also through a symbolic link and a
  // "..") are refused; a sibling is not.
  std::filesystem::create_directory_symlink(data, dir_ + "/link");
  for (const std::string& inside :
       {data, data + "/", data + "/backups", dir_ + "/link/backups", dir_ + "/x/../data/b"}) {
    testing::ShellResult refused = Ctl(live, absl::StrCat("backup create ", inside));
    EXPECT_EQ(refused.exit_code, kExitInvalidArgument) << inside << ": " << refused.out;
    EXPECT_THAT(refused.out, HasSubstr("data directory")) << inside;
  }
  EXPECT_FALSE(std::filesystem::exists(data + "/backups"));
  EXPECT_FALSE(std::filesystem::exists(data + "/meta"));
  const std::string backups = dir_ + "/data-backups";
  testing::ShellResult created = Ctl(live, absl::StrCat("backup create ", backups));
  ASSERT_EQ(created.exit_code, 0) << created.out;

  // With --audit-key the restored registry signs with the same key: the saved head verifies.
  const std::string restored = dir_ + "/restored";
  testing::ShellResult with_key =
      Ctl(live, absl::StrCat("backup restore ", backups, " --data-dir ", restored, " --index-key ",
                             data, "/keys/index.key --audit-key ", data,
                             "/keys/audit-signing.pem --evidence-key ", data,
                             "/keys/evidence-signing.pem"));
  ASSERT_EQ(with_key.exit_code, 0) << with_key.out;
  EXPECT_THAT(with_key.out, Not(HasSubstr("is not part of a backup")));
  {
    testing::Daemon back = Start(restored, dir_ + "/restored.log");
    EXPECT_THAT(back.Log(), Not(HasSubstr(kCreatedAuditKey)));
    EXPECT_THAT(back.Log(), Not(HasSubstr(kCreatedEvidenceKey)));
    // The same evidence key: what verifiers pinned before still verifies what it issues.
    testing::ShellResult before = Ctl(live, "evidence keys");
    testing::ShellResult after = Ctl(back, "evidence keys");
    ASSERT_EQ(after.exit_code, 0) << after.out;
    EXPECT_EQ(after.out, before.out);
    testing::ShellResult verified = Ctl(back, absl::StrCat("audit verify --since-head ", head));
    EXPECT_EQ(verified.exit_code, 0) << verified.out;
  }

  // Without it the CLI says plainly what to copy; a daemon started anyway logs its new key,
  // and the saved head no longer verifies.
  const std::string keyless = dir_ + "/keyless";
  testing::ShellResult without =
      Ctl(live, absl::StrCat("backup restore ", backups, " --data-dir ", keyless, " --index-key ",
                             data, "/keys/index.key"));
  ASSERT_EQ(without.exit_code, 0) << without.out;
  EXPECT_THAT(without.out, HasSubstr("the audit signing key is not part of a backup"));
  EXPECT_THAT(without.out, HasSubstr(keyless + "/keys/audit-signing.pem"));
  EXPECT_THAT(without.out, HasSubstr("the evidence signing key is not part of a backup"));
  EXPECT_THAT(without.out, HasSubstr(keyless + "/keys/evidence-signing.pem"));
  testing::Daemon other = Start(keyless, dir_ + "/keyless.log");
  EXPECT_THAT(other.Log(), HasSubstr(kCreatedAuditKey));
  EXPECT_THAT(other.Log(), HasSubstr(kCreatedEvidenceKey));
  testing::ShellResult mismatch = Ctl(other, absl::StrCat("audit verify --since-head ", head));
  EXPECT_NE(mismatch.exit_code, 0) << mismatch.out;
  EXPECT_THAT(mismatch.out, HasSubstr("another key"));
}

}  // namespace
}  // namespace collectonce
