// Interoperability of libs/jose's SD-JWT with an independent implementation: @sd-jwt/core
// with jose's EdDSA, run by Debian's node (tests/node/sdjwt_interop.mjs). Node verifies the
// registry's credentials and presentations and refuses tampered ones; the registry's
// verifier accepts node's credentials and refuses tampered ones. Fails (never skips) when
// node or the packages of tests/node are missing: tools/dev installs them.
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/audit/signer.h"
#include "libs/base/status_matchers.h"
#include "libs/jose/jwk.h"
#include "libs/jose/sd_jwt.h"

namespace collectonce::jose {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1764633600;  // 2025-12-02T00:00:00Z

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class EvidenceInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "evidence_interop_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    absl::StatusOr<audit::Signer> key = audit::Signer::LoadOrCreate(dir_ + "/key.pem", true);
    ASSERT_THAT(key, IsOk());
    key_ = std::make_unique<audit::Signer>(*std::move(key));
    jwks_.Add(key_->PublicKeyRaw());
    WriteFile(dir_ + "/jwks.json", jwks_.ToJson());
    claims_.visible = {{"iss", "https://registry.example"},
                       {"vct", "evidence-types/marital-status"},
                       {"iat", kNow - 60},
                       {"exp", kNow + 3600}};
    claims_.disclosable = {{"name", "王小明"}, {"marital_status", "已婚"}, {"since", 2019}};
  }

  void TearDown() override {
    std::string command = "rm -rf '" + dir_ + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }

  // Runs the node script with arguments (paths under dir_ and numbers: no quoting needed
  // beyond single quotes).
  Result Node(const std::vector<std::string>& args) {
    std::string command = absl::StrCat("'", NODE_BINARY, "' '", INTEROP_SCRIPT, "'");
    for (const std::string& a : args) absl::StrAppend(&command, " '", a, "'");
    absl::StrAppend(&command, " 2>'", dir_, "/stderr'");
    Result result;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) result.out.append(buf, n);
    int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.err = ReadFile(dir_ + "/stderr");
    return result;
  }

  Result NodeVerify(const std::string& credential) {
    WriteFile(dir_ + "/credential.sdjwt", credential + "\n");
    return Node({"verify", dir_ + "/credential.sdjwt", dir_ + "/jwks.json", std::to_string(kNow)});
  }

  SdJwtVerifyOptions Now() const {
    SdJwtVerifyOptions options;
    options.now = absl::FromUnixSeconds(kNow);
    return options;
  }

  std::string dir_;
  std::unique_ptr<audit::Signer> key_;
  Jwks jwks_;
  SdJwtClaims claims_;
};

std::string FlipInSignature(std::string credential) {
  size_t i = credential.find('~') - 10;
  credential[i] = credential[i] == 'A' ? 'B' : 'A';
  return credential;
}

TEST_F(EvidenceInteropTest, NodeVerifiesOurCredential) {
  absl::StatusOr<std::string> credential = IssueSdJwt(*key_, claims_);
  ASSERT_THAT(credential, IsOk());
  Result r = NodeVerify(*credential);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json claims = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(claims["name"], "王小明");
  EXPECT_EQ(claims["marital_status"], "已婚");
  EXPECT_EQ(claims["since"], 2019);
  EXPECT_EQ(claims["vct"], "evidence-types/marital-status");
}

TEST_F(EvidenceInteropTest, NodeVerifiesOurPresentationOfOneClaim) {
  absl::StatusOr<std::string> presentation =
      PresentSdJwt(*IssueSdJwt(*key_, claims_), {"marital_status"});
  ASSERT_THAT(presentation, IsOk());
  Result r = NodeVerify(*presentation);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json claims = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(claims["marital_status"], "已婚");
  EXPECT_FALSE(claims.contains("name"));
  EXPECT_FALSE(claims.contains("since"));
}

TEST_F(EvidenceInteropTest, NodeRefusesOurTamperedOrExpiredCredential) {
  std::string credential = *IssueSdJwt(*key_, claims_);
  Result tampered = NodeVerify(FlipInSignature(credential));
  EXPECT_EQ(tampered.exit_code, 3) << tampered.err;
  WriteFile(dir_ + "/credential.sdjwt", credential);
  Result expired = Node(
      {"verify", dir_ + "/credential.sdjwt", dir_ + "/jwks.json", std::to_string(kNow + 7200)});
  EXPECT_EQ(expired.exit_code, 3) << expired.err;
}

class NodeIssuedTest : public EvidenceInteropTest {
 protected:
  void SetUp() override {
    EvidenceInteropTest::SetUp();
    Result r = Node({"issue", dir_, std::to_string(kNow)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    absl::StatusOr<Jwks> jwks = Jwks::Parse(ReadFile(dir_ + "/jwks.json"));
    ASSERT_THAT(jwks, IsOk());
    node_jwks_ = *std::move(jwks);
    credential_ = Trim(ReadFile(dir_ + "/credential.sdjwt"));
    presentation_ = Trim(ReadFile(dir_ + "/presentation.sdjwt"));
  }
  Jwks node_jwks_;
  std::string credential_;
  std::string presentation_;
};

TEST_F(NodeIssuedTest, OurVerifierAcceptsNodeCredentialAndPresentation) {
  absl::StatusOr<VerifiedSdJwt> all = VerifySdJwt(credential_, node_jwks_, Now());
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->claims["given_name"], "明");
  EXPECT_EQ(all->claims["family_name"], "王");
  EXPECT_EQ(all->claims["birthdate"], "1990-01-01");
  absl::StatusOr<VerifiedSdJwt> one = VerifySdJwt(presentation_, node_jwks_, Now());
  ASSERT_THAT(one, IsOk());
  EXPECT_EQ(one->claims["family_name"], "王");
  EXPECT_FALSE(one->claims.contains("given_name"));
  EXPECT_FALSE(one->claims.contains("birthdate"));
}

TEST_F(NodeIssuedTest, OurVerifierRefusesTamperedNodeCredential) {
  EXPECT_THAT(VerifySdJwt(FlipInSignature(credential_), node_jwks_, Now()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("signature does not verify")));
  std::string foreign = *EncodeDisclosure(NewSalt(), "given_name", "伪造");
  EXPECT_THAT(VerifySdJwt(presentation_ + foreign + "~", node_jwks_, Now()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not referenced")));
  EXPECT_THAT(VerifySdJwt(credential_, jwks_, Now()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kid names no key")));
}

}  // namespace
}  // namespace collectonce::jose
