#include "libs/receipt/audit_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/audit/signer.h"

namespace collectonce::receipt {
namespace {

using ::testing::HasSubstr;

class AuditKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/audit_key_test_XXXXXX";
    ASSERT_NE(::mkdtemp(dir.data()), nullptr);
    auto signer = audit::Signer::LoadOrCreate(dir + "/audit.pem", true);
    ASSERT_TRUE(signer.ok());
    std::filesystem::remove_all(dir);  // the key is in memory now
    signer_ = std::make_unique<audit::Signer>(*std::move(signer));
  }
  std::unique_ptr<audit::Signer> signer_;
};

TEST_F(AuditKeyTest, ReadsEveryAcceptedForm) {
  const std::string& raw = signer_->PublicKeyRaw();
  EXPECT_EQ(*ParseAuditPublicKey(absl::BytesToHexString(raw) + "\n"), raw);
  EXPECT_EQ(*ParseAuditPublicKey(signer_->PublicKeyPem()), raw);
  const std::string head =
      absl::StrCat("{\"treeSize\": \"3\", \"publicKey\": \"", absl::Base64Escape(raw), "\"}");
  EXPECT_EQ(*ParseAuditPublicKey(head), raw);
}

TEST_F(AuditKeyTest, RefusesAnythingElseSayingWhatIsAccepted) {
  EXPECT_THAT(ParseAuditPublicKey("not a key").status().message(),
              HasSubstr("registryctl audit head"));
  EXPECT_THAT(ParseAuditPublicKey("{\"treeSize\": \"3\"}").status().message(),
              HasSubstr("no 32-byte public key"));
  EXPECT_THAT(ParseAuditPublicKey("{nope").status().message(), HasSubstr("not a saved tree head"));
  EXPECT_THAT(ParseAuditPublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
                  .status()
                  .message(),
              HasSubstr("not an Ed25519 public key"));
}

}  // namespace
}  // namespace collectonce::receipt
