// Evidence end to end with the real registryd and registryctl: the real-estate transfer
// system requests marital-status evidence for a demo person; the credential verifies with
// registryctl (our verifier, offline from saved keys and status list) and with the npm
// @sd-jwt/core verifier under node; a presentation of one claim verifies too; tampering
// fails both; the person's marital status changes and the old credential's status turns
// invalid, in our verifier and in node's reading of the status list.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/jose/sd_jwt.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char kExamples[] = COLLECTONCE_SOURCE_DIR "/deploy/examples";
const char kRealEstate[] = "--as spiffe://sanming.gov.cn/approval/real-estate";
const char kSongId[] = "350403194503120012";  // 宋文富 of the demo data: widowed (30)

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

class EvidenceE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-evidence-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto d = testing::Daemon::Start(REGISTRYD_BINARY,
                                    {"--insecure", "--no-sync", "--data-dir", dir_ + "/data",
                                     "--bootstrap-governance", "registryctl"},
                                    dir_ + "/registryd.log");
    ASSERT_TRUE(d.ok()) << d.status();
    registry_ = std::make_unique<testing::Daemon>(*std::move(d));
    WriteFile(dir_ + "/id.txt", std::string(kSongId) + "\n");
    for (const std::string& args :
         {absl::StrCat("catalog apply -f ", kExamples, "/catalog"),
          absl::StrCat("matter apply -f ", kExamples, "/matters"),
          absl::StrCat("bundle apply -f ", kExamples, "/bundles"),
          absl::StrCat("principal apply -f ", kExamples, "/principals"),
          absl::StrCat("evidence-type apply -f ", kExamples, "/evidence-types"),
          absl::StrCat("import --kind enterprise ", kExamples,
                       "/demo/enterprises.csv --source market-regulation --report ", dir_,
                       "/report-enterprises.txt"),
          absl::StrCat("import --kind person ", kExamples,
                       "/demo/persons.csv --source public-security.household --report ", dir_,
                       "/report.txt")}) {
      testing::ShellResult r = Ctl(args);
      ASSERT_EQ(r.exit_code, 0) << args << ": " << r.out;
    }
  }
  void TearDown() override {
    registry_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Output that may hold personal data (a credential's claims) is not kept for the scan.
  testing::ShellResult Ctl(const std::string& args, bool keep = true) {
    testing::ShellResult r = testing::RunShell(absl::StrCat(
        "REGISTRYCTL_REGISTRY=", registry_->grpc_address(), " ", REGISTRYCTL_BINARY, " ", args));
    if (keep) testing::KeepTestOutput("registryctl.txt", r.out);
    return r;
  }
  testing::ShellResult Node(const std::string& args) {
    return testing::RunShell(absl::StrCat("'", NODE_BINARY, "' '", INTEROP_SCRIPT, "' ", args));
  }
  std::string Now() const { return absl::StrCat(absl::ToUnixSeconds(absl::Now())); }

  std::string dir_;
  std::unique_ptr<testing::Daemon> registry_;
};

TEST_F(EvidenceE2eTest, MaritalStatusEvidenceForTheRealEstateTransfer) {
  const std::string cred = dir_ + "/marital.sd-jwt";
  testing::ShellResult issued = Ctl(
      absl::StrCat(kRealEstate, " evidence issue marital-status --id-number-file ", dir_,
                   "/id.txt --matter real-estate-transfer --case BDC-2026-000123 --out ", cred));
  ASSERT_EQ(issued.exit_code, 0) << issued.out;
  EXPECT_THAT(issued.out, HasSubstr("masked: marital_status"));
  ASSERT_EQ(Ctl(absl::StrCat("evidence keys --out ", dir_, "/keys.json")).exit_code, 0);
  ASSERT_EQ(Ctl(absl::StrCat("evidence status-list 0 --out ", dir_, "/status-0.jwt")).exit_code, 0);
  // The same document on the admin port, for verifiers without a client certificate.
  auto jwks = testing::HttpGet(registry_->admin_address(), "/.well-known/jwks.json");
  ASSERT_TRUE(jwks.ok()) << jwks.status();
  EXPECT_THAT(*jwks, HasSubstr(Trim(ReadFile(dir_ + "/keys.json"))));

  // Ours, offline from the saved keys and status list.
  const std::string offline =
      absl::StrCat(" --jwks ", dir_, "/keys.json --status-list ", dir_, "/status-0.jwt --offline");
  testing::ShellResult ours =
      Ctl(absl::StrCat("evidence verify ", cred, offline, " --disclose marital_status"), false);
  EXPECT_EQ(ours.exit_code, 0) << ours.out;
  EXPECT_THAT(ours.out, HasSubstr("status valid"));
  // The npm verifier: the whole credential, and a presentation of the marital status only.
  testing::ShellResult npm =
      Node(absl::StrCat("verify '", cred, "' '", dir_, "/keys.json' ", Now()));
  ASSERT_EQ(npm.exit_code, 0) << npm.out;
  EXPECT_THAT(npm.out, HasSubstr("\"vct\":\"evidence-types/marital-status\""));
  EXPECT_THAT(npm.out, HasSubstr("\"case_id\":\"BDC-2026-000123\""));
  auto presentation = jose::PresentSdJwt(Trim(ReadFile(cred)), {"marital_status"});
  ASSERT_TRUE(presentation.ok()) << presentation.status();
  WriteFile(dir_ + "/presented.sd-jwt", *presentation + "\n");
  npm = Node(absl::StrCat("verify '", dir_, "/presented.sd-jwt' '", dir_, "/keys.json' ", Now()));
  ASSERT_EQ(npm.exit_code, 0) << npm.out;
  EXPECT_THAT(npm.out, HasSubstr("marital_status"));
  EXPECT_THAT(npm.out, Not(HasSubstr(kSongId)));
  EXPECT_EQ(
      Ctl(absl::StrCat("evidence verify ", dir_, "/presented.sd-jwt", offline), false).exit_code,
      0);

  // One byte of the signed payload changed: both refuse, ours naming the signature.
  std::string tampered = Trim(ReadFile(cred));
  const size_t at = tampered.find('.') + 8;
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
  WriteFile(dir_ + "/tampered.sd-jwt", tampered + "\n");
  testing::ShellResult bad =
      Ctl(absl::StrCat("evidence verify ", dir_, "/tampered.sd-jwt", offline));
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("invalid: signature"));
  EXPECT_EQ(Node(absl::StrCat("verify '", dir_, "/tampered.sd-jwt' '", dir_, "/keys.json' ", Now()))
                .exit_code,
            3);

  // Node reads the credential's entry of the status list as valid.
  testing::ShellResult j = Ctl(absl::StrCat("-o json evidence verify ", cred, offline), false);
  nlohmann::json verified = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_TRUE(verified.is_object()) << j.out;
  EXPECT_EQ(verified["valid"], true);
  const std::string uri_idx = absl::StrCat("'", verified["statusUri"].get<std::string>(), "' ",
                                           verified["statusIndex"].get<uint64_t>());
  testing::ShellResult entry = Node(absl::StrCat("status '", dir_, "/status-0.jwt' '", dir_,
                                                 "/keys.json' ", uri_idx, " ", Now()));
  ASSERT_EQ(entry.exit_code, 0) << entry.out;
  EXPECT_EQ(Trim(entry.out), "0");

  // Remarried: the civil-affairs source records it, and the earlier credential is invalid.
  testing::ShellResult put =
      Ctl(absl::StrCat("record put --kind person --id-number-file ", dir_,
                       "/id.txt --set marital_status=22 --source civil-affairs --reason 再婚登记"));
  ASSERT_EQ(put.exit_code, 0) << put.out;
  testing::ShellResult online = Ctl(absl::StrCat("evidence verify ", cred));
  EXPECT_EQ(online.exit_code, 3) << online.out;
  EXPECT_THAT(online.out, HasSubstr("invalid: status"));
  ASSERT_EQ(Ctl(absl::StrCat("evidence status-list 0 --out ", dir_, "/status-0b.jwt")).exit_code,
            0);
  entry = Node(absl::StrCat("status '", dir_, "/status-0b.jwt' '", dir_, "/keys.json' ", uri_idx,
                            " ", Now()));
  ASSERT_EQ(entry.exit_code, 0) << entry.out;
  EXPECT_EQ(Trim(entry.out), "1");
  // The list saved before the change still says what it said then.
  EXPECT_EQ(
      Ctl(absl::StrCat("evidence verify ", cred, offline, " --disclose marital_status"), false)
          .exit_code,
      0);
  EXPECT_THAT(registry_->Log(), Not(HasSubstr(kSongId)));
}

// The issuance is in the audit log: the holder saves the proof of its leaf, and a verifier
// with the pinned audit key checks it offline; another credential's proof, an edited entry
// and another audit key are refused, naming the log.
TEST_F(EvidenceE2eTest, TheIssuanceIsProvenInTheAuditLogOffline) {
  const std::string cred = dir_ + "/marital.sd-jwt", other = dir_ + "/household.sd-jwt";
  ASSERT_EQ(Ctl(absl::StrCat(kRealEstate, " evidence issue marital-status --id-number-file ", dir_,
                             "/id.txt --matter real-estate-transfer --case-id BDC-2026-000124 "
                             "--out ",
                             cred))
                .exit_code,
            0);
  ASSERT_EQ(Ctl(absl::StrCat(kRealEstate, " evidence issue marital-status --id-number-file ", dir_,
                             "/id.txt --matter real-estate-transfer --case-id BDC-2026-000125 "
                             "--out ",
                             other))
                .exit_code,
            0);
  ASSERT_EQ(Ctl(absl::StrCat("audit head > ", dir_, "/head.json")).exit_code, 0);
  ASSERT_EQ(Ctl(absl::StrCat("evidence keys --out ", dir_, "/keys.json")).exit_code, 0);
  const std::string proof = dir_ + "/proof.json", other_proof = dir_ + "/other-proof.json";
  testing::ShellResult saved =
      Ctl(absl::StrCat(kRealEstate, " evidence proof ", cred, " --out ", proof));
  ASSERT_EQ(saved.exit_code, 0) << saved.out;
  ASSERT_EQ(
      Ctl(absl::StrCat(kRealEstate, " evidence proof ", other, " --out ", other_proof)).exit_code,
      0);
  const std::string pinned =
      absl::StrCat(" --jwks ", dir_, "/keys.json --audit-key ", dir_, "/head.json --offline");
  testing::ShellResult ok =
      Ctl(absl::StrCat("evidence verify ", cred, pinned, " --issuance-proof ", proof), false);
  ASSERT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("issued to principals/approval-real-estate for "
                                "matters/real-estate-transfer (case BDC-2026-000124); recorded "
                                "in the audit log: leaf"));
  // Online, the proof is asked of the registry; -o json says what was checked.
  testing::ShellResult online = Ctl(
      absl::StrCat("-o json evidence verify ", cred, " --audit-key ", dir_, "/head.json"), false);
  ASSERT_EQ(online.exit_code, 0) << online.out;
  const nlohmann::json doc = nlohmann::json::parse(online.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << online.out;
  EXPECT_EQ(doc["logChecked"], true);
  EXPECT_EQ(doc["issuedTo"], "principals/approval-real-estate");

  testing::ShellResult wrong =
      Ctl(absl::StrCat("evidence verify ", cred, pinned, " --issuance-proof ", other_proof));
  EXPECT_EQ(wrong.exit_code, 3) << wrong.out;
  EXPECT_THAT(wrong.out, HasSubstr("invalid: log: the credential names audit leaf"));

  nlohmann::json edited = nlohmann::json::parse(ReadFile(proof));
  std::string entry = edited["entry"].get<std::string>();
  entry[entry.size() / 2] = entry[entry.size() / 2] == 'A' ? 'B' : 'A';
  edited["entry"] = entry;
  WriteFile(dir_ + "/edited.json", edited.dump());
  testing::ShellResult bad = Ctl(
      absl::StrCat("evidence verify ", cred, pinned, " --issuance-proof ", dir_, "/edited.json"));
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("invalid: log: "));

  WriteFile(dir_ + "/other-key.hex", std::string(64, 'a') + "\n");
  testing::ShellResult key = Ctl(absl::StrCat("evidence verify ", cred, " --jwks ", dir_,
                                              "/keys.json --offline --audit-key ", dir_,
                                              "/other-key.hex --issuance-proof ", proof));
  EXPECT_EQ(key.exit_code, 3) << key.out;
  EXPECT_THAT(key.out, HasSubstr("invalid: log: signature: the tree head is not signed by the "
                                 "audit key given"));
  // Offline, the log cannot be checked without a saved proof: a usage error, not a guess.
  testing::ShellResult usage = Ctl(absl::StrCat("evidence verify ", cred, pinned));
  EXPECT_EQ(usage.exit_code, 2) << usage.out;
  EXPECT_THAT(usage.out, HasSubstr("--issuance-proof FILE"));
}

}  // namespace
}  // namespace collectonce
