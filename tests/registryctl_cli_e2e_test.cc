// registryctl's command line: each command's own help, range checks, one spelling per flag,
// and REGISTRYCTL_* variables that change what a command does (the real binary; a real
// registryd where a call is made).
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collectonce/registry/v1/registry_service.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/daemon.h"
#include "tests/registryctl_run.h"

namespace collectonce {
namespace {

namespace fs = std::filesystem;
using testing::CtlRun;
using testing::Describe;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitUsage = 2;

class RegistryctlCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/registryctl-cli-e2e-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CtlRun Ctl(std::vector<std::string> args) {
    return testing::RunRegistryctl(REGISTRYCTL_BINARY, dir_, dir_, std::move(args));
  }

  std::string dir_;
};

// A command's --help ends with its own example, never the one of the command above it.
TEST_F(RegistryctlCliTest, EveryDisputeCommandShowsItsOwnExample) {
  for (const char* step :
       {"open", "list", "get", "review", "decide", "withdraw", "notifications"}) {
    CtlRun r = Ctl({"dispute", step, "--help"});
    ASSERT_EQ(r.exit_code, 0) << step << ": " << Describe(r);
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("registryctl dispute ", step)))
        << step << ": " << r.out;
    EXPECT_THAT(r.out, Not(HasSubstr("registryctl catalog get person"))) << step << ": " << r.out;
  }
  CtlRun r = Ctl({"dispute", "--help"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("Example: registryctl dispute list"));
}

TEST_F(RegistryctlCliTest, DisputeLimitsAreRangeChecked) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"dispute", "list", "--limit", "0"},
        std::vector<std::string>{"dispute", "notifications", "--limit", "-1"}}) {
    CtlRun r = Ctl(args);
    EXPECT_EQ(r.exit_code, kExitUsage) << Describe(r);
    EXPECT_THAT(r.err, HasSubstr("--limit: must be a whole number from 1 to 2147483647"))
        << Describe(r);
  }
}

// `--case-id` everywhere (prefill, dispute open, evidence issue); evidence issue still takes
// the `--case` of earlier releases without showing it.
TEST_F(RegistryctlCliTest, TheCaseIsGivenWithCaseIdEverywhere) {
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"prefill"}, std::vector<std::string>{"dispute", "open"},
        std::vector<std::string>{"evidence", "issue"}}) {
    std::vector<std::string> args = cmd;
    args.push_back("--help");
    CtlRun r = Ctl(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_THAT(r.out, HasSubstr("--case-id")) << cmd[0];
    EXPECT_THAT(r.out, Not(HasSubstr("--case "))) << cmd[0];
  }
  CtlRun r = Ctl({"--parse-only", "evidence", "issue", "marital-status", "persons/p1", "--matter",
                  "real-estate-transfer", "--case", "BDC-2026-000123"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
}

// REGISTRYCTL_OUTPUT=json makes a command print JSON as -o json does.
TEST_F(RegistryctlCliTest, TheOutputVariableChangesWhatIsPrinted) {
  auto d = testing::Daemon::Start(REGISTRYD_BINARY,
                                  {"--insecure", "--no-sync", "--data-dir", dir_ + "/data",
                                   "--bootstrap-governance", "registryctl"},
                                  dir_ + "/registryd.log");
  ASSERT_TRUE(d.ok()) << d.status();
  const std::string base =
      absl::StrCat("REGISTRYCTL_REGISTRY=", d->grpc_address(), " ", REGISTRYCTL_BINARY, " version");
  testing::ShellResult table = testing::RunShell(base);
  ASSERT_EQ(table.exit_code, 0) << table.out;
  EXPECT_THAT(table.out, HasSubstr("Client Version: "));

  testing::ShellResult json = testing::RunShell("REGISTRYCTL_OUTPUT=json " + base);
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_THAT(json.out, HasSubstr("\"clientVersion\": "));
  EXPECT_THAT(json.out, HasSubstr("\"serverVersion\": "));
  EXPECT_THAT(json.out, Not(HasSubstr("Client Version")));
  // A flag wins over its variable.
  testing::ShellResult flag = testing::RunShell("REGISTRYCTL_OUTPUT=json " + base + " -o table");
  ASSERT_EQ(flag.exit_code, 0) << flag.out;
  EXPECT_THAT(flag.out, HasSubstr("Client Version: "));
}

}  // namespace
}  // namespace collectonce
