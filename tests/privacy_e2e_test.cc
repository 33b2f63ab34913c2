// Privacy of history and errors through registryctl and the real registryd: an auditor reads
// history under its role (masked); an approval system only for a purpose it is granted; an ID
// number given in the wrong place leaves masked, in the error and in the daemon's log.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char kExamples[] = COLLECTONCE_SOURCE_DIR "/deploy/examples";
const char kSteel[] = "enterprises/91350400MA2YQ8KX1E";
const char kIdNumber[] = "350403194503120012";

class PrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-privacy-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto d = testing::Daemon::Start(REGISTRYD_BINARY,
                                    {"--insecure", "--no-sync", "--data-dir", dir_ + "/data",
                                     "--bootstrap-governance", "registryctl"},
                                    dir_ + "/registryd.log");
    ASSERT_TRUE(d.ok()) << d.status();
    registry_ = std::make_unique<testing::Daemon>(*std::move(d));
    for (const std::string& args :
         {absl::StrCat("catalog apply -f ", kExamples, "/catalog"),
          absl::StrCat("matter apply -f ", kExamples, "/matters"),
          absl::StrCat("bundle apply -f ", kExamples, "/bundles"),
          absl::StrCat("principal apply -f ", kExamples, "/principals"),
          absl::StrCat("import --kind enterprise ", kExamples,
                       "/demo/enterprises.csv --source market-regulation --report ", dir_,
                       "/report.txt")}) {
      testing::ShellResult r = Ctl(args);
      ASSERT_EQ(r.exit_code, 0) << args << ": " << r.out;
    }
  }
  void TearDown() override {
    registry_.reset();
    std::filesystem::remove_all(dir_);
  }
  testing::ShellResult Ctl(const std::string& args) {
    testing::ShellResult r = testing::RunShell(absl::StrCat(
        "REGISTRYCTL_REGISTRY=", registry_->grpc_address(), " ", REGISTRYCTL_BINARY, " ", args));
    testing::KeepTestOutput("registryctl.txt", r.out);
    return r;
  }
  std::string dir_;
  std::unique_ptr<testing::Daemon> registry_;
};

TEST_F(PrivacyTest, HistoryByRoleOrGrantedPurposeAndNumbersMaskedInErrors) {
  testing::ShellResult auditor = Ctl(absl::StrCat("--as auditor record history ", kSteel));
  EXPECT_EQ(auditor.exit_code, 0) << auditor.out;
  EXPECT_THAT(auditor.out, HasSubstr("values are masked"));
  EXPECT_THAT(auditor.out, HasSubstr("吴**"));
  EXPECT_THAT(auditor.out, Not(HasSubstr("吴秀英")));

  // The planning system: not for governance's purpose, nor without one; for its own, yes.
  const std::string planning = "--as spiffe://sanming.gov.cn/approval/planning";
  testing::ShellResult other_purpose = Ctl(absl::StrCat(planning, " record history ", kSteel));
  EXPECT_EQ(other_purpose.exit_code, 64 + 7) << other_purpose.out;
  EXPECT_THAT(other_purpose.out, HasSubstr("NO_GRANT_FOR_PURPOSE"));
  testing::ShellResult granted =
      Ctl(absl::StrCat(planning, " record history ", kSteel, " --purpose planning-verification"));
  EXPECT_EQ(granted.exit_code, 0) << granted.out;

  // An ID number given as a field name.
  testing::ShellResult misplaced =
      Ctl(absl::StrCat("record get ", kSteel, " --fields ", kIdNumber, ",name"));
  EXPECT_EQ(misplaced.exit_code, 64 + 3) << misplaced.out;
  EXPECT_THAT(misplaced.out, HasSubstr("350*************12"));
  EXPECT_THAT(misplaced.out, Not(HasSubstr(kIdNumber)));
  EXPECT_THAT(registry_->Log(), Not(HasSubstr(kIdNumber)));
}

}  // namespace
}  // namespace collectonce
