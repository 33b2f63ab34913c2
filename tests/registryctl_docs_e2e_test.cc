// The registryctl examples of docs/api.md, run against a registry loaded with the demo data
// exactly as tools/run-local loads it, their shown output compared with what runs.
//
// An example is an indented "$ registryctl ..." line (with its backslash continuations, and
// `echo VALUE |` in front for stdin) and the indented lines under it, up to the next "$"
// line: its stdout as the doc shows it. A line "…" stands for any number of lines; "…" inside
// a line for any text. Only what varies from run to run is normalised, on both sides:
// timestamps (the registry's commit times), the date of the run (the persons are valid from
// the day they were imported, shown as kImportDay), commit sequences and etags, ages (left out),
// and person ids (the registry draws them at random: each doc id is mapped to the id the
// person got, by ID number). Because normalised values change widths, runs of spaces are
// compared as one, and blank lines are ignored.
//
// Only read-only examples run (reads, lists, pre-fills and `apply --dry-run`; reads are
// audited, which changes no shown output): every example that
// writes (puts, applies, disputes, backups, redirections to files) depends on the walk-through
// around it, and the demo stays as run-local leaves it. Their command lines are still
// parsed by EveryExampleInHelpAndDocsParses (registryctl_e2e_test).
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon.h"
#include "tests/registryctl_run.h"

namespace collectonce {
namespace {

namespace fs = std::filesystem;
using testing::CtlRun;
using testing::Describe;
using testing::ShellWords;

// The day the docs show as the demo's import day (the persons' VALID FROM).
constexpr char kImportDay[] = "2026-11-27";
// Persons the docs name by id, by ID number (their ids differ in every registry).
const std::map<std::string, std::string>& DocPersons() {
  static const auto* m = new std::map<std::string, std::string>{
      {"persons/p1k186tpvechncfq2w7m", "350403194503120012"},  // 宋文富, persons.csv row 1
  };
  return *m;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct DocExample {
  int line = 0;                    // 1-based, in the doc
  std::string command;             // after "registryctl "
  std::string stdin_text;          // from `echo VALUE |`, else empty
  bool plain = true;               // no redirection, pipe to another program or `;`
  std::vector<std::string> shown;  // the output lines under it
};

// The "$ ..." examples of an indented code block that call registryctl.
std::vector<DocExample> ExtractExamples(const std::string& text) {
  std::vector<DocExample> out;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  DocExample* current = nullptr;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (!absl::StartsWith(line, "    ")) {
      if (!absl::StripAsciiWhitespace(line).empty()) current = nullptr;
      continue;
    }
    absl::string_view body = absl::string_view(line).substr(4);
    if (!absl::ConsumePrefix(&body, "$ ")) {
      if (current != nullptr) current->shown.emplace_back(body);
      continue;
    }
    current = nullptr;
    std::string cmd(body);
    const int at = static_cast<int>(i) + 1;
    while (!cmd.empty() && cmd.back() == '\\' && i + 1 < lines.size()) {
      cmd.pop_back();
      cmd += " " + std::string(absl::StripLeadingAsciiWhitespace(lines[++i]));
    }
    DocExample e;
    e.line = at;
    static const std::regex kEcho("^echo ([^ |]+) \\| ");
    std::smatch m;
    if (std::regex_search(cmd, m, kEcho)) {
      e.stdin_text = std::string(m[1]) + "\n";
      cmd = m.suffix();
    }
    if (!absl::StartsWith(cmd, "registryctl ")) continue;
    cmd = cmd.substr(std::string("registryctl ").size());
    for (const char* cut : {" #", " >", " |", " 2>", " <", ";"}) {
      if (size_t c = cmd.find(cut); c != std::string::npos) {
        if (std::string(cut) != " #") e.plain = false;
        cmd = cmd.substr(0, c);
      }
    }
    e.command = std::string(absl::StripTrailingAsciiWhitespace(cmd));
    out.push_back(std::move(e));
    current = &out.back();
  }
  return out;
}

// Whether the command only reads: a read, a list, or an apply with --dry-run.
bool ReadOnly(const std::vector<std::string>& args) {
  std::vector<std::string> words;  // the command's words, global flags left out
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--as" || args[i] == "-o" || args[i] == "--output") {
      ++i;
    } else if (!absl::StartsWith(args[i], "-")) {
      words.push_back(args[i]);
    }
  }
  if (!words.empty() && words[0] == "prefill") return true;
  if (words.size() < 2) return false;
  const std::string cmd = absl::StrCat(words[0], " ", words[1]);
  static const char* kReads[] = {
      "record get",    "record history",    "catalog get",        "matter list",
      "matter get",    "bundle list",       "bundle get",         "principal list",
      "principal get", "evidence-type get", "evidence-type list", "audit changes",
      "audit access",  "dispute list",      "dispute get",        "reuse stats"};
  for (const char* r : kReads) {
    if (cmd == r) return true;
  }
  return words[1] == "apply" && absl::c_linear_search(args, "--dry-run");
}

// Both sides' run-dependent values replaced (see the top of the file), spaces collapsed.
std::string Normalise(std::string line, const std::map<std::string, std::string>& ids) {
  for (const auto& [from, to] : ids) absl::StrReplaceAll({{from, to}}, &line);
  static const std::regex kTimestamp(
      "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})");
  static const std::regex kSequence("sequence [0-9]+");
  static const std::regex kEtag("(\"etag\": \"|etag )[0-9a-f-]+");
  static const std::regex kAge("(^| )[0-9]+(ms|s|m|h|d)(?= |$)");
  static const std::regex kSpaces("  +");
  line = std::regex_replace(line, kTimestamp, "<time>");
  line = std::regex_replace(line, kSequence, "sequence <n>");
  line = std::regex_replace(line, kEtag, "$1<etag>");
  // An age is left out altogether: a pre-fill shows none for a value younger than its unit,
  // so whether the column is empty depends on how long the load took.
  line = std::regex_replace(line, kAge, "$1");
  line = std::regex_replace(line, kSpaces, " ");
  return std::string(absl::StripTrailingAsciiWhitespace(line));
}

// One shown line against one line that ran: equal, or with "…" standing for any text.
bool LineMatches(const std::string& shown, const std::string& ran) {
  if (!absl::StrContains(shown, "…")) return shown == ran;
  std::vector<std::string> pieces = absl::StrSplit(shown, "…");
  size_t at = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const std::string p(absl::StripAsciiWhitespace(pieces[i]));
    if (p.empty()) continue;
    const size_t found = ran.find(p, at);
    if (found == std::string::npos || (i == 0 && found != 0)) return false;
    at = found + p.size();
  }
  const std::string last(absl::StripAsciiWhitespace(pieces.back()));
  return last.empty() || absl::EndsWith(ran, last);
}

// The shown lines against the lines that ran; a shown line "…" matches any number of lines.
bool OutputMatches(const std::vector<std::string>& shown, size_t s,
                   const std::vector<std::string>& ran, size_t r) {
  if (s == shown.size()) return r == ran.size();
  if (shown[s] == "…") {
    for (size_t k = r; k <= ran.size(); ++k) {
      if (OutputMatches(shown, s + 1, ran, k)) return true;
    }
    return false;
  }
  return r < ran.size() && LineMatches(shown[s], ran[r]) && OutputMatches(shown, s + 1, ran, r + 1);
}

std::vector<std::string> NormalisedLines(absl::string_view text,
                                         const std::map<std::string, std::string>& ids) {
  std::vector<std::string> out;
  for (absl::string_view l : absl::StrSplit(text, '\n')) {
    std::string n = Normalise(std::string(l), ids);
    if (!n.empty()) out.push_back(std::move(n));
  }
  return out;
}

TEST(DocExampleMatching, AWrongValueFailsAndEllipsesStandForWhatIsLeftOut) {
  const std::map<std::string, std::string> none;
  const std::vector<std::string> ran = NormalisedLines(
      "enterprises/91350400MA2YQ8KX1E  revision 1  updated 2026-12-03T10:01:02.5Z  sequence 9\n"
      "\n"
      "registered_capital  注册资本（万元）  3000    market-regulation\n"
      "registered_address  注册地址          三明市三元区岩前镇吉口产业园\n",
      none);
  auto shown = [&](const std::string& text) { return NormalisedLines(text, none); };
  EXPECT_TRUE(OutputMatches(
      shown("enterprises/91350400MA2YQ8KX1E  revision 1  updated 2026-11-27T02:07:32.337267Z  "
            "sequence 4\nregistered_capital  注册资本（万元）  3000  market-regulation\n…"),
      0, ran, 0));
  EXPECT_TRUE(OutputMatches(shown("…\nregistered_address  注册地址  三明市…产业园"), 0, ran, 0));
  EXPECT_FALSE(OutputMatches(
      shown("enterprises/91350400MA2YQ8KX1E  revision 1  updated 2026-11-27T02:07:32Z  "
            "sequence 4\nregistered_capital  注册资本（万元）  5000  market-regulation\n…"),
      0, ran, 0));
  // Every line that ran is shown, or left out with "…".
  EXPECT_FALSE(OutputMatches(shown("…\nregistered_capital  注册资本（万元）  3000  "
                                   "market-regulation"),
                             0, ran, 0));
  EXPECT_FALSE(
      OutputMatches(shown("…\nregistered_address  注册地址  三明市三元区荆西街道…"), 0, ran, 0));
}

class RegistryctlDocsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/registryctl-docs-e2e-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // registryctl in the source tree (the docs' paths are relative to it), against `registry`
  // and the gateway once one runs.
  CtlRun Ctl(const std::string& registry, std::vector<std::string> args,
             const std::string& stdin_path = "/dev/null") {
    args.insert(args.begin(), {"--registry", registry});
    if (!gateway_.empty()) args.insert(args.begin(), {"--gateway", gateway_});
    return testing::RunRegistryctl(REGISTRYCTL_BINARY, COLLECTONCE_SOURCE_DIR, dir_,
                                   std::move(args), stdin_path);
  }

  // The registryctl commands of tools/run-local ("$CTL" lines), run as it runs them.
  void LoadAsRunLocal(const std::string& registry) {
    const std::string script = ReadFile(std::string(COLLECTONCE_SOURCE_DIR) + "/tools/run-local");
    std::vector<std::string> lines = absl::StrSplit(script, '\n');
    int run = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      absl::string_view l = absl::StripLeadingAsciiWhitespace(lines[i]);
      if (!absl::ConsumePrefix(&l, "\"$CTL\" ")) continue;
      std::string cmd(l);
      while (!cmd.empty() && cmd.back() == '\\' && i + 1 < lines.size()) {
        cmd.pop_back();
        cmd += " " + lines[++i];
      }
      absl::StrReplaceAll({{" >/dev/null", ""},
                           {" >&2", ""},
                           {"$EXAMPLES", std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples"},
                           {"$VAR", dir_}},
                          &cmd);
      CtlRun r = Ctl(registry, ShellWords(cmd));
      ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << Describe(r);
      ++run;
    }
    ASSERT_GE(run, 8) << "tools/run-local loads the demo with fewer registryctl commands";
  }

  // Each doc person id mapped to the id the person got here.
  std::map<std::string, std::string> ResolvePersons(const std::string& registry) {
    std::map<std::string, std::string> ids;
    for (const auto& [doc_id, id_number] : DocPersons()) {
      const std::string in = dir_ + "/id.txt";
      std::ofstream(in) << id_number << "\n";
      CtlRun r = Ctl(registry, {"-o", "json", "record", "get", "--id-number-file", "-"}, in);
      EXPECT_EQ(r.exit_code, 0) << Describe(r);
      static const std::regex kName("\"name\": \"(persons/[0-9a-z]+)\"");
      std::smatch m;
      EXPECT_TRUE(std::regex_search(r.out, m, kName)) << Describe(r);
      if (!m.empty()) ids[doc_id] = m[1];
    }
    return ids;
  }

  std::string dir_, gateway_;
};

TEST_F(RegistryctlDocsTest, ReadOnlyExamplesOfTheApiReferenceShowWhatTheDemoAnswers) {
  auto d = testing::Daemon::Start(REGISTRYD_BINARY,
                                  {"--insecure", "--no-sync", "--data-dir", dir_ + "/data",
                                   "--bootstrap-governance", "registryctl"},
                                  dir_ + "/registryd.log");
  ASSERT_TRUE(d.ok()) << d.status();
  const std::string reg = d->grpc_address();
  auto gw = testing::Daemon::Start(GATEWAYD_BINARY, {"--insecure", "--registry", reg},
                                   dir_ + "/reuse-gatewayd.log");
  ASSERT_TRUE(gw.ok()) << gw.status();
  gateway_ = gw->grpc_address();
  LoadAsRunLocal(reg);
  const std::map<std::string, std::string> doc_to_real = ResolvePersons(reg);
  // What ran is shown in the doc's terms: real ids back to the doc's, today as kImportDay.
  std::map<std::string, std::string> real_to_doc;
  for (const auto& [doc_id, real] : doc_to_real) real_to_doc[real] = doc_id;
  const absl::Time now = absl::Now();
  for (const absl::TimeZone zone : {absl::UTCTimeZone(), absl::FixedTimeZone(8 * 3600)}) {
    real_to_doc[absl::FormatTime("%Y-%m-%d", now, zone)] = kImportDay;
  }
  const std::map<std::string, std::string> none;

  int ran = 0, compared = 0;
  const std::string doc = "docs/api.md";
  for (const DocExample& e :
       ExtractExamples(ReadFile(std::string(COLLECTONCE_SOURCE_DIR) + "/" + doc))) {
    std::string command = e.command;
    for (const auto& [doc_id, real] : doc_to_real) absl::StrReplaceAll({{doc_id, real}}, &command);
    std::vector<std::string> args = ShellWords(command);
    if (!e.plain || !ReadOnly(args)) continue;
    std::string stdin_path = "/dev/null";
    if (!e.stdin_text.empty()) {
      stdin_path = dir_ + "/stdin.txt";
      std::ofstream(stdin_path) << e.stdin_text;
    }
    std::vector<std::string> shown;
    for (const std::string& s : e.shown) {
      std::string n = Normalise(s, none);
      if (!n.empty()) shown.push_back(std::move(n));
    }
    // The gateway adds a served form to the reuse ledger after it answers: a ledger read
    // is repeated, for at most 10 s, until the pre-fill before it is counted.
    const bool ledger = args.size() >= 2 && args[0] == "reuse";
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    CtlRun r;
    std::vector<std::string> got;
    do {
      r = Ctl(reg, args, stdin_path);
      got = NormalisedLines(r.out, real_to_doc);
    } while (ledger && r.exit_code == 0 && !OutputMatches(shown, 0, got, 0) &&
             absl::Now() < give_up);
    ++ran;
    const std::string where = absl::StrCat(doc, ":", e.line, ": registryctl ", e.command);
    ASSERT_EQ(r.exit_code, 0) << where << "\n" << Describe(r);
    if (e.shown.empty()) continue;
    ++compared;
    EXPECT_TRUE(OutputMatches(shown, 0, got, 0))
        << where << "\nthe doc shows (normalised):\n"
        << absl::StrJoin(shown, "\n") << "\nwhat ran (normalised):\n"
        << absl::StrJoin(got, "\n") << "\nas printed:\n"
        << r.out;
  }
  EXPECT_GE(ran, 15) << "fewer read-only examples ran than the doc has";
  EXPECT_GE(compared, 6) << "fewer examples with shown output than the doc has";
}

}  // namespace
}  // namespace collectonce
