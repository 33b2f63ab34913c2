// The real registryctl binary against the real registryd on ephemeral loopback ports:
// governance files, record reads and writes, bulk import and export, backup and restore.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "collectonce/registry/v1/registry_service.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "libs/ident/division.h"
#include "libs/ident/resident_id.h"
#include "tests/daemon.h"
#include "tests/registryctl_run.h"

namespace collectonce {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::collectonce::registry::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitUsage = 2;
constexpr int kExitAborted = 64 + 10;
constexpr int kExitInvalid = 64 + 3;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

using testing::CtlRun;
using testing::Describe;
using testing::ShellWords;

// Runs registryctl with `args` in `dir` (where files it writes by default, reports, land),
// stdin from `stdin_path`; waits at most `timeout`.
CtlRun Registryctl(const std::string& dir, std::vector<std::string> args,
                   const std::string& stdin_path = "/dev/null",
                   std::chrono::seconds timeout = std::chrono::seconds(120)) {
  return testing::RunRegistryctl(REGISTRYCTL_BINARY, dir, dir, std::move(args), stdin_path,
                                 timeout);
}

class RegistryctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/registryctl-e2e-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  testing::Daemon StartRegistry(const std::string& data_dir, const std::string& log) {
    auto d = testing::Daemon::Start(REGISTRYD_BINARY,
                                    {"--insecure", "--no-sync", "--data-dir", data_dir,
                                     "--bootstrap-governance", "registryctl"},
                                    log);
    EXPECT_TRUE(d.ok()) << d.status();
    return *std::move(d);
  }

  // registryctl against `registry`.
  CtlRun Ctl(const std::string& registry, std::vector<std::string> args,
             const std::string& stdin_path = "/dev/null") {
    args.insert(args.begin(), {"--registry", registry});
    return Registryctl(dir_, std::move(args), stdin_path);
  }

  // The shipped catalogs, matters, bundles and principals, by directory.
  void ApplyExamples(const std::string& registry) {
    const std::string examples = std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples/";
    for (const char* what : {"catalog", "matter", "bundle", "principal"}) {
      const std::string path =
          examples + (std::string(what) == "catalog" ? "catalog" : absl::StrCat(what, "s"));
      CtlRun r = Ctl(registry, {what, "apply", "-f", path});
      ASSERT_EQ(r.exit_code, 0) << what << ": " << Describe(r);
      EXPECT_THAT(r.out, HasSubstr("created as version 1")) << Describe(r);
    }
  }

  int64_t CommitSequence(const testing::Daemon& d) {
    auto metrics = testing::HttpGet(d.admin_address(), "/metrics");
    EXPECT_TRUE(metrics.ok()) << metrics.status();
    std::smatch m;
    static const std::regex kGauge("\ncollectonce_store_commit_sequence ([0-9]+)");
    if (!metrics.ok() || !std::regex_search(*metrics, m, kGauge)) return -1;
    return std::stoll(m[1]);
  }

  std::string dir_;
};

TEST_F(RegistryctlTest, GovernanceFilesAndRecordReadsWritesAndErrors) {
  testing::Daemon d = StartRegistry(dir_ + "/data", dir_ + "/registryd.log");
  const std::string reg = d.grpc_address();
  ApplyExamples(reg);
  {
    // Applying again changes nothing; a dry run of the same catalog says so.
    CtlRun r = Ctl(reg, {"matter", "apply", "-f",
                         std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples/matters"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_THAT(r.out, Not(HasSubstr("created")));
    EXPECT_THAT(r.out, HasSubstr("matters/data-governance-review-person unchanged at version 1"));
    r = Ctl(reg, {"catalog", "apply", "--dry-run", "-f",
                  std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples/catalog/person.txtpb"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_THAT(r.out, HasSubstr("catalogs/person unchanged at version 1"));
    r = Ctl(reg, {"matter", "list"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_THAT(r.out, HasSubstr("matters/data-governance-review-person"));
    r = Ctl(reg, {"-o", "json", "principal", "get", "registryctl"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    v1::Principal p;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &p).ok()) << r.out;
    EXPECT_EQ(p.identity(), "registryctl");
    r = Ctl(reg, {"catalog", "get", "person"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_THAT(r.out, HasSubstr("公民身份号码"));
  }

  const std::string ent = "enterprises/91350400MA2YQ8KX1E";
  CtlRun put = Ctl(reg, {"record", "put", ent, "--set", "name=福建省钢源粉体材料有限公司", "--set",
                         "registered_capital=5000", "--set", "legal_representative_name=张三丰",
                         "--source", "market-regulation", "--reason", "设立登记"});
  ASSERT_EQ(put.exit_code, 0) << Describe(put);
  EXPECT_THAT(put.out, HasSubstr(ent + ": revision 1"));
  EXPECT_THAT(put.out, Not(HasSubstr("张三丰")));  // personal data is masked in tables

  CtlRun get = Ctl(reg, {"record", "get", ent});
  ASSERT_EQ(get.exit_code, 0) << Describe(get);
  EXPECT_THAT(get.out, HasSubstr("法定代表人姓名"));  // the label from the catalog
  EXPECT_THAT(get.out, HasSubstr("张**"));
  EXPECT_THAT(get.out, Not(HasSubstr("张三丰")));
  EXPECT_THAT(get.out, HasSubstr("福建省钢源粉体材料有限公司"));  // public: in clear
  EXPECT_THAT(get.out, HasSubstr("market-regulation"));
  get = Ctl(reg, {"--reveal", "record", "get", ent, "--fields", "legal_representative_name"});
  ASSERT_EQ(get.exit_code, 0) << Describe(get);
  EXPECT_THAT(get.out, HasSubstr("张三丰"));
  EXPECT_THAT(get.out, Not(HasSubstr("福建省钢源粉体材料有限公司")));
  get = Ctl(reg, {"record", "get", ent, "-o", "json"});
  ASSERT_EQ(get.exit_code, 0) << Describe(get);
  v1::Record record;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(get.out, &record).ok()) << get.out;
  EXPECT_EQ(record.name(), ent);
  EXPECT_EQ(record.revision(), 1);
  EXPECT_EQ(record.fields_size(), 3);

  // A stale revision: ABORTED, 64 + 10, the reason on stderr, nothing written.
  CtlRun stale = Ctl(reg, {"record", "put", ent, "--set", "registered_capital=6000", "--source",
                           "market-regulation", "--reason", "变更", "--expect-revision", "0"});
  EXPECT_EQ(stale.exit_code, kExitAborted) << Describe(stale);
  EXPECT_THAT(stale.err, HasSubstr("error: ABORTED (REVISION_MISMATCH)"));
  EXPECT_EQ(stale.out, "");
  // A value the catalog refuses: every violation listed.
  CtlRun bad = Ctl(reg, {"record", "put", ent, "--set", "registered_capital=-1", "--source",
                         "market-regulation", "--reason", "变更"});
  EXPECT_EQ(bad.exit_code, kExitInvalid) << Describe(bad);
  EXPECT_THAT(bad.err, HasSubstr("error: INVALID_ARGUMENT (INVALID_VALUES)"));
  EXPECT_THAT(bad.err, HasSubstr("\n  registered_capital: RANGE: "));
  CtlRun ok = Ctl(reg, {"record", "put", ent, "--set", "registered_capital=6000", "--source",
                        "market-regulation", "--reason", "增资", "--expect-revision", "1"});
  ASSERT_EQ(ok.exit_code, 0) << Describe(ok);
  EXPECT_THAT(ok.out, HasSubstr("registered_capital: 5000 -> 6000"));
  CtlRun history = Ctl(reg, {"record", "history", ent, "--all", "--page-size", "1"});
  ASSERT_EQ(history.exit_code, 0) << Describe(history);
  EXPECT_THAT(history.out, HasSubstr("增资"));
  EXPECT_THAT(history.out, HasSubstr("设立登记"));
  EXPECT_THAT(history.out, HasSubstr("registered_capital: 5000 -> 6000"));

  // Export without --as-of reads as of the newest commit and ends with the last page; it
  // reads back as unchanged.
  CtlRun exp = Ctl(reg, {"export", "--kind", "enterprise"});
  ASSERT_EQ(exp.exit_code, 0) << Describe(exp);
  EXPECT_EQ(exp.out,
            "{\"uscc\":\"91350400MA2YQ8KX1E\",\"name\":\"福建省钢源粉体材料有限公司\","
            "\"legal_representative_name\":\"张三丰\",\"registered_capital\":\"6000\"}\n");
  WriteFile(dir_ + "/enterprises.jsonl", exp.out);
  CtlRun reimport = Ctl(reg, {"import", "--kind", "enterprise", dir_ + "/enterprises.jsonl",
                              "--source", "market-regulation"});
  ASSERT_EQ(reimport.exit_code, 0) << Describe(reimport);
  EXPECT_THAT(reimport.out, HasSubstr("0 written, 1 unchanged, 0 failed"));

  // A person, by an ID number read from a file (or stdin), never from argv.
  const std::string id = ident::MakeResidentId("350402", absl::CivilDay(1990, 1, 1), 123);
  WriteFile(dir_ + "/id.txt", id + "\n");
  CtlRun person =
      Ctl(reg, {"record", "put", "--kind", "person", "--id-number-file", dir_ + "/id.txt", "--set",
                "name=李明", "--set", "gender=1", "--set", "birth_date=1990-01-01", "--source",
                "public-security.household", "--reason", "户籍登记"});
  ASSERT_EQ(person.exit_code, 0) << Describe(person);
  EXPECT_THAT(person.out, Not(HasSubstr(id)));
  EXPECT_THAT(person.out, HasSubstr(ident::MaskResidentId(id)));
  CtlRun by_id = Ctl(reg, {"record", "get", "--id-number-file", "-"}, dir_ + "/id.txt");
  ASSERT_EQ(by_id.exit_code, 0) << Describe(by_id);
  EXPECT_THAT(by_id.out, HasSubstr("李*"));
  EXPECT_THAT(by_id.out, Not(HasSubstr(id)));
  by_id = Ctl(reg, {"--reveal", "record", "get", "--id-number-file", dir_ + "/id.txt"});
  EXPECT_THAT(by_id.out, HasSubstr(id));
  EXPECT_THAT(by_id.out, HasSubstr("李明"));
  // An ID number on the command line is refused without being echoed.
  CtlRun argv_id = Ctl(reg, {"record", "put", ent, "--set", "legal_representative=persons/abc",
                             "--set", "name=x" + id, "--source", "s", "--reason", "r", "--set",
                             absl::StrCat("id_number=", id)});
  EXPECT_EQ(argv_id.exit_code, kExitUsage) << Describe(argv_id);
  CtlRun argv_person =
      Ctl(reg, {"record", "put", "--kind", "person", "--id-number-file", dir_ + "/id.txt", "--set",
                absl::StrCat("id_number=", id), "--source", "s", "--reason", "r"});
  EXPECT_EQ(argv_person.exit_code, kExitUsage) << Describe(argv_person);
  EXPECT_THAT(argv_person.err, HasSubstr("--id-number-file"));
  EXPECT_THAT(argv_person.err, Not(HasSubstr(id)));

  // Usage errors: 2.
  EXPECT_EQ(Ctl(reg, {"record", "frobnicate"}).exit_code, kExitUsage);
  EXPECT_EQ(
      Ctl(reg, {"record", "get", ent, "--revision", "1", "--valid-at", "2024-01-01"}).exit_code,
      kExitUsage);
  CtlRun help = Ctl(reg, {"import", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("Example: registryctl import"));
}

// Whatever a person types, an ID number or a mobile number reaches the terminal masked:
// in a stray argument, a file name, a reason, and an ID number file that is not one.
TEST_F(RegistryctlTest, PersonalNumbersStayMaskedInDiagnosticsAndFreeText) {
  testing::Daemon d = StartRegistry(dir_ + "/data", dir_ + "/registryd.log");
  const std::string reg = d.grpc_address();
  ApplyExamples(reg);
  const std::string id = ident::MakeResidentId("350403", absl::CivilDay(1945, 3, 12), 1);
  const std::string masked_id = ident::MaskResidentId(id);
  const std::string mobile = "13905983312";

  // A stray argument: CLI11 quotes it, masked.
  CtlRun stray = Ctl(reg, {"record", "get", "persons/p1k186tpvechncfq2w7m", id});
  EXPECT_EQ(stray.exit_code, kExitUsage) << Describe(stray);
  EXPECT_THAT(stray.err, HasSubstr(masked_id));
  EXPECT_THAT(stray.err, Not(HasSubstr(id)));

  // --set id_number=... is refused before any call: the registry may be down.
  WriteFile(dir_ + "/id.txt", id + "\n");
  CtlRun offline =
      Registryctl(dir_, {"--registry", "127.0.0.1:1", "record", "put", "--kind", "person",
                         "--id-number-file", dir_ + "/id.txt", "--set",
                         absl::StrCat("id_number=", id), "--source", "s", "--reason", "r"});
  EXPECT_EQ(offline.exit_code, kExitUsage) << Describe(offline);
  EXPECT_THAT(offline.err, Not(HasSubstr(id)));

  // An ID number file is read to its first line only: a device that never ends is refused.
  CtlRun endless = Ctl(reg, {"record", "get", "--id-number-file", "/dev/zero"});
  EXPECT_EQ(endless.exit_code, kExitUsage) << Describe(endless);
  EXPECT_THAT(endless.err, HasSubstr("too long to be an ID number"));

  // A reason that quotes the numbers: masked in history and audit tables, clear with --reveal.
  const std::string reason = absl::StrCat("核对 ", id, " 的手机 ", mobile);
  CtlRun put = Ctl(
      reg, {"record", "put", "--kind", "person", "--id-number-file", dir_ + "/id.txt", "--set",
            "name=宋文富", "--set", "gender=1", "--set", "birth_date=1945-03-12", "--set",
            "mobile_phone=" + mobile, "--source", "public-security.household", "--reason", reason});
  ASSERT_EQ(put.exit_code, 0) << Describe(put);
  CtlRun history = Ctl(reg, {"record", "history", "--id-number-file", dir_ + "/id.txt"});
  ASSERT_EQ(history.exit_code, 0) << Describe(history);
  EXPECT_THAT(history.out, HasSubstr(absl::StrCat("核对 ", masked_id, " 的手机 139****3312")));
  EXPECT_THAT(history.out, Not(HasSubstr(id)));
  EXPECT_THAT(history.out, Not(HasSubstr(mobile)));
  CtlRun changes = Ctl(reg, {"audit", "changes"});
  ASSERT_EQ(changes.exit_code, 0) << Describe(changes);
  EXPECT_THAT(changes.out, HasSubstr(masked_id));
  EXPECT_THAT(changes.out, Not(HasSubstr(id)));
  EXPECT_THAT(changes.out, Not(HasSubstr(mobile)));
  // An auditor finds a person's file by ID number, and that lookup is itself recorded.
  CtlRun found =
      Ctl(reg, {"--as", "auditor", "audit", "access", "--id-number-file", dir_ + "/id.txt"});
  ASSERT_EQ(found.exit_code, 0) << Describe(found);
  EXPECT_THAT(found.out, ::testing::ContainsRegex("^persons/[a-z0-9]+\n"));
  EXPECT_THAT(found.out + found.err, Not(HasSubstr(id)));
  CtlRun looked_up =
      Ctl(reg, {"--as", "auditor", "audit", "access", "--id-number-file", dir_ + "/id.txt"});
  ASSERT_EQ(looked_up.exit_code, 0) << Describe(looked_up);
  EXPECT_THAT(looked_up.out, HasSubstr("principals/auditor"));
  CtlRun not_auditor = Ctl(reg, {"--as", "spiffe://sanming.gov.cn/approval/tax", "audit", "access",
                                 "--id-number-file", dir_ + "/id.txt"});
  EXPECT_EQ(not_auditor.exit_code, 64 + 7) << Describe(not_auditor);
  CtlRun revealed =
      Ctl(reg, {"--reveal", "record", "history", "--id-number-file", dir_ + "/id.txt"});
  ASSERT_EQ(revealed.exit_code, 0) << Describe(revealed);
  EXPECT_THAT(revealed.out, HasSubstr(reason));

  // A file named by an ID number: neither the summary nor the report line nor a stored
  // reason carries it.
  fs::create_directories(dir_ + "/" + id);
  const std::string named = dir_ + "/" + id + "/" + id + ".csv";
  WriteFile(named, "id_number,name\n" + id + ",\n");
  CtlRun bad = Ctl(reg, {"import", "--kind", "person", named});
  EXPECT_EQ(bad.exit_code, kExitInvalid) << Describe(bad);
  EXPECT_THAT(bad.out + bad.err, Not(HasSubstr(id)));
  EXPECT_THAT(bad.err, HasSubstr(masked_id + ".csv"));
  const std::string other = ident::MakeResidentId("350403", absl::CivilDay(1950, 6, 1), 4);
  WriteFile(named, "id_number,name,gender,birth_date\n" + other + ",吴秀英,2,1950-06-01\n");
  CtlRun good =
      Ctl(reg, {"import", "--kind", "person", named, "--source", "public-security.household"});
  ASSERT_EQ(good.exit_code, 0) << Describe(good);
  EXPECT_THAT(good.out + good.err, Not(HasSubstr(id)));
  WriteFile(dir_ + "/other.txt", other + "\n");
  history = Ctl(reg, {"--reveal", "record", "history", "--id-number-file", dir_ + "/other.txt"});
  ASSERT_EQ(history.exit_code, 0) << Describe(history);
  EXPECT_THAT(history.out, HasSubstr(absl::StrCat("bulk import of ", dir_, "/", masked_id)));
  EXPECT_THAT(history.out, Not(HasSubstr(id)));
}

// A stored value is text to show, never terminal control: escape sequences and line
// breaks in a value come out as spaces, in `record put`'s summary as in tables.
TEST_F(RegistryctlTest, StoredControlCharactersNeverReachTheTerminal) {
  testing::Daemon d = StartRegistry(dir_ + "/data", dir_ + "/registryd.log");
  const std::string reg = d.grpc_address();
  ApplyExamples(reg);
  const std::string ent = "enterprises/91350400MA2YQ8KX1E";
  CtlRun put = Ctl(reg, {"record", "put", ent, "--set", "name=钢源\x1b[2J公司\nline 2: forged",
                         "--source", "market-regulation", "--reason", "设立登记"});
  ASSERT_EQ(put.exit_code, 0) << Describe(put);
  EXPECT_EQ(put.out.find('\x1b'), std::string::npos) << put.out;
  EXPECT_THAT(put.out, HasSubstr("钢源 [2J公司 line 2: forged"));
  CtlRun get = Ctl(reg, {"record", "get", ent});
  ASSERT_EQ(get.exit_code, 0) << Describe(get);
  EXPECT_EQ(get.out.find('\x1b'), std::string::npos) << get.out;
  EXPECT_THAT(get.out, Not(HasSubstr("\nline 2")));
}

// The command line as a new user meets it, next to kubectl and etcdctl: unknown commands
// named with the nearest one, version, completion, readable range errors, one output module
// (-o json|yaml|name everywhere), contexts from a config file, dry-run diffs, paging.
TEST_F(RegistryctlTest, CommandLineConventions) {
  // Without a registry.
  CtlRun typo = Registryctl(dir_, {"recrod", "get", "enterprises/91350400MA2YQ8KX1E"});
  EXPECT_EQ(typo.exit_code, kExitUsage) << Describe(typo);
  EXPECT_THAT(typo.err, HasSubstr("unknown command \"recrod\" for \"registryctl\""));
  EXPECT_THAT(typo.err, HasSubstr("did you mean \"record\"?"));
  CtlRun sub = Registryctl(dir_, {"--registry", "127.0.0.1:1", "record", "gte"});
  EXPECT_EQ(sub.exit_code, kExitUsage) << Describe(sub);
  EXPECT_THAT(sub.err, HasSubstr("unknown command \"gte\" for \"registryctl record\""));
  EXPECT_THAT(sub.err, HasSubstr("did you mean \"get\"?"));
  CtlRun group = Registryctl(dir_, {"audit"});
  EXPECT_EQ(group.exit_code, kExitUsage) << Describe(group);
  EXPECT_THAT(group.err, HasSubstr("\"registryctl audit\" needs a command: head, verify"));
  CtlRun none = Registryctl(dir_, {"frobnicate"});
  EXPECT_THAT(none.err, HasSubstr("commands: catalog, matter"));

  CtlRun version = Registryctl(dir_, {"version", "--client"});
  EXPECT_EQ(version.exit_code, 0) << Describe(version);
  EXPECT_THAT(version.out, ::testing::ContainsRegex("Client Version: [0-9]+\\.[0-9]+\\.[0-9]+"));
  CtlRun unreachable =
      Registryctl(dir_, {"--registry", "127.0.0.1:1", "--timeout", "2", "--version"});
  EXPECT_EQ(unreachable.exit_code, 64 + 14) << Describe(unreachable);
  EXPECT_THAT(unreachable.out, HasSubstr("did not answer"));

  // Completion: the script completes commands and flags at every level.
  CtlRun bash = Registryctl(dir_, {"completion", "bash"});
  ASSERT_EQ(bash.exit_code, 0) << Describe(bash);
  WriteFile(dir_ + "/completion.bash", bash.out);
  auto complete = [&](const std::string& words, int cword) {
    WriteFile(dir_ + "/complete.sh",
              absl::StrCat("source ", dir_, "/completion.bash\nCOMP_WORDS=(", words,
                           ")\nCOMP_CWORD=", cword, "\n_registryctl\necho \"${COMPREPLY[*]}\"\n"));
    auto r = testing::RunShell(absl::StrCat("bash ", dir_, "/complete.sh"));
    return r.out;
  };
  EXPECT_THAT(complete("registryctl rec", 1), HasSubstr("record"));
  EXPECT_THAT(complete("registryctl record h", 2), HasSubstr("history"));
  EXPECT_THAT(complete("registryctl record get --fi", 3), HasSubstr("--fields"));
  EXPECT_THAT(complete("registryctl --reg", 1), HasSubstr("--registry"));
  EXPECT_EQ(Registryctl(dir_, {"completion", "zsh"}).exit_code, 0);

  // Range errors a person reads.
  CtlRun zero = Registryctl(dir_, {"--timeout", "0", "matter", "list"});
  EXPECT_EQ(zero.exit_code, kExitUsage) << Describe(zero);
  EXPECT_THAT(zero.err, HasSubstr("more than 0"));
  EXPECT_LT(zero.err.size(), 300u) << zero.err;
  CtlRun batch = Registryctl(dir_, {"import", "--kind", "person", "x.csv", "--batch", "0"});
  EXPECT_EQ(batch.exit_code, kExitUsage) << Describe(batch);
  EXPECT_THAT(batch.err, HasSubstr("must be a whole number from 1 to 1000, got '0'"));
  CtlRun format = Registryctl(dir_, {"-o", "xml", "matter", "list"});
  EXPECT_THAT(format.err, HasSubstr("must be one of table, json, yaml, name"));

  // Global flags are named under every command's help, and listed by `options`.
  CtlRun help = Registryctl(dir_, {"record", "get", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("Global flags"));
  EXPECT_THAT(help.out, HasSubstr("Example: registryctl record get"));
  CtlRun options = Registryctl(dir_, {"options"});
  EXPECT_THAT(options.out, HasSubstr("REGISTRYCTL_OUTPUT"));
  EXPECT_THAT(options.out, HasSubstr("REGISTRYCTL_CONTEXT"));

  testing::Daemon d = StartRegistry(dir_ + "/data", dir_ + "/registryd.log");
  const std::string reg = d.grpc_address();
  ApplyExamples(reg);

  CtlRun server = Ctl(reg, {"version"});
  EXPECT_EQ(server.exit_code, 0) << Describe(server);
  EXPECT_THAT(server.out, ::testing::ContainsRegex("Server Version: [0-9]+\\.[0-9]+\\.[0-9]+"));

  // Contexts: the file's current context supplies --registry; a flag still wins; a context
  // that does not exist is a usage error naming the ones that do.
  WriteFile(dir_ + "/config.toml",
            absl::StrCat("current-context = \"local\"\n\n[contexts.local]\nregistry = \"", reg,
                         "\"\noutput = \"name\"\n\n[contexts.down]\nregistry = \"127.0.0.1:1\"\n"));
  const std::string config = dir_ + "/config.toml";
  CtlRun ctx = Registryctl(dir_, {"--config", config, "matter", "list"});
  ASSERT_EQ(ctx.exit_code, 0) << Describe(ctx);
  EXPECT_THAT(ctx.out, HasSubstr("matters/data-governance-review-person\n"));
  EXPECT_THAT(ctx.out, Not(HasSubstr("TITLE")));  // -o name from the context
  CtlRun flag_wins = Registryctl(dir_, {"--config", config, "--context", "down", "--registry", reg,
                                        "-o", "table", "matter", "list"});
  ASSERT_EQ(flag_wins.exit_code, 0) << Describe(flag_wins);
  EXPECT_THAT(flag_wins.out, HasSubstr("TITLE"));
  CtlRun missing = Registryctl(dir_, {"--config", config, "--context", "prod", "matter", "list"});
  EXPECT_EQ(missing.exit_code, kExitUsage) << Describe(missing);
  EXPECT_THAT(missing.err, HasSubstr("no context 'prod'"));
  EXPECT_THAT(missing.err, HasSubstr("(contexts: down, local)"));

  // --fields takes one comma-separated value and leaves NAME alone.
  const std::string ent = "enterprises/91350400MA2YQ8KX1E";
  ASSERT_EQ(Ctl(reg, {"record", "put", ent, "--set", "name=福建省钢源粉体材料有限公司", "--set",
                      "registered_capital=5000", "--source", "market-regulation", "--reason",
                      "设立登记", "--request-id", "first-write"})
                .exit_code,
            0);
  CtlRun fields = Ctl(reg, {"record", "get", "--fields", "name,registered_capital", ent});
  ASSERT_EQ(fields.exit_code, 0) << Describe(fields);
  EXPECT_THAT(fields.out, HasSubstr("registered_capital"));
  // A replayed request id prints the first outcome's sequence, not 0.
  CtlRun replay = Ctl(reg, {"record", "put", ent, "--set", "name=福建省钢源粉体材料有限公司",
                            "--set", "registered_capital=5000", "--source", "market-regulation",
                            "--reason", "设立登记", "--request-id", "first-write"});
  ASSERT_EQ(replay.exit_code, 0) << Describe(replay);
  EXPECT_THAT(replay.out, ::testing::ContainsRegex("revision 1, sequence [1-9]"));
  EXPECT_THAT(replay.out, HasSubstr("request id seen before"));

  // One output module: json (two-space indented), yaml and name alike.
  CtlRun json = Ctl(reg, {"-o", "json", "matter", "get", "data-governance-review-person"});
  ASSERT_EQ(json.exit_code, 0) << Describe(json);
  EXPECT_THAT(json.out, HasSubstr("{\n  \"name\": \"matters/data-governance-review-person\""));
  CtlRun yaml = Ctl(reg, {"-o", "yaml", "matter", "get", "data-governance-review-person"});
  ASSERT_EQ(yaml.exit_code, 0) << Describe(yaml);
  EXPECT_THAT(yaml.out, HasSubstr("name: \"matters/data-governance-review-person\"\n"));
  EXPECT_THAT(yaml.out, HasSubstr("formFields:\n- key: "));
  CtlRun names = Ctl(reg, {"-o", "name", "principal", "list", "--limit", "2"});
  ASSERT_EQ(names.exit_code, 0) << Describe(names);
  EXPECT_EQ(std::count(names.out.begin(), names.out.end(), '\n'), 2) << names.out;
  CtlRun verify = Ctl(reg, {"-o", "json", "audit", "verify"});
  ASSERT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_THAT(verify.out, HasSubstr("\"verified\": true"));
  CtlRun changes = Ctl(reg, {"audit", "changes", "--limit", "1"});
  ASSERT_EQ(changes.exit_code, 0) << Describe(changes);
  EXPECT_THAT(changes.out, ::testing::ContainsRegex("#  +TIME  +PRINCIPAL  +EVENT"));
  EXPECT_EQ(std::count(changes.out.begin(), changes.out.end(), '\n'), 2) << changes.out;
  // A name that cannot be valid is INVALID_ARGUMENT (67), one that could be is NOT_FOUND.
  for (const char* kind : {"matter", "bundle", "principal", "evidence-type", "dispute"}) {
    CtlRun bad_name = Ctl(reg, {kind, "get", "Bad_Name"});
    EXPECT_EQ(bad_name.exit_code, kExitInvalid) << kind << "\n" << Describe(bad_name);
    EXPECT_THAT(bad_name.err, HasSubstr("INVALID_ARGUMENT (INVALID_NAME)")) << kind;
  }
  EXPECT_EQ(Ctl(reg, {"matter", "get", "no-such-matter"}).exit_code, 64 + 5);
  CtlRun no_names = Ctl(reg, {"-o", "name", "audit", "head"});
  EXPECT_EQ(no_names.exit_code, kExitUsage) << Describe(no_names);

  // apply --dry-run tells unchanged, would create and would change, field by field.
  const std::string examples = std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples/";
  CtlRun same = Ctl(reg, {"matter", "apply", "--dry-run", "-f",
                          examples + "matters/data-governance-review-person.txtpb"});
  ASSERT_EQ(same.exit_code, 0) << Describe(same);
  EXPECT_THAT(same.out, HasSubstr("unchanged at version 1 (dry run)"));
  std::string changed = ReadFile(examples + "principals/auditor.txtpb");
  changed = std::regex_replace(changed, std::regex("display_name: \"[^\"]*\""),
                               "display_name: \"审计（新）\"");
  WriteFile(dir_ + "/auditor.txtpb", changed);
  CtlRun diff = Ctl(reg, {"principal", "apply", "--dry-run", "-f", dir_ + "/auditor.txtpb"});
  ASSERT_EQ(diff.exit_code, 0) << Describe(diff);
  EXPECT_THAT(diff.out, HasSubstr("would change from version 1 (dry run; nothing stored):"));
  EXPECT_THAT(diff.out, HasSubstr("~ displayName: "));
  EXPECT_THAT(diff.out, HasSubstr("-> \"审计（新）\""));
  changed = std::regex_replace(changed, std::regex("name: \"principals/auditor\""),
                               "name: \"principals/auditor-2\"");
  WriteFile(dir_ + "/new.txtpb", std::regex_replace(changed, std::regex("identity: \"auditor\""),
                                                    "identity: \"auditor-2\""));
  CtlRun create = Ctl(reg, {"principal", "apply", "--dry-run", "-f", dir_ + "/new.txtpb"});
  ASSERT_EQ(create.exit_code, 0) << Describe(create);
  EXPECT_THAT(create.out, HasSubstr("principals/auditor-2 would be created (dry run"));
}

// The registryctl command lines of a Markdown file: "$ registryctl ..." lines (with their
// backslash continuations), the part after "registryctl", up to a pipe, redirection or comment.
std::vector<std::string> DocExamples(const std::string& text) {
  std::vector<std::string> out;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    const size_t at = line.find("registryctl ");
    const size_t dollar = line.find("$ ");
    if (at == std::string::npos || dollar == std::string::npos || dollar > at) continue;
    std::string cmd = line.substr(at + std::string("registryctl ").size());
    while (!cmd.empty() && cmd.back() == '\\' && i + 1 < lines.size()) {
      cmd.pop_back();
      cmd += " " + lines[++i];
    }
    for (const char* cut : {" #", " >", " |", " 2>", " <", ";"}) {
      if (size_t c = cmd.find(cut); c != std::string::npos) cmd = cmd.substr(0, c);
    }
    out.push_back(cmd);
  }
  return out;
}

// Every example in the help and in the docs is a command line registryctl accepts: the
// flags exist, required ones are there, values are in range (parsed only; nothing runs).
TEST_F(RegistryctlTest, EveryExampleInHelpAndDocsParses) {
  CtlRun listed = Registryctl(dir_, {"__examples"});
  ASSERT_EQ(listed.exit_code, 0) << Describe(listed);
  std::vector<std::pair<std::string, std::string>> examples;  // where, command line
  for (absl::string_view e : absl::StrSplit(listed.out, '\n', absl::SkipEmpty())) {
    examples.emplace_back("--help", std::string(e));
  }
  EXPECT_GT(examples.size(), 30u);
  const std::string root = COLLECTONCE_SOURCE_DIR;
  std::vector<std::string> docs = {root + "/README.md", root + "/tools/registryctl/README.md",
                                   root + "/deploy/examples/demo/README.md"};
  for (const auto& e : fs::directory_iterator(root + "/docs")) {
    if (e.path().extension() == ".md") docs.push_back(e.path());
  }
  int from_docs = 0;
  for (const std::string& doc : docs) {
    for (const std::string& e : DocExamples(ReadFile(doc))) {
      examples.emplace_back(doc.substr(root.size() + 1), e);
      ++from_docs;
    }
  }
  EXPECT_GT(from_docs, 20);
  for (const auto& [where, line] : examples) {
    std::vector<std::string> args = ShellWords(line);
    args.insert(args.begin(), "--parse-only");
    CtlRun r = Registryctl(dir_, args);
    EXPECT_EQ(r.exit_code, 0) << where << ": registryctl " << line << "\n" << Describe(r);
  }
}

// 100,000 persons with valid ID numbers over Sanming's divisions, plausible names.
struct Generated {
  std::string csv;
  absl::flat_hash_set<std::string> ids;
};

Generated GeneratePersons(int n) {
  static const char* kFamily[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                  "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "郑"};
  static const char* kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                 "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
                                 "刚", "桂", "英", "华", "建", "国", "文", "燕", "玲", "辉"};
  static const char* kStreets[] = {"三元区列东街道", "沙县区凤岗街道", "永安市燕西街道",
                                   "尤溪县城关镇",   "明溪县雪峰镇",   "大田县均溪镇"};
  std::mt19937 rng(20240601);
  auto pick = [&](int size) { return static_cast<int>(rng() % static_cast<uint32_t>(size)); };
  const auto divisions = ident::SanmingDivisions();
  Generated g;
  g.csv = "id_number,name,gender,birth_date,household_address\n";
  while (static_cast<int>(g.ids.size()) < n) {
    const absl::CivilDay birth = absl::CivilDay(1940, 1, 1) + pick(365 * 65);
    const int seq = pick(1000);
    std::string id =
        ident::MakeResidentId(divisions[pick(static_cast<int>(divisions.size()))].code, birth, seq);
    if (!g.ids.insert(id).second) continue;
    std::string name = absl::StrCat(kFamily[pick(20)], kGiven[pick(30)]);
    if (pick(2) == 0) absl::StrAppend(&name, kGiven[pick(30)]);
    // Some addresses need quoting (a comma, a quote).
    std::string address = absl::StrCat(kStreets[pick(6)], pick(200) + 1, "号");
    if (pick(10) == 0) address = absl::StrCat("\"", address, ", ", pick(30) + 1, "栋\"\"A\"\"座\"");
    absl::StrAppend(&g.csv, id, ",", name, ",", seq % 2 == 1 ? "1" : "2", ",",
                    absl::FormatCivilTime(birth), ",", address, "\n");
  }
  return g;
}

int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(RegistryctlTest, BulkImportExportRoundTripAndBackupRestore) {
  testing::Daemon d = StartRegistry(dir_ + "/data", dir_ + "/registryd.log");
  const std::string reg = d.grpc_address();
  ApplyExamples(reg);

  constexpr int kPersons = 100000;
  Generated gen = GeneratePersons(kPersons);
  const std::string csv = dir_ + "/persons.csv";
  WriteFile(csv, gen.csv);
  auto last = std::chrono::steady_clock::now();
  auto step = [&last](const char* what) {
    const auto now = std::chrono::steady_clock::now();
    std::cout << "  " << what << ": " << std::chrono::duration<double>(now - last).count()
              << " s\n";
    last = now;
  };
  CtlRun imp = Ctl(reg, {"import", "--kind", "person", csv});
  ASSERT_EQ(imp.exit_code, 0) << Describe(imp);
  EXPECT_THAT(imp.out, HasSubstr("100000 written, 0 unchanged, 0 failed"));
  std::cout << "first import: " << imp.out;
  const int64_t after_import = CommitSequence(d);
  EXPECT_EQ(after_import, kPersons);
  step("import");
  // The same file again writes nothing new.
  imp = Ctl(reg, {"import", "--kind", "person", csv});
  ASSERT_EQ(imp.exit_code, 0) << Describe(imp);
  EXPECT_THAT(imp.out, HasSubstr("0 written, 100000 unchanged, 0 failed"));
  EXPECT_EQ(CommitSequence(d), after_import);

  step("re-import");
  // A file with bad rows: each reported by line, nothing written, no ID number shown.
  auto it = gen.ids.begin();
  const std::string good1 = *it++, good2 = *it++;
  const std::string fresh = ident::MakeResidentId("350403", absl::CivilDay(1988, 8, 8), 11);
  std::string bad_check = ident::MakeResidentId("350403", absl::CivilDay(1977, 7, 7), 13);
  bad_check.back() = bad_check.back() == '3' ? '4' : '3';
  const std::string f17 = "35040319900230015";
  const std::string bad_date = f17 + ident::ResidentIdCheckChar(f17);
  const std::string other = ident::MakeResidentId("350403", absl::CivilDay(1966, 6, 6), 17);
  const std::string bad_csv = absl::StrCat(
      "id_number,name,gender,birth_date,household_address\n", fresh,
      ",新人,1,1988-08-08,三元区\n",         // 2: good (and new)
      bad_check, ",错校验,1,,\n",            // 3: bad check character
      bad_date, ",错日期,1,,\n",             // 4: 19900230
      good1, ",张三,5,,\n",                  // 5: unknown code
      good2, ",李四,1\n",                    // 6: wrong column count
      other, ",\xE7\x8E\x8B\xC3\x28,1,,\n",  // 7: invalid UTF-8
      ident::MakeResidentId("350403", absl::CivilDay(1955, 5, 5), 19), ",,1,,\n");  // 8: no name
  const std::string bad_path = dir_ + "/bad.csv";
  WriteFile(bad_path, bad_csv);
  CtlRun bad = Ctl(reg, {"import", "--kind", "person", bad_path});
  EXPECT_EQ(bad.exit_code, kExitInvalid) << Describe(bad);
  const std::string report = ReadFile(bad_path + ".report.txt");  // in the current directory
  EXPECT_THAT(bad.err, HasSubstr("report: bad.csv.report.txt"));
  for (const std::string& expected :
       {std::string("line 3: field id_number: FORMAT: "),
        std::string("line 4: field id_number: FORMAT: "),
        std::string("line 5: field gender: CODE: "), std::string("line 6: expected 5 columns"),
        std::string("line 7: field name: ENCODING: is not valid UTF-8"),
        std::string("line 8: field name: REQUIRED: ")}) {
    EXPECT_THAT(bad.err, HasSubstr(expected)) << Describe(bad);
    EXPECT_THAT(report, HasSubstr(expected));
  }
  EXPECT_THAT(bad.err, Not(HasSubstr("line 2:")));
  EXPECT_THAT(bad.out, HasSubstr("0 written"));
  for (const std::string& id : {fresh, bad_check, bad_date, good1, good2, other}) {
    EXPECT_THAT(bad.err, Not(HasSubstr(id)));
    EXPECT_THAT(report, Not(HasSubstr(id)));
  }
  EXPECT_EQ(CommitSequence(d), after_import);  // nothing written, not even line 2

  step("bad file");
  // A marker written after everything: exporting as of the instant before it leaves it out.
  WriteFile(dir_ + "/marker.txt", fresh + "\n");
  CtlRun marker = Ctl(reg, {"-o", "json", "record", "put", "--kind", "person", "--id-number-file",
                            dir_ + "/marker.txt", "--set", "name=标记", "--source",
                            "data-governance", "--reason", "export marker"});
  ASSERT_EQ(marker.exit_code, 0) << Describe(marker);
  v1::UpdateRecordResponse marker_resp;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(marker.out, &marker_resp).ok())
      << marker.out;
  const auto& ct = marker_resp.change_set().commit_time();
  const absl::Time before_marker =
      absl::FromUnixSeconds(ct.seconds()) + absl::Nanoseconds(ct.nanos()) - absl::Microseconds(1);
  const std::string as_of =
      absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ", before_marker, absl::UTCTimeZone());

  CtlRun e1 = Ctl(reg, {"export", "--kind", "person", "--as-of", as_of});
  ASSERT_EQ(e1.exit_code, 0) << Describe(e1);
  std::cout << e1.err;
  ASSERT_EQ(CountLines(e1.out), kPersons);
  int found = 0;
  for (absl::string_view line : absl::StrSplit(e1.out, '\n', absl::SkipEmpty())) {
    static constexpr absl::string_view kKey = "{\"id_number\":\"";
    ASSERT_TRUE(absl::StartsWith(line, kKey)) << line;
    found += gen.ids.contains(line.substr(kKey.size(), 18)) ? 1 : 0;
  }
  EXPECT_EQ(found, kPersons);
  EXPECT_THAT(e1.out, HasSubstr("\"household_address\":\""));
  EXPECT_THAT(e1.out, Not(HasSubstr("标记")));

  step("export 1");
  const std::string exported = dir_ + "/persons.jsonl";
  WriteFile(exported, e1.out);
  imp = Ctl(reg, {"import", "--kind", "person", exported});
  ASSERT_EQ(imp.exit_code, 0) << Describe(imp);
  EXPECT_THAT(imp.out, HasSubstr("0 written, 100000 unchanged, 0 failed"));
  step("import of the export");
  CtlRun e2 = Ctl(reg, {"export", "--kind", "person", "--as-of", as_of});
  ASSERT_EQ(e2.exit_code, 0) << Describe(e2);
  EXPECT_TRUE(e1.out == e2.out) << "two exports of the same data differ";
  step("export 2");
  // Backup, verify, restore into a fresh directory, serve it, compare.
  const std::string backups = dir_ + "/backups";
  CtlRun backup = Ctl(reg, {"backup", "create", backups});
  ASSERT_EQ(backup.exit_code, 0) << Describe(backup);
  // The audit tree head as the backup has it: nothing writes to the registry in between.
  auto tree_head = [&](const std::string& address) {
    CtlRun h = Ctl(address, {"audit", "head"});
    EXPECT_EQ(h.exit_code, 0) << Describe(h);
    collectonce::registry::v1::SignedTreeHead head;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(h.out, &head).ok()) << h.out;
    return head;
  };
  const auto head_at_backup = tree_head(reg);
  ASSERT_GT(head_at_backup.tree_size(), static_cast<uint64_t>(kPersons));
  EXPECT_THAT(backup.out, HasSubstr(absl::StrCat(after_import + 1)));  // last commit sequence
  CtlRun verify = Ctl(reg, {"backup", "verify", backups});
  ASSERT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_THAT(verify.out, HasSubstr(" ok"));
  const std::string restored = dir_ + "/restored";
  CtlRun restore = Ctl(reg, {"backup", "restore", backups, "--data-dir", restored, "--index-key",
                             dir_ + "/data/keys/index.key"});
  ASSERT_EQ(restore.exit_code, 0) << Describe(restore);
  // Restored beside the target, then moved into place: nothing of the work is left.
  EXPECT_FALSE(fs::exists(restored + ".restoring"));
  EXPECT_TRUE(fs::exists(restored + "/keys/index.key"));
  CtlRun again = Ctl(reg, {"backup", "restore", backups, "--data-dir", restored});
  EXPECT_EQ(again.exit_code, kExitUsage) << Describe(again);
  EXPECT_THAT(again.err, HasSubstr("not empty"));
  // A backup id that is not there is a usage error that lists the ones that are.
  CtlRun no_such =
      Ctl(reg, {"backup", "restore", backups, "--data-dir", dir_ + "/r2", "--backup-id", "7"});
  EXPECT_EQ(no_such.exit_code, kExitUsage) << Describe(no_such);
  EXPECT_THAT(no_such.err, HasSubstr("--backup-id 7: no such backup in"));
  EXPECT_THAT(no_such.err, HasSubstr("(backups: 1)"));

  step("backup, verify, restore");
  testing::Daemon d2 = StartRegistry(restored, dir_ + "/registryd2.log");
  // The restored audit log is the same tree (size and root hash) and verifies.
  const auto restored_head = tree_head(d2.grpc_address());
  EXPECT_EQ(restored_head.tree_size(), head_at_backup.tree_size());
  EXPECT_EQ(restored_head.root_hash(), head_at_backup.root_hash());
  CtlRun audit_verify = Ctl(d2.grpc_address(), {"audit", "verify"});
  EXPECT_EQ(audit_verify.exit_code, 0) << Describe(audit_verify);
  CtlRun e3 = Ctl(d2.grpc_address(), {"export", "--kind", "person", "--as-of", as_of});
  ASSERT_EQ(e3.exit_code, 0) << Describe(e3);
  EXPECT_TRUE(e3.out == e1.out) << "the restored registry exports different records";
  step("restored export");
  // With the index key restored, persons are still found by ID number.
  CtlRun marker_get = Ctl(d2.grpc_address(),
                          {"--reveal", "record", "get", "--id-number-file", dir_ + "/marker.txt"});
  ASSERT_EQ(marker_get.exit_code, 0) << Describe(marker_get);
  EXPECT_THAT(marker_get.out, HasSubstr("标记"));
  EXPECT_EQ(CommitSequence(d2), after_import + 1);

  step("restored checks");
  // A damaged backup file fails verification.
  std::string victim;
  uintmax_t largest = 0;
  for (const auto& e : fs::recursive_directory_iterator(backups)) {
    if (e.is_regular_file() && e.path().extension() == ".sst" && e.file_size() > largest) {
      largest = e.file_size();
      victim = e.path();
    }
  }
  ASSERT_FALSE(victim.empty());
  fs::permissions(victim, fs::perms::owner_write, fs::perm_options::add);
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(largest / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(largest / 2));
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  verify = Ctl(reg, {"backup", "verify", backups});
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
  EXPECT_THAT(verify.err, HasSubstr("failed verification"));
}

// A file is checked whole and then read again to be sent, never held in memory: a bad row
// far past the first block read (1 MiB) still stops every row before it, and so does a
// subject seen again at the very end; the file without them is then written whole, from
// standard input (spooled, as it is read twice).
TEST_F(RegistryctlTest, ABadRowLateInALargeFileWritesNothing) {
  testing::Daemon d = StartRegistry(dir_ + "/data", dir_ + "/registryd.log");
  const std::string reg = d.grpc_address();
  ApplyExamples(reg);
  const int64_t before = CommitSequence(d);
  constexpr int kPersons = 30000;
  const Generated gen = GeneratePersons(kPersons);
  ASSERT_GT(gen.csv.size(), size_t{3} << 19);  // more than 1.5 MiB: several blocks
  const int last_line = kPersons + 2;          // the header is line 1

  std::string bad_check = ident::MakeResidentId("350403", absl::CivilDay(1977, 7, 7), 13);
  bad_check.back() = bad_check.back() == '3' ? '4' : '3';
  WriteFile(dir_ + "/late-bad.csv", gen.csv + bad_check + ",迟到,1,,\n");
  CtlRun bad = Ctl(reg, {"import", "--kind", "person", dir_ + "/late-bad.csv"});
  EXPECT_EQ(bad.exit_code, kExitInvalid) << Describe(bad);
  EXPECT_THAT(bad.err, HasSubstr(absl::StrCat("line ", last_line, ": field id_number: FORMAT: ")));
  EXPECT_THAT(bad.out, HasSubstr("0 written"));
  EXPECT_EQ(CommitSequence(d), before);

  const std::string first_id = gen.csv.substr(gen.csv.find('\n') + 1, 18);
  ASSERT_TRUE(gen.ids.contains(first_id));
  WriteFile(dir_ + "/late-dup.csv", gen.csv + first_id + ",重复,1,,\n");
  CtlRun dup = Ctl(reg, {"import", "--kind", "person", dir_ + "/late-dup.csv"});
  EXPECT_EQ(dup.exit_code, kExitInvalid) << Describe(dup);
  EXPECT_THAT(dup.err, HasSubstr(absl::StrCat("line ", last_line,
                                              ": field id_number: DUPLICATE: the same person "
                                              "as line 2")));
  EXPECT_EQ(CommitSequence(d), before);

  WriteFile(dir_ + "/good.csv", gen.csv);
  CtlRun good =
      Ctl(reg, {"import", "--kind", "person", "--format", "csv", "-"}, dir_ + "/good.csv");
  ASSERT_EQ(good.exit_code, 0) << Describe(good);
  EXPECT_THAT(good.out, HasSubstr(absl::StrCat(kPersons, " written, 0 unchanged, 0 failed")));
  EXPECT_EQ(CommitSequence(d), before + kPersons);
}

}  // namespace
}  // namespace collectonce
