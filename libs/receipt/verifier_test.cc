#include "libs/receipt/verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "libs/audit/merkle.h"
#include "libs/audit/signer.h"
#include "libs/audit/tree_head.h"
#include "libs/receipt/served.h"

namespace collectonce::receipt {
namespace {

std::string Bytes(const audit::Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

audit::Signer NewSigner(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/receipt_test_XXXXXX";
  EXPECT_NE(::mkdtemp(dir.data()), nullptr);
  auto signer = audit::Signer::LoadOrCreate(dir + "/" + name, true);
  EXPECT_TRUE(signer.ok()) << signer.status();
  std::filesystem::remove_all(dir);  // the key is in memory now
  return *std::move(signer);
}

// A log of five entries whose fourth is the access event of a read with a receipt, and that
// receipt, signed with the test's key.
class ReceiptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signer_ = std::make_unique<audit::Signer>(NewSigner("audit.pem"));
    v1::Record record;
    record.set_name("persons/p1");
    auto* name = record.add_fields();
    name->set_field("name");
    name->mutable_value()->set_string_value("张三");
    auto* marital = record.add_fields();
    marital->set_field("marital_status");
    marital->mutable_value()->set_code_value("20");
    auto* id = record.add_fields();
    id->set_field("id_number");
    id->mutable_value()->set_string_value("3504**********123X");
    id->set_masked(true);
    receipt_.set_format_version(1);
    receipt_.set_salt(NewSalt());
    *receipt_.mutable_served() = ServedFieldsOf(record);

    v1::AuditEntry entry;
    entry.set_format_version(1);
    entry.set_index(kIndex);
    entry.set_principal("principals/real-estate");
    auto* access = entry.mutable_access();
    access->set_subject("persons/p1");
    access->add_fields("marital_status");
    access->add_fields("name");
    access->add_masked_fields("id_number");
    access->set_purpose("matters/real-estate-transfer");
    auto* served = access->mutable_served();
    served->set_revision(3);
    served->set_commit_sequence(17);
    served->set_catalog_version(2);
    served->set_purpose_version(1);
    served->set_principal_version(4);
    served->set_salted_sha256(SaltedDigest(receipt_.salt(), access->subject(), access->purpose(),
                                           *served, receipt_.served()));
    receipt_.set_entry(entry.SerializeAsString());

    audit::MerkleAppender tree;
    std::vector<audit::NodeWrite> writes;
    for (uint64_t i = 0; i < kSize; ++i) {
      tree.Append(
          audit::LeafHash(i == kIndex ? receipt_.entry() : "other entry " + std::to_string(i)),
          &writes);
    }
    nodes_.Apply(writes);
    auto path = audit::InclusionProof(nodes_, kIndex, kSize);
    ASSERT_TRUE(path.ok());
    auto* proof = receipt_.mutable_inclusion_proof();
    proof->set_index(kIndex);
    proof->set_tree_size(kSize);
    proof->set_leaf_hash(Bytes(audit::LeafHash(receipt_.entry())));
    for (const auto& h : *path) proof->add_hashes(Bytes(h));
    audit::TreeHead head{kSize, tree.Root(), 1764650000000000};
    auto* sth = receipt_.mutable_tree_head();
    sth->set_tree_size(kSize);
    sth->set_root_hash(Bytes(head.root));
    sth->set_timestamp_us(head.timestamp_us);
    sth->set_signature(signer_->Sign(audit::SigningInput(head)));
    sth->set_public_key(signer_->PublicKeyRaw());
  }

  ReceiptVerification Verify() const { return VerifyReceipt(receipt_, signer_->PublicKeyRaw()); }

  v1::AuditEntry Entry() const {
    v1::AuditEntry e;
    e.ParseFromString(receipt_.entry());
    return e;
  }

  static constexpr uint64_t kIndex = 3, kSize = 5;
  std::unique_ptr<audit::Signer> signer_;
  audit::MemoryNodeStore nodes_;
  v1::ReadReceipt receipt_;
};

TEST_F(ReceiptTest, AnUntouchedReceiptVerifies) {
  ReceiptVerification v = Verify();
  EXPECT_TRUE(v.valid) << v.failed_check << ": " << v.message;
  EXPECT_EQ(v.failed_check, "");
  EXPECT_EQ(v.entry.access().subject(), "persons/p1");
  EXPECT_EQ(v.entry.access().served().revision(), 3);
}

TEST_F(ReceiptTest, ServedFieldsAreInNameOrder) {
  ASSERT_EQ(receipt_.served_size(), 3);
  EXPECT_EQ(receipt_.served(0).field(), "id_number");
  EXPECT_EQ(receipt_.served(1).field(), "marital_status");
  EXPECT_EQ(receipt_.served(2).field(), "name");
}

TEST_F(ReceiptTest, ATamperedEntryFailsTheEntryCheck) {
  v1::AuditEntry e = Entry();
  e.mutable_access()->set_case_id("another case");
  receipt_.set_entry(e.SerializeAsString());
  ReceiptVerification v = Verify();
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.failed_check, "entry");
  EXPECT_THAT(v.message, ::testing::HasSubstr("does not hash to the leaf"));
}

TEST_F(ReceiptTest, AnEntryAndLeafHashChangedTogetherFailTheInclusionCheck) {
  v1::AuditEntry e = Entry();
  e.mutable_access()->mutable_served()->set_revision(2);
  receipt_.set_entry(e.SerializeAsString());
  receipt_.mutable_inclusion_proof()->set_leaf_hash(Bytes(audit::LeafHash(receipt_.entry())));
  ReceiptVerification v = Verify();
  EXPECT_EQ(v.failed_check, "inclusion");
}

TEST_F(ReceiptTest, ATamperedProofFailsTheInclusionCheck) {
  std::string h = receipt_.inclusion_proof().hashes(0);
  h[0] = static_cast<char>(h[0] ^ 1);
  receipt_.mutable_inclusion_proof()->set_hashes(0, h);
  ReceiptVerification v = Verify();
  EXPECT_EQ(v.failed_check, "inclusion");
  EXPECT_THAT(v.message, ::testing::HasSubstr("not proven in the signed tree"));
}

TEST_F(ReceiptTest, AProofForAnotherTreeSizeFailsTheInclusionCheck) {
  receipt_.mutable_inclusion_proof()->set_tree_size(kSize + 1);
  EXPECT_EQ(Verify().failed_check, "inclusion");
}

TEST_F(ReceiptTest, ATamperedHeadSignatureFailsTheSignatureCheck) {
  std::string sig = receipt_.tree_head().signature();
  sig[10] = static_cast<char>(sig[10] ^ 0x40);
  receipt_.mutable_tree_head()->set_signature(sig);
  ReceiptVerification v = Verify();
  EXPECT_EQ(v.failed_check, "signature");
  EXPECT_THAT(v.message, ::testing::HasSubstr("does not verify under the audit key"));
}

TEST_F(ReceiptTest, AHeadWithAnotherTimestampFailsTheSignatureCheck) {
  receipt_.mutable_tree_head()->set_timestamp_us(receipt_.tree_head().timestamp_us() + 1);
  EXPECT_EQ(Verify().failed_check, "signature");
}

TEST_F(ReceiptTest, TheWrongKeyFailsTheSignatureCheckAndSaysSo) {
  audit::Signer other = NewSigner("other.pem");
  ReceiptVerification v = VerifyReceipt(receipt_, other.PublicKeyRaw());
  EXPECT_EQ(v.failed_check, "signature");
  EXPECT_THAT(v.message, ::testing::HasSubstr("not signed by the audit key given"));
  EXPECT_EQ(VerifyReceipt(receipt_, "short").failed_check, "signature");
}

TEST_F(ReceiptTest, ATamperedServedValueFailsTheDigestCheck) {
  receipt_.mutable_served(1)->mutable_value()->set_code_value("10");
  ReceiptVerification v = Verify();
  EXPECT_EQ(v.failed_check, "digest");
  EXPECT_THAT(v.message, ::testing::HasSubstr("do not hash to the digest"));
}

TEST_F(ReceiptTest, AValueOfAnotherTypeWithTheSameTextFailsTheDigestCheck) {
  receipt_.mutable_served(1)->mutable_value()->set_string_value("20");
  EXPECT_EQ(Verify().failed_check, "digest");
}

TEST_F(ReceiptTest, ATamperedSaltFailsTheDigestCheck) {
  std::string salt = receipt_.salt();
  salt[0] = static_cast<char>(salt[0] ^ 1);
  receipt_.set_salt(salt);
  EXPECT_EQ(Verify().failed_check, "digest");
}

TEST_F(ReceiptTest, AFieldUnmaskedOrLeftOutFailsTheServedCheck) {
  v1::ReadReceipt unmasked = receipt_;
  unmasked.mutable_served(0)->set_masked(false);
  ReceiptVerification v = VerifyReceipt(unmasked, signer_->PublicKeyRaw());
  EXPECT_EQ(v.failed_check, "served");
  EXPECT_THAT(v.message, ::testing::HasSubstr("was not released in clear"));

  v1::ReadReceipt fewer = receipt_;
  fewer.mutable_served()->RemoveLast();
  v = VerifyReceipt(fewer, signer_->PublicKeyRaw());
  EXPECT_EQ(v.failed_check, "served");
  EXPECT_THAT(v.message, ::testing::HasSubstr("which the receipt does not list"));

  v1::ReadReceipt twice = receipt_;
  *twice.add_served() = receipt_.served(2);
  EXPECT_EQ(VerifyReceipt(twice, signer_->PublicKeyRaw()).failed_check, "served");
}

TEST_F(ReceiptTest, MalformedReceiptsFailTheFormatCheck) {
  v1::ReadReceipt r = receipt_;
  r.set_salt("short");
  EXPECT_EQ(VerifyReceipt(r, signer_->PublicKeyRaw()).failed_check, "format");
  r = receipt_;
  r.set_entry("\xff\xff\xff");
  EXPECT_EQ(VerifyReceipt(r, signer_->PublicKeyRaw()).failed_check, "format");
  r = receipt_;
  r.set_format_version(2);
  EXPECT_EQ(VerifyReceipt(r, signer_->PublicKeyRaw()).failed_check, "format");
  r = receipt_;
  r.clear_tree_head();
  EXPECT_EQ(VerifyReceipt(r, signer_->PublicKeyRaw()).failed_check, "format");
  r = receipt_;
  r.mutable_inclusion_proof()->add_hashes("x");
  EXPECT_EQ(VerifyReceipt(r, signer_->PublicKeyRaw()).failed_check, "format");
  EXPECT_EQ(VerifyReceipt(v1::ReadReceipt(), signer_->PublicKeyRaw()).failed_check, "format");
}

TEST(ServedEncodingTest, BindsEveryPartOfWhatWasServed) {
  v1::ServedDigest meta;
  meta.set_revision(3);
  ServedFields served;
  auto* f = served.Add();
  f->set_field("name");
  f->mutable_value()->set_string_value("a");
  const std::string salt(kSaltSize, 'x');
  const std::string base = SaltedDigest(salt, "persons/p1", "matters/m", meta, served);
  EXPECT_EQ(base.size(), 32u);
  EXPECT_EQ(base, SaltedDigest(salt, "persons/p1", "matters/m", meta, served));
  EXPECT_NE(base, SaltedDigest(salt, "persons/p2", "matters/m", meta, served));
  EXPECT_NE(base, SaltedDigest(salt, "persons/p1", "matters/n", meta, served));
  v1::ServedDigest later = meta;
  later.set_purpose_version(2);
  EXPECT_NE(base, SaltedDigest(salt, "persons/p1", "matters/m", later, served));
  ServedFields masked = served;
  masked.Mutable(0)->set_masked(true);
  EXPECT_NE(base, SaltedDigest(salt, "persons/p1", "matters/m", meta, masked));
  // Length prefixes keep "ab" + "" apart from "a" + "b".
  EXPECT_NE(SaltedDigest(salt, "ab", "", meta, served), SaltedDigest(salt, "a", "b", meta, served));
  EXPECT_NE(NewSalt(), NewSalt());
}

}  // namespace
}  // namespace collectonce::receipt
