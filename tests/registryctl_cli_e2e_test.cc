// registryctl's command line: each command's own help, range checks, one spelling per flag,
// and REGISTRYCTL_* variables that change what a command does (the real binary; a real
// registryd where a call is made).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
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

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

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
  // A local registry on a fresh data directory, registryctl as its governance.
  absl::StatusOr<testing::Daemon> StartRegistry() {
    return testing::Daemon::Start(REGISTRYD_BINARY,
                                  {"--insecure", "--no-sync", "--data-dir", dir_ + "/data",
                                   "--bootstrap-governance", "registryctl"},
                                  dir_ + "/registryd.log");
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

// A list stopped by --limit says how to go on, and --page-token goes on from there: the two
// runs together are the whole listing, each item once.
TEST_F(RegistryctlCliTest, ALimitedListingContinuesWithItsPageToken) {
  auto d = StartRegistry();
  ASSERT_TRUE(d.ok()) << d.status();
  const std::string reg = d->grpc_address();
  const std::string examples = std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples";
  for (const char* dir : {"/catalog", "/matters"}) {
    CtlRun r = Ctl({"--registry", reg, dir == std::string("/catalog") ? "catalog" : "matter",
                    "apply", "-f", examples + dir});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }
  CtlRun all = Ctl({"--registry", reg, "-o", "name", "matter", "list"});
  ASSERT_EQ(all.exit_code, 0) << Describe(all);
  EXPECT_THAT(all.err, Not(HasSubstr("--page-token")));
  CtlRun first = Ctl({"--registry", reg, "-o", "name", "matter", "list", "--limit", "2"});
  ASSERT_EQ(first.exit_code, 0) << Describe(first);
  const std::regex token_re("--page-token (\\S+)\\)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.err, m, token_re)) << Describe(first);
  CtlRun rest = Ctl({"--registry", reg, "-o", "name", "matter", "list", "--page-token", m[1]});
  ASSERT_EQ(rest.exit_code, 0) << Describe(rest);
  EXPECT_EQ(std::count(first.out.begin(), first.out.end(), '\n'), 2) << first.out;
  EXPECT_EQ(first.out + rest.out, all.out);
  CtlRun forged = Ctl({"--registry", reg, "matter", "list", "--page-token", "bm90LWEtdG9rZW4"});
  EXPECT_EQ(forged.exit_code, 64 + 3) << Describe(forged);
  EXPECT_THAT(forged.err, HasSubstr("INVALID_PAGE_TOKEN")) << Describe(forged);
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
  auto d = StartRegistry();
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

// A dry run says what applying would do: a new catalog would be created; with -o json each
// governance object carries its status (create, unchanged, change) and a change its diff.
TEST_F(RegistryctlCliTest, DryRunsSayWhatApplyingWouldDo) {
  auto d = StartRegistry();
  ASSERT_TRUE(d.ok()) << d.status();
  const std::string reg = d->grpc_address();
  const std::string examples = std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples";
  CtlRun r = Ctl({"--registry", reg, "catalog", "apply", "--dry-run", "-f",
                  examples + "/catalog/person.txtpb"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("catalogs/person would be created as version 1 (dry run"));
  EXPECT_THAT(r.out, Not(HasSubstr("would make version")));
  for (const char* what : {"catalog", "matter"}) {
    r = Ctl({"--registry", reg, what, "apply", "-f",
             examples + (std::string(what) == "catalog" ? "/catalog" : "/matters")});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  // A new principal, an unchanged one and a changed one, in one directory.
  const std::string principals = dir_ + "/principals";
  fs::create_directory(principals);
  fs::copy_file(examples + "/principals/auditor.txtpb", principals + "/auditor.txtpb");
  r = Ctl({"--registry", reg, "principal", "apply", "-f", principals});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string text = ReadAll(examples + "/principals/auditor.txtpb");
  std::ofstream(principals + "/auditor-2.txtpb")
      << absl::StrReplaceAll(text, {{"principals/auditor\"", "principals/auditor-2\""},
                                    {"identity: \"auditor\"", "identity: \"auditor-2\""}});
  std::ofstream(principals + "/auditor.txtpb", std::ios::trunc)
      << absl::StrReplaceAll(text, {{"审计人员", "审计（新）"}});
  r = Ctl({"--registry", reg, "-o", "json", "principal", "apply", "--dry-run", "-f", principals});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  ASSERT_EQ(doc["items"].size(), 2u) << r.out;
  EXPECT_EQ(doc["items"][0]["name"], "principals/auditor-2");
  EXPECT_EQ(doc["items"][0]["dryRun"]["status"], "create");
  EXPECT_EQ(doc["items"][1]["name"], "principals/auditor");
  EXPECT_EQ(doc["items"][1]["dryRun"]["status"], "change");
  EXPECT_THAT(doc["items"][1]["dryRun"]["changes"].dump(), HasSubstr("审计（新）"));
  fs::remove(principals + "/auditor-2.txtpb");
  std::ofstream(principals + "/auditor.txtpb", std::ios::trunc) << text;
  r = Ctl({"--registry", reg, "-o", "json", "principal", "apply", "--dry-run", "-f",
           principals + "/auditor.txtpb"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const nlohmann::json same = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(same["dryRun"]["status"], "unchanged") << r.out;
  EXPECT_FALSE(same["dryRun"].contains("changes")) << r.out;
}

// -o json|yaml changes what stdout shows, never where --out writes: evidence issue and
// status-list still write the credential and the token to --out, evidence keys prints the
// JWK Set as a document; export honours -o name and refuses -o yaml.
TEST_F(RegistryctlCliTest, OutputFormatsAndOutFilesTogether) {
  auto d = StartRegistry();
  ASSERT_TRUE(d.ok()) << d.status();
  const std::string reg = d->grpc_address();
  const std::string examples = std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples";
  for (const char* what : {"catalog", "matter", "bundle", "principal", "evidence-type"}) {
    const std::string path =
        std::string(what) == "catalog" ? "/catalog" : absl::StrCat("/", what, "s");
    CtlRun r = Ctl({"--registry", reg, what, "apply", "-f", examples + path});
    ASSERT_EQ(r.exit_code, 0) << what << ": " << Describe(r);
  }
  CtlRun r = Ctl({"--registry", reg, "import", "--kind", "person", examples + "/demo/persons.csv",
                  "--source", "public-security.household", "--report", dir_ + "/report.txt"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  std::ofstream(dir_ + "/id.txt") << "350403194503120012\n";

  const std::string cred = dir_ + "/credential.sd-jwt";
  r = Ctl({"--registry", reg, "--as", "spiffe://sanming.gov.cn/approval/real-estate", "-o", "json",
           "evidence", "issue", "marital-status", "--id-number-file", dir_ + "/id.txt", "--matter",
           "real-estate-transfer", "--case-id", "BDC-2026-000123", "--out", cred});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json issued = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(issued.is_discarded()) << r.out;
  ASSERT_TRUE(issued.contains("credential")) << r.out;
  EXPECT_EQ(ReadAll(cred), issued["credential"].get<std::string>() + "\n");

  const std::string token = dir_ + "/status-0.jwt";
  r = Ctl({"--registry", reg, "-o", "json", "evidence", "status-list", "0", "--out", token});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json list = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(list.contains("token")) << r.out;
  EXPECT_EQ(ReadAll(token), list["token"].get<std::string>() + "\n");

  r = Ctl({"--registry", reg, "-o", "json", "evidence", "keys"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json keys = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(keys.contains("keys")) << r.out;
  EXPECT_EQ(r.out.substr(0, 4), "{\n  ") << "indented as every -o json";
  r = Ctl({"--registry", reg, "-o", "yaml", "evidence", "keys"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("keys:")) << r.out;

  r = Ctl({"--registry", reg, "-o", "name", "export", "--kind", "person"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 102) << r.out.substr(0, 400);
  EXPECT_EQ(r.out.substr(0, 8), "persons/") << r.out.substr(0, 400);
  r = Ctl({"--registry", reg, "-o", "yaml", "export", "--kind", "person"});
  EXPECT_EQ(r.exit_code, kExitUsage) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("export writes JSON Lines"));
}

// A context's relative certificate paths are relative to the config file (as kubeconfig's
// are), not to the directory registryctl runs in; absolute ones stay as they are.
TEST_F(RegistryctlCliTest, ContextCertificatePathsAreRelativeToTheConfigFile) {
  fs::create_directories(dir_ + "/conf");
  std::ofstream(dir_ + "/conf/config.toml")
      << "current-context = \"mtls\"\n[contexts.mtls]\nregistry = \"127.0.0.1:1\"\n"
      << "tls-cert = \"pki/cert.pem\"\ntls-key = \"" << dir_ << "/elsewhere/key.pem\"\n"
      << "tls-ca = \"pki/ca.pem\"\n";
  CtlRun r = Ctl({"--config", dir_ + "/conf/config.toml", "catalog", "get", "person"});
  EXPECT_EQ(r.exit_code, kExitUsage) << Describe(r);
  EXPECT_THAT(r.err,
              HasSubstr(absl::StrCat("--tls-cert ", dir_, "/conf/pki/cert.pem: cannot read")))
      << Describe(r);
  // The absolute key path is kept (the key is read after the certificate).
  fs::create_directories(dir_ + "/conf/pki");
  std::ofstream(dir_ + "/conf/pki/cert.pem") << "x";
  r = Ctl({"--config", dir_ + "/conf/config.toml", "catalog", "get", "person"});
  EXPECT_EQ(r.exit_code, kExitUsage) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("--tls-key ", dir_, "/elsewhere/key.pem: cannot read")))
      << Describe(r);
}

}  // namespace
}  // namespace collectonce
