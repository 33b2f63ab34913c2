// A credential from a released record, signed, then verified offline: what a department's
// verifier checks, each refusal naming its check; and the status list that invalidates it.
#include "libs/evidence/credential.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"
#include "libs/evidence/status_list.h"
#include "libs/evidence/verifier.h"
#include "libs/jose/base64url.h"

namespace collectonce::evidence {
namespace {

using ::collectonce::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

template <typename T>
T Text(const std::string& text) {
  T m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

const absl::Time kNow = absl::FromUnixSeconds(1764633600);  // 2025-12-02T00:00:00Z

class CredentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = audit::Signer::LoadOrCreate(::testing::TempDir() + "/evidence-test-key.pem", true);
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = std::make_unique<audit::Signer>(*std::move(key));
    jwks_.Add(key_->PublicKeyRaw());
    type_ = Text<v1::EvidenceType>(R"tp(
      name: "evidence-types/marital-status" title: "婚姻状况证明" subject_kind: PERSON
      fields: "name" fields: "id_number" fields: "marital_status"
      legal_basis: "《婚姻登记条例》" validity { seconds: 2592000 } selective_disclosure: true)tp");
    record_ = Text<v1::Record>(R"tp(
      name: "persons/p1" kind: PERSON revision: 4
      fields { field: "name" value { string_value: "宋文富" } }
      fields { field: "id_number" value { string_value: "350403194503120012" } }
      fields { field: "marital_status" value { string_value: "**" } masked: true })tp");
    context_.issuer = "urn:collectonce:registry";
    context_.matter = "matters/real-estate-transfer";
    context_.case_id = "BDC-2025-0001";
    context_.now = kNow;
  }

  std::string Issue(uint64_t audit_index = 17) {
    catalog::Violations v;
    auto p = PrepareCredential(type_, record_, context_, &v);
    EXPECT_TRUE(p.ok()) << p.status();
    Placement place{audit_index, audit_index + 1, "http://registry/status-lists/0", audit_index};
    return SignCredential(jose::SdJwtSigner(*key_), *p, place);
  }

  VerifyOptions Options() {
    VerifyOptions o;
    o.now = kNow + absl::Hours(1);
    return o;
  }

  std::unique_ptr<audit::Signer> key_;
  jose::Jwks jwks_;
  v1::EvidenceType type_;
  v1::Record record_;
  IssueContext context_;
};

TEST_F(CredentialTest, VerifiesWithEveryClaimAndItsPlace) {
  const std::string credential = Issue();
  Verification v = VerifyEvidence(credential, jwks_, Options());
  ASSERT_TRUE(v.valid) << v.failed_check << ": " << v.message;
  EXPECT_THAT(v.disclosed, UnorderedElementsAre("name", "id_number", "marital_status"));
  EXPECT_EQ(v.claims["vct"], "evidence-types/marital-status");
  EXPECT_EQ(v.claims["sub"], "persons/p1");
  EXPECT_EQ(v.claims["name"], "宋文富");
  EXPECT_EQ(v.claims["masked"], nlohmann::json::array({"marital_status"}));
  EXPECT_EQ(v.claims["revision"], 4);
  EXPECT_EQ(v.claims["matter"], "matters/real-estate-transfer");
  EXPECT_EQ(v.claims["audit"]["index"], 17);
  EXPECT_EQ(v.claims["exp"].get<int64_t>() - v.claims["iat"].get<int64_t>(), 2592000);
  EXPECT_EQ(v.status_uri, "http://registry/status-lists/0");
  EXPECT_EQ(v.status_index, 17u);
  EXPECT_FALSE(v.status_checked);
}

TEST_F(CredentialTest, TheLeafDigestIsRecomputableFromThePayload) {
  catalog::Violations violations;
  auto p = PrepareCredential(type_, record_, context_, &violations);
  ASSERT_TRUE(p.ok());
  const std::string c =
      SignCredential(jose::SdJwtSigner(*key_), *p, {3, 4, "http://registry/status-lists/\"0", 3});
  const std::string jwt = c.substr(0, c.find('~'));
  const std::string payload = jwt.substr(jwt.find('.') + 1, jwt.rfind('.') - jwt.find('.') - 1);
  auto json = nlohmann::json::parse(*jose::Base64UrlDecode(payload));
  EXPECT_EQ(json["audit"], nlohmann::json({{"index", 3}, {"tree_size", 4}}));
  EXPECT_EQ(json["status"]["status_list"]["uri"], "http://registry/status-lists/\"0");
  EXPECT_EQ(*PayloadDigest(json), p->payload_sha256);
  json["revision"] = 5;
  EXPECT_NE(*PayloadDigest(json), p->payload_sha256);
}

TEST_F(CredentialTest, SelectiveDisclosureShowsOnlyTheNamedClaims) {
  VerifyOptions o = Options();
  o.disclose = {"marital_status"};
  Verification v = VerifyEvidence(Issue(), jwks_, o);
  ASSERT_TRUE(v.valid) << v.message;
  EXPECT_THAT(v.disclosed, ElementsAre("marital_status"));
  EXPECT_FALSE(v.claims.contains("id_number"));
  o.disclose = {"education"};
  v = VerifyEvidence(Issue(), jwks_, o);
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.failed_check, "disclose");
}

TEST_F(CredentialTest, RefusalsNameTheirCheck) {
  const std::string credential = Issue();
  // A byte of the signed payload changed.
  std::string tampered = credential;
  tampered[tampered.find('.') + 5] ^= 1;
  EXPECT_EQ(VerifyEvidence(tampered, jwks_, Options()).failed_check, "signature");
  // A disclosure changed.
  std::string bad_disclosure = credential;
  bad_disclosure[credential.find('~') + 3] ^= 1;
  EXPECT_EQ(VerifyEvidence(bad_disclosure, jwks_, Options()).failed_check, "disclosures");
  // Another registry's key.
  auto other = audit::Signer::LoadOrCreate(::testing::TempDir() + "/evidence-other.pem", true);
  ASSERT_TRUE(other.ok());
  jose::Jwks other_jwks;
  other_jwks.Add(other->PublicKeyRaw());
  EXPECT_EQ(VerifyEvidence(credential, other_jwks, Options()).failed_check, "signature");
  // After exp.
  VerifyOptions late = Options();
  late.now = kNow + absl::Hours(24 * 31);
  EXPECT_EQ(VerifyEvidence(credential, jwks_, late).failed_check, "expiry");
  // Another type expected.
  VerifyOptions typed = Options();
  typed.expected_type = "evidence-types/household-registration";
  EXPECT_EQ(VerifyEvidence(credential, jwks_, typed).failed_check, "type");
  EXPECT_EQ(VerifyEvidence("not a credential", jwks_, Options()).failed_check, "format");
}

TEST_F(CredentialTest, StatusListMarksItInvalid) {
  const std::string credential = Issue(/*audit_index=*/42);
  auto valid = SignStatusList(*key_, "http://registry/status-lists/0", {3, 41, 43}, kNow);
  ASSERT_TRUE(valid.ok()) << valid.status();
  VerifyOptions o = Options();
  o.status_list = *valid;
  Verification v = VerifyEvidence(credential, jwks_, o);
  EXPECT_TRUE(v.valid) << v.message;
  EXPECT_TRUE(v.status_checked);
  auto invalid = SignStatusList(*key_, "http://registry/status-lists/0", {42}, kNow);
  ASSERT_TRUE(invalid.ok());
  o.status_list = *invalid;
  v = VerifyEvidence(credential, jwks_, o);
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.failed_check, "status");
  // A list for another URI, or signed by another key, proves nothing.
  auto elsewhere = SignStatusList(*key_, "http://registry/status-lists/1", {}, kNow);
  o.status_list = *elsewhere;
  EXPECT_EQ(VerifyEvidence(credential, jwks_, o).failed_check, "status");
  EXPECT_THAT(StatusAt(*elsewhere, jwks_, "http://registry/status-lists/0", 42, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sub")));
}

TEST_F(CredentialTest, MissingFieldsAreNamedAndRefusedUnlessPartialIsAllowed) {
  record_.mutable_fields()->RemoveLast();  // no marital status
  catalog::Violations v;
  auto p = PrepareCredential(type_, record_, context_, &v);
  EXPECT_THAT(p, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("marital_status")));
  EXPECT_EQ(ReasonOf(p.status()), "EVIDENCE_FIELDS_MISSING");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "fields.marital_status");
  record_.add_withheld_fields("id_number");
  record_.mutable_fields()->DeleteSubrange(1, 1);
  v.clear();
  p = PrepareCredential(type_, record_, context_, &v);
  EXPECT_THAT(p, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("id_number")));
  type_.set_allow_partial(true);
  v.clear();
  p = PrepareCredential(type_, record_, context_, &v);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->fields, ElementsAre("name"));
  EXPECT_THAT(p->missing_fields, ElementsAre("id_number", "marital_status"));
  EXPECT_THAT(v, IsEmpty());
}

}  // namespace
}  // namespace collectonce::evidence
