#include "libs/jose/jws.h"

#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"
#include "libs/jose/base64url.h"
#include "libs/jose/jwk.h"

namespace collectonce::jose {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::HasSubstr;

// RFC 8037 appendix A.
constexpr char kRfc8037X[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr char kRfc8037Thumbprint[] = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
constexpr char kRfc8037Jws[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

audit::Signer Rfc8037Key() {
  std::ifstream in(std::string(JOSE_TESTDATA_DIR) + "/rfc8037_a1_private_key.pem");
  std::stringstream pem;
  pem << in.rdbuf();
  absl::StatusOr<audit::Signer> key = audit::Signer::FromPrivateKeyPem(pem.str());
  EXPECT_THAT(key, IsOk());
  return *std::move(key);
}

std::string FlipChar(std::string s, size_t i) {
  s[i] = s[i] == 'A' ? 'B' : 'A';
  return s;
}

TEST(Jws, Rfc8037PublicKeyAndThumbprint) {
  audit::Signer key = Rfc8037Key();
  EXPECT_EQ(Base64UrlEncode(key.PublicKeyRaw()), kRfc8037X);
  EXPECT_EQ(Ed25519Thumbprint(key.PublicKeyRaw()), kRfc8037Thumbprint);
}

TEST(Jws, Rfc8037SignatureIsReproduced) {
  absl::StatusOr<std::string> jws =
      SignCompact(Rfc8037Key(), nlohmann::json::object(), "Example of Ed25519 signing");
  ASSERT_THAT(jws, IsOk());
  EXPECT_EQ(*jws, kRfc8037Jws);
}

TEST(Jws, TokenWithoutKidIsRefused) {
  Jwks jwks;
  jwks.Add(Rfc8037Key().PublicKeyRaw());
  EXPECT_THAT(VerifyCompact(kRfc8037Jws, jwks),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no kid")));
}

class JwsRoundTrip : public ::testing::Test {
 protected:
  JwsRoundTrip() : key_(Rfc8037Key()) {
    jwks_.Add(key_.PublicKeyRaw());
    token_ = *SignCompact(key_, {{"kid", kRfc8037Thumbprint}}, "{\"a\":1}");
  }
  audit::Signer key_;
  Jwks jwks_;
  std::string token_;
};

TEST_F(JwsRoundTrip, Verifies) {
  absl::StatusOr<VerifiedJws> verified = VerifyCompact(token_, jwks_);
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(verified->payload, "{\"a\":1}");
  EXPECT_EQ(verified->header["alg"], "EdDSA");
}

TEST_F(JwsRoundTrip, JwksSurvivesSerialization) {
  absl::StatusOr<Jwks> parsed = Jwks::Parse(jwks_.ToJson());
  ASSERT_THAT(parsed, IsOk());
  EXPECT_THAT(VerifyCompact(token_, *parsed), IsOk());
}

TEST_F(JwsRoundTrip, ChangedHeaderFails) {
  std::string header = token_.substr(0, token_.find('.'));
  std::string other = Base64UrlEncode("{\"alg\":\"EdDSA\",\"kid\":\"" +
                                      std::string(kRfc8037Thumbprint) + "\",\"x\":1}");
  EXPECT_THAT(VerifyCompact(other + token_.substr(header.size()), jwks_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("signature does not verify")));
  EXPECT_THAT(VerifyCompact(FlipChar(token_, 3), jwks_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("JWS header")));
}

TEST_F(JwsRoundTrip, ChangedPayloadFails) {
  size_t dot = token_.find('.');
  EXPECT_THAT(VerifyCompact(FlipChar(token_, dot + 2), jwks_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("signature does not verify")));
}

TEST_F(JwsRoundTrip, ChangedSignatureFails) {
  EXPECT_THAT(VerifyCompact(FlipChar(token_, token_.rfind('.') + 10), jwks_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("signature does not verify")));
}

TEST_F(JwsRoundTrip, UnknownKidFails) {
  Jwks other;
  other.Add(std::string(32, '\x01'));
  EXPECT_THAT(VerifyCompact(token_, other),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kid names no key")));
}

TEST_F(JwsRoundTrip, OtherAlgorithmsAreRefused) {
  for (const char* alg : {"none", "HS256", "ES256"}) {
    std::string header = Base64UrlEncode(std::string("{\"alg\":\"") + alg + "\",\"kid\":\"" +
                                         kRfc8037Thumbprint + "\"}");
    std::string forged = header + token_.substr(token_.find('.'));
    EXPECT_THAT(VerifyCompact(forged, jwks_),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("alg is not EdDSA")))
        << alg;
  }
}

TEST(Jwks, RefusesPrivateKeysAndBadKeys) {
  EXPECT_THAT(Jwks::Parse("[]"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Jwks::Parse(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA"}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("32-byte")));
  EXPECT_THAT(Jwks::Parse(std::string(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":")") +
                          kRfc8037X + R"(","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("private")));
  absl::StatusOr<Jwks> mixed = Jwks::Parse(
      std::string(R"({"keys":[{"kty":"EC","crv":"P-256"},{"kty":"OKP","crv":"Ed25519","x":")") +
      kRfc8037X + "\"}]}");
  ASSERT_THAT(mixed, IsOk());
  ASSERT_EQ(mixed->keys().size(), 1u);
  EXPECT_EQ(mixed->keys()[0].kid, kRfc8037Thumbprint);
}

}  // namespace
}  // namespace collectonce::jose
