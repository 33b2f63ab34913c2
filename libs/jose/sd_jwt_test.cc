#include "libs/jose/sd_jwt.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"
#include "libs/jose/base64url.h"
#include "libs/jose/jws.h"

namespace collectonce::jose {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr int64_t kNow = 1764633600;  // 2025-12-02T00:00:00Z

TEST(SdJwtVectors, Rfc9901GivenNameDisclosureDigest) {
  // RFC 9901 section 4.2.1.
  constexpr char kDisclosure[] = "WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd";
  EXPECT_EQ(*Base64UrlDecode(kDisclosure), R"(["2GLC42sKQveCfGfryNRN9w", "given_name", "John"])");
  EXPECT_EQ(DisclosureDigest(kDisclosure), "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4");
}

TEST(SdJwtVectors, Rfc9901ArrayElementDisclosureDigest) {
  // RFC 9901 section 4.2.2: the array element "FR".
  constexpr char kDisclosure[] = "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0";
  EXPECT_EQ(*Base64UrlDecode(kDisclosure), R"(["lklxF5jMYlGTPUovMNIvCA", "FR"])");
  EXPECT_EQ(DisclosureDigest(kDisclosure), "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs");
}

TEST(SdJwtVectors, EncodeDisclosureIsCompactJson) {
  absl::StatusOr<std::string> encoded =
      EncodeDisclosure("2GLC42sKQveCfGfryNRN9w", "given_name", "John");
  ASSERT_THAT(encoded, IsOk());
  EXPECT_EQ(*Base64UrlDecode(*encoded), R"(["2GLC42sKQveCfGfryNRN9w","given_name","John"])");
}

TEST(SdJwtVectors, SaltsAreFreshAnd128Bits) {
  std::string a = NewSalt(), b = NewSalt();
  EXPECT_NE(a, b);
  EXPECT_EQ(Base64UrlDecode(a)->size(), 16u);
}

class SdJwtTest : public ::testing::Test {
 protected:
  SdJwtTest() {
    std::ifstream in(std::string(JOSE_TESTDATA_DIR) + "/rfc8037_a1_private_key.pem");
    std::stringstream pem;
    pem << in.rdbuf();
    key_ = std::make_unique<audit::Signer>(*audit::Signer::FromPrivateKeyPem(pem.str()));
    jwks_.Add(key_->PublicKeyRaw());
    claims_.visible = {{"iss", "https://registry.example"},
                       {"vct", "evidence-types/marital-status"},
                       {"iat", kNow - 60},
                       {"exp", kNow + 3600}};
    claims_.disclosable = {{"name", "王小明"}, {"marital_status", "married"}, {"since", 2019}};
    credential_ = *IssueSdJwt(*key_, claims_);
  }

  SdJwtVerifyOptions At(int64_t seconds) const {
    SdJwtVerifyOptions options;
    options.now = absl::FromUnixSeconds(seconds);
    return options;
  }

  absl::StatusOr<VerifiedSdJwt> Verify(absl::string_view presentation) const {
    return VerifySdJwt(presentation, jwks_, At(kNow));
  }

  std::vector<std::string> Disclosures() const {
    std::vector<std::string> parts = absl::StrSplit(credential_, '~');
    return std::vector<std::string>(parts.begin() + 1, parts.end() - 1);
  }
  std::string Jwt() const { return credential_.substr(0, credential_.find('~')); }

  std::unique_ptr<audit::Signer> key_;
  Jwks jwks_;
  SdJwtClaims claims_;
  std::string credential_;
};

TEST_F(SdJwtTest, IssuedCredentialVerifiesWithEveryClaim) {
  absl::StatusOr<VerifiedSdJwt> verified = Verify(credential_);
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(verified->header["typ"], "dc+sd-jwt");
  EXPECT_EQ(verified->header["alg"], "EdDSA");
  EXPECT_EQ(verified->claims["name"], "王小明");
  EXPECT_EQ(verified->claims["marital_status"], "married");
  EXPECT_EQ(verified->claims["since"], 2019);
  EXPECT_EQ(verified->claims["vct"], "evidence-types/marital-status");
  EXPECT_FALSE(verified->claims.contains("_sd"));
  EXPECT_FALSE(verified->claims.contains("_sd_alg"));
  EXPECT_THAT(verified->disclosed, UnorderedElementsAre("name", "marital_status", "since"));
}

TEST_F(SdJwtTest, PayloadHoldsDigestsNotValues) {
  VerifiedJws jws = *VerifyCompact(Jwt(), jwks_);
  EXPECT_THAT(jws.payload, Not(HasSubstr("married")));
  nlohmann::json payload = nlohmann::json::parse(jws.payload);
  EXPECT_EQ(payload["_sd_alg"], "sha-256");
  EXPECT_EQ(payload["_sd"].size(), 3u);
}

TEST_F(SdJwtTest, PresentationShowsOnlyChosenClaims) {
  absl::StatusOr<std::string> presentation = PresentSdJwt(credential_, {"marital_status"});
  ASSERT_THAT(presentation, IsOk());
  absl::StatusOr<VerifiedSdJwt> verified = Verify(*presentation);
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(verified->claims["marital_status"], "married");
  EXPECT_FALSE(verified->claims.contains("name"));
  EXPECT_FALSE(verified->claims.contains("since"));
  EXPECT_EQ(std::count(presentation->begin(), presentation->end(), '~'), 2);

  absl::StatusOr<std::string> none = PresentSdJwt(credential_, {});
  ASSERT_THAT(none, IsOk());
  EXPECT_EQ(*none, Jwt() + "~");
  EXPECT_THAT(Verify(*none), IsOk());
  EXPECT_THAT(PresentSdJwt(credential_, {"address"}), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(SdJwtTest, ChangedDisclosureFails) {
  std::vector<std::string> disclosures = Disclosures();
  std::string changed = *EncodeDisclosure(NewSalt(), "marital_status", "single");
  EXPECT_THAT(Verify(Jwt() + "~" + changed + "~"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not referenced")));
  std::string flipped = disclosures[0];
  flipped[5] = flipped[5] == 'A' ? 'B' : 'A';
  EXPECT_THAT(Verify(Jwt() + "~" + flipped + "~"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("disclosure")));
}

TEST_F(SdJwtTest, RepeatedDisclosureFails) {
  std::string d = Disclosures()[0];
  EXPECT_THAT(Verify(Jwt() + "~" + d + "~" + d + "~"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("appears twice")));
}

TEST_F(SdJwtTest, DuplicateDigestInPayloadFails) {
  nlohmann::json payload = nlohmann::json::parse(VerifyCompact(Jwt(), jwks_)->payload);
  nlohmann::json first = payload["_sd"][0];
  payload["_sd"].push_back(first);
  std::string jwt =
      *SignCompact(*key_, {{"typ", "dc+sd-jwt"}, {"kid", jwks_.keys()[0].kid}}, payload.dump());
  EXPECT_THAT(Verify(jwt + "~"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("more than once")));
}

TEST_F(SdJwtTest, ChangedJwtFails) {
  std::string jwt = Jwt();
  size_t dot = jwt.find('.');
  std::string changed = jwt;
  changed[dot + 5] = changed[dot + 5] == 'A' ? 'B' : 'A';
  EXPECT_THAT(Verify(changed + credential_.substr(jwt.size())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("signature does not verify")));
  changed = jwt;
  changed[jwt.size() - 20] = changed[jwt.size() - 20] == 'A' ? 'B' : 'A';
  EXPECT_THAT(Verify(changed + credential_.substr(jwt.size())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("signature does not verify")));
}

TEST_F(SdJwtTest, UnknownKeyFails) {
  Jwks other;
  other.Add(std::string(32, '\x02'));
  EXPECT_THAT(VerifySdJwt(credential_, other, At(kNow)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kid names no key")));
}

TEST_F(SdJwtTest, TimesAreChecked) {
  EXPECT_THAT(VerifySdJwt(credential_, jwks_, At(kNow + 3600)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expired")));
  EXPECT_THAT(VerifySdJwt(credential_, jwks_, At(kNow - 120)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(iat)")));
  SdJwtVerifyOptions lenient = At(kNow + 3600);
  lenient.leeway = absl::Seconds(30);
  EXPECT_THAT(VerifySdJwt(credential_, jwks_, lenient), IsOk());
  SdJwtClaims later = claims_;
  later.visible["nbf"] = kNow + 10;
  EXPECT_THAT(Verify(*IssueSdJwt(*key_, later)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(nbf)")));
}

TEST_F(SdJwtTest, TypAndVctAreRequired) {
  EXPECT_THAT(Verify(*IssueSdJwt(*key_, claims_, "JWT")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("typ is not dc+sd-jwt")));
  SdJwtClaims no_vct = claims_;
  no_vct.visible.erase("vct");
  EXPECT_THAT(Verify(*IssueSdJwt(*key_, no_vct)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no vct")));
}

TEST_F(SdJwtTest, KeyBindingJwtIsRefused) {
  EXPECT_THAT(Verify(credential_ + "eyJhbGciOiJFZERTQSJ9.e30.AA"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key binding")));
}

TEST_F(SdJwtTest, RefusalsNeverCarryValues) {
  std::string changed = *EncodeDisclosure(NewSalt(), "marital_status", "divorced");
  absl::StatusOr<VerifiedSdJwt> refused = Verify(Jwt() + "~" + changed + "~");
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.status().message()), Not(HasSubstr("divorced")));
}

TEST_F(SdJwtTest, IssueRefusesReservedAndConflictingNames) {
  SdJwtClaims bad = claims_;
  bad.disclosable["_sd"] = 1;
  EXPECT_THAT(IssueSdJwt(*key_, bad), StatusIs(absl::StatusCode::kInvalidArgument));
  bad = claims_;
  bad.disclosable["vct"] = "x";
  EXPECT_THAT(IssueSdJwt(*key_, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("both visible")));
  bad = claims_;
  bad.disclosable["name"] = "\xff";
  EXPECT_THAT(IssueSdJwt(*key_, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
}

TEST_F(SdJwtTest, NestedAndArrayDisclosuresAreApplied) {
  // An array element disclosure inside a disclosed object, as RFC 9901 section 4.2.2 allows.
  nlohmann::json array_disclosure = nlohmann::json::array({NewSalt(), "FR"});
  std::string fr = Base64UrlEncode(array_disclosure.dump());
  std::string nationalities = *EncodeDisclosure(
      NewSalt(), "nationalities", nlohmann::json::array({{{"...", DisclosureDigest(fr)}}, "DE"}));
  nlohmann::json payload = {{"vct", "x"},
                            {"_sd", nlohmann::json::array({DisclosureDigest(nationalities)})}};
  std::string jwt =
      *SignCompact(*key_, {{"typ", "dc+sd-jwt"}, {"kid", jwks_.keys()[0].kid}}, payload.dump());
  absl::StatusOr<VerifiedSdJwt> all = Verify(jwt + "~" + nationalities + "~" + fr + "~");
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->claims["nationalities"], nlohmann::json::array({"FR", "DE"}));
  absl::StatusOr<VerifiedSdJwt> some = Verify(jwt + "~" + nationalities + "~");
  ASSERT_THAT(some, IsOk());
  EXPECT_EQ(some->claims["nationalities"], nlohmann::json::array({"DE"}));
  EXPECT_THAT(Verify(jwt + "~" + fr + "~"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not referenced")));
}

}  // namespace
}  // namespace collectonce::jose
