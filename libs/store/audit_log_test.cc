// The audit log as stored: tampering with the RocksDB directory behind the store's back
// (the store closed, as with the daemon stopped) is caught by recomputing the log.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/audit/log_verifier.h"
#include "libs/base/status_matchers.h"
#include "libs/store/keys.h"
#include "libs/store/test_util.h"
#include "rocksdb/db.h"

namespace collectonce::store {
namespace {

using ::collectonce::testing::IsOk;
using ::testing::HasSubstr;
using namespace ::collectonce::store::testing;  // NOLINT

class AuditLogTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    for (int i = 0; i < 6; ++i) {
      Advance(absl::Minutes(5));
      WriteRequest r = Req(kSteel);
      r.changes = {{"name", Str(absl::StrCat("福建省钢源粉体材料有限公司", i))}};
      ASSERT_THAT(store_->WriteAndWait(r), IsOk());
    }
  }

  // Reads every entry through the store and recomputes the log; the first problem found.
  absl::Status VerifyAll() {
    auto entries = store_->ReadAuditEntries(0, 1000, false);
    if (!entries.ok()) return entries.status();
    audit::LogVerifier v;
    uint64_t position = 0;
    for (const auto& e : *entries) {
      v1::AuditEntry parsed;
      if (!parsed.ParseFromString(e.bytes)) {
        return absl::DataLossError(absl::StrCat("entry ", e.index, " is unreadable"));
      }
      absl::Status s = v.Add(e.index, parsed.index(), e.bytes, e.stored_leaf_hash);
      if (!s.ok()) return s;
      if (parsed.has_change() && parsed.change().change_set_sha256() != e.stored_change_set_sha256) {
        return absl::DataLossError(absl::StrCat("entry ", e.index, ": the change set of ",
                                                parsed.change().subject(), " revision ",
                                                parsed.change().revision(), " was edited"));
      }
      ++position;
    }
    const uint64_t size = store_->Stats().audit_size;
    if (position != size) {
      return absl::DataLossError(absl::StrCat("read ", position, " entries of ", size));
    }
    return absl::OkStatus();
  }

  // Runs `tamper` on the raw database with the store closed, then reopens the store.
  void Tamper(const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle* audit,
                                       rocksdb::ColumnFamilyHandle* history)>& tamper) {
    store_.reset();
    {
      RawDb raw(dir_);
      tamper(raw.db(), raw.cf(keys::kAuditCf), raw.cf(keys::kHistoryCf));
    }
    Reopen();
  }
};

TEST_F(AuditLogTest, AnUntouchedLogVerifies) { EXPECT_THAT(VerifyAll(), IsOk()); }

TEST_F(AuditLogTest, AnEditedEntryIsCaughtAndNamed) {
  Tamper([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* audit, rocksdb::ColumnFamilyHandle*) {
    std::string bytes;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), audit, keys::AuditIndex(4), &bytes).ok());
    v1::AuditEntry e;
    ASSERT_TRUE(e.ParseFromString(bytes));
    e.set_principal("principals/someone-else");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), audit, keys::AuditIndex(4), e.SerializeAsString()).ok());
  });
  absl::Status s = VerifyAll();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("entry 4 was changed"));
}

TEST_F(AuditLogTest, ADeletedEntryIsCaughtAndNamed) {
  Tamper([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* audit, rocksdb::ColumnFamilyHandle*) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), audit, keys::AuditIndex(3)).ok());
  });
  EXPECT_THAT(VerifyAll().message(), HasSubstr("entry 3 is missing"));
}

TEST_F(AuditLogTest, SwappedEntriesAreCaughtAndNamed) {
  Tamper([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* audit, rocksdb::ColumnFamilyHandle*) {
    std::string a, b;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), audit, keys::AuditIndex(5), &a).ok());
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), audit, keys::AuditIndex(6), &b).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), audit, keys::AuditIndex(5), b).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), audit, keys::AuditIndex(6), a).ok());
  });
  absl::Status s = VerifyAll();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("entry 5"));
}

TEST_F(AuditLogTest, AnEditedChangeSetIsCaughtThroughItsDigest) {
  Tamper([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle*, rocksdb::ColumnFamilyHandle* history) {
    const std::string key = keys::SubjectRevision(*catalog::ParseSubjectName(kSteel), 2);
    std::string bytes;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), history, key, &bytes).ok());
    v1::ChangeSet cs;
    ASSERT_TRUE(cs.ParseFromString(bytes));
    cs.set_reason("nothing happened here");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), history, key, cs.SerializeAsString()).ok());
  });
  absl::Status s = VerifyAll();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("revision 2 was edited"));
}

TEST_F(AuditLogTest, ProofsFromTheStoreVerify) {
  const uint64_t size = store_->Stats().audit_size;
  auto root = audit::RootAt(store_->AuditNodes(), size);
  ASSERT_THAT(root, IsOk());
  auto entries = store_->ReadAuditEntries(0, 100, false);
  ASSERT_THAT(entries, IsOk());
  for (uint64_t i = 0; i < size; ++i) {
    auto proof = audit::InclusionProof(store_->AuditNodes(), i, size);
    ASSERT_THAT(proof, IsOk());
    EXPECT_THAT(audit::VerifyInclusion(audit::LeafHash((*entries)[i].bytes), i, size, *proof, *root),
                IsOk());
  }
  auto old_root = audit::RootAt(store_->AuditNodes(), 3);
  auto consistency = audit::ConsistencyProof(store_->AuditNodes(), 3, size);
  ASSERT_THAT(consistency, IsOk());
  EXPECT_THAT(audit::VerifyConsistency(3, size, *old_root, *root, *consistency), IsOk());
}

}  // namespace
}  // namespace collectonce::store
