// The audit log as stored: tampering with the RocksDB directory behind the store's back
// (the store closed, as with the daemon stopped) is caught by recomputing the log.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/audit/log_verifier.h"
#include "libs/base/status_matchers.h"
#include "libs/store/audit_value.h"
#include "libs/store/keys.h"
#include "libs/store/state_mac.h"
#include "libs/store/test_util.h"
#include "rocksdb/db.h"

namespace collectonce::store {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::IsOkAndHolds;
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
      if (parsed.has_change() &&
          parsed.change().change_set_sha256() != e.stored_change_set_sha256) {
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
  store_.reset();
  RawDb(dir_).EditAuditEntry(
      4, [](v1::AuditEntry* e) { e->set_principal("principals/someone-else"); });
  Reopen();
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
    // Behind its seal (format 6): the reads refuse it too (integrity_test.cc).
    ASSERT_TRUE(StateMac::IsSealed(bytes));
    v1::ChangeSet cs;
    ASSERT_TRUE(cs.ParseFromString(bytes.substr(StateMac::kOverhead)));
    cs.set_reason("nothing happened here");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), history, key,
                        bytes.substr(0, StateMac::kOverhead) + cs.SerializeAsString())
                    .ok());
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
    EXPECT_THAT(
        audit::VerifyInclusion(audit::LeafHash((*entries)[i].bytes), i, size, *proof, *root),
        IsOk());
  }
  auto old_root = audit::RootAt(store_->AuditNodes(), 3);
  auto consistency = audit::ConsistencyProof(store_->AuditNodes(), 3, size);
  ASSERT_THAT(consistency, IsOk());
  EXPECT_THAT(audit::VerifyConsistency(3, size, *old_root, *root, *consistency), IsOk());
}

// Every leaf's inclusion at `size`, and the consistency of every smaller tree with it.
void ExpectProofsVerify(Store& store, const std::vector<Store::RawAuditEntry>& entries,
                        uint64_t size) {
  auto root = audit::RootAt(store.AuditNodes(), size);
  ASSERT_THAT(root, IsOk());
  for (uint64_t i = 0; i < size; ++i) {
    auto proof = audit::InclusionProof(store.AuditNodes(), i, size);
    ASSERT_THAT(proof, IsOk());
    EXPECT_THAT(audit::VerifyInclusion(audit::LeafHash(entries[i].bytes), i, size, *proof, *root),
                IsOk())
        << "leaf " << i << " of " << size;
  }
  for (uint64_t old_size = 1; old_size < size; ++old_size) {
    auto old_root = audit::RootAt(store.AuditNodes(), old_size);
    auto proof = audit::ConsistencyProof(store.AuditNodes(), old_size, size);
    ASSERT_THAT(old_root, IsOk());
    ASSERT_THAT(proof, IsOk());
    EXPECT_THAT(audit::VerifyConsistency(old_size, size, *old_root, *root, *proof), IsOk())
        << old_size << " to " << size;
  }
}

// Since format 4 the nodes of subtrees under 16 leaves are not stored: proofs hash them from
// the leaf hashes kept with the entries, and the tree's low edge survives a restart in the
// meta.
TEST_F(AuditLogTest, NodesBelowSixteenLeavesAreNotStoredYetEveryProofVerifies) {
  while (store_->Stats().audit_size < 53) {
    Advance(absl::Minutes(1));
    WriteRequest r = Req(kSteel);
    r.changes = {
        {"name", Str(absl::StrCat("福建省钢源粉体材料有限公司", store_->Stats().audit_size))}};
    ASSERT_THAT(store_->WriteAndWait(r), IsOk());
  }
  const uint64_t size = store_->Stats().audit_size;
  auto entries = store_->ReadAuditEntries(0, 1000, false);
  ASSERT_THAT(entries, IsOk());
  ASSERT_EQ(entries->size(), size);
  for (const auto& e : *entries) {
    EXPECT_EQ(e.stored_leaf_hash.size(), 32u) << "entry " << e.index << " keeps its leaf hash";
  }
  ExpectProofsVerify(*store_, *entries, size);
  auto root = audit::RootAt(store_->AuditNodes(), size);
  ASSERT_THAT(root, IsOk());

  store_.reset();
  {
    RawDb raw(dir_);
    std::unique_ptr<rocksdb::Iterator> it(
        raw.db()->NewIterator(rocksdb::ReadOptions(), raw.cf(keys::kAuditNodesCf)));
    int nodes = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++nodes) {
      EXPECT_GE(static_cast<uint8_t>(it->key()[0]), 4) << "a node under 16 leaves was stored";
    }
    // Level 4: subtrees 0..size/16-1; level 5: 0..size/32-1; and so on.
    int expected = 0;
    for (int level = 4; level < 64 && (size >> level) > 0; ++level) expected += size >> level;
    EXPECT_EQ(nodes, expected);
  }
  Reopen();
  EXPECT_THAT(audit::RootAt(store_->AuditNodes(), size), IsOkAndHolds(*root));
  // The reopened store extends the same tree: the new head is consistent with the old one.
  WriteRequest r = Req(kSteel);
  r.changes = {{"name", Str("福建省钢源粉体材料有限公司（重开后）")}};
  ASSERT_THAT(store_->WriteAndWait(r), IsOk());
  entries = store_->ReadAuditEntries(0, 1000, false);
  ASSERT_THAT(entries, IsOk());
  ExpectProofsVerify(*store_, *entries, store_->Stats().audit_size);
  EXPECT_THAT(VerifyAll(), IsOk());
}

// Turns the closed store's audit log into the shape format 3 left: entries without their
// leaf hash, nodes stored at every level, no low edge in the meta.
void RewriteAsFormatThree(const std::string& dir, uint64_t size) {
  RawDb raw(dir);
  audit::MerkleAppender tree;
  std::vector<audit::NodeWrite> nodes;
  for (uint64_t i = 0; i < size; ++i) {
    std::string value;
    ASSERT_TRUE(
        raw.db()
            ->Get(rocksdb::ReadOptions(), raw.cf(keys::kAuditCf), keys::AuditIndex(i), &value)
            .ok());
    const std::string entry(DecodeAuditValue(value).entry);
    ASSERT_TRUE(
        raw.db()
            ->Put(rocksdb::WriteOptions(), raw.cf(keys::kAuditCf), keys::AuditIndex(i), entry)
            .ok());
    tree.Append(audit::LeafHash(entry), &nodes);
  }
  for (const auto& n : nodes) {
    ASSERT_TRUE(raw.db()
                    ->Put(rocksdb::WriteOptions(), raw.cf(keys::kAuditNodesCf),
                          keys::AuditNode(n.level, n.index),
                          rocksdb::Slice(reinterpret_cast<const char*>(n.hash.data()), 32))
                    .ok());
  }
  std::string bytes;
  ASSERT_TRUE(
      raw.db()->Get(rocksdb::ReadOptions(), raw.cf(keys::kMetaCf), keys::kMetaKey, &bytes).ok());
  storage::v1::StoreMeta meta;
  ASSERT_TRUE(meta.ParseFromString(bytes));
  meta.clear_audit_low_frontier();
  ASSERT_TRUE(raw.db()
                  ->Put(rocksdb::WriteOptions(), raw.cf(keys::kMetaCf), keys::kMetaKey,
                        meta.SerializeAsString())
                  .ok());
  raw.MakeOlderFormat(3);
}

// A log written before format 4 (entries without their leaf hash, nodes at every level, no
// low edge in the meta) still opens, proves and verifies, and takes new entries.
// A proof within the log that needs a node or an entry the store has lost is DATA_LOSS:
// the store is damaged, and the caller asked for nothing out of range.
TEST_F(AuditLogTest, AProofThroughALostNodeOrEntryIsDataLoss) {
  while (store_->Stats().audit_size < 40) {
    Advance(absl::Minutes(1));
    WriteRequest r = Req(kSteel);
    r.changes = {
        {"name", Str(absl::StrCat("福建省钢源粉体材料有限公司", store_->Stats().audit_size))}};
    ASSERT_THAT(store_->WriteAndWait(r), IsOk());
  }
  const uint64_t size = store_->Stats().audit_size;
  Tamper([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* audit, rocksdb::ColumnFamilyHandle*) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), audit, keys::AuditIndex(3)).ok());
  });
  {
    store_.reset();
    RawDb raw(dir_);
    ASSERT_TRUE(
        raw.db()
            ->Delete(rocksdb::WriteOptions(), raw.cf(keys::kAuditNodesCf), keys::AuditNode(4, 0))
            .ok());
  }
  Reopen();  // the tree's frontier (node 5/0, the low edge) is intact: it opens
  EXPECT_THAT(
      audit::InclusionProof(store_->AuditNodes(), 20, size),
      collectonce::testing::StatusIs(absl::StatusCode::kDataLoss, HasSubstr("audit node 4/0")));
  EXPECT_THAT(
      audit::InclusionProof(store_->AuditNodes(), 0, 20),
      collectonce::testing::StatusIs(absl::StatusCode::kDataLoss, HasSubstr("audit entry 3")));
  EXPECT_THAT(audit::RootAt(store_->AuditNodes(), size), IsOk());
}

TEST_F(AuditLogTest, ALogWrittenBeforeFormatFourStillProves) {
  for (int i = 0; i < 12; ++i) {
    Advance(absl::Minutes(1));
    WriteRequest r = Req(kSteel);
    r.changes = {{"name", Str(absl::StrCat("福建省钢源粉体材料有限公司 旧", i))}};
    ASSERT_THAT(store_->WriteAndWait(r), IsOk());
  }
  const uint64_t size = store_->Stats().audit_size;
  auto root = audit::RootAt(store_->AuditNodes(), size);
  ASSERT_THAT(root, IsOk());
  store_.reset();
  RewriteAsFormatThree(dir_, size);
  Reopen();
  EXPECT_THAT(audit::RootAt(store_->AuditNodes(), size), IsOkAndHolds(*root));
  auto entries = store_->ReadAuditEntries(0, 1000, false);
  ASSERT_THAT(entries, IsOk());
  EXPECT_EQ((*entries)[3].stored_leaf_hash.size(), 32u) << "the old leaf node is reported";
  ExpectProofsVerify(*store_, *entries, size);
  EXPECT_THAT(VerifyAll(), IsOk());

  WriteRequest r = Req(kSteel);
  r.changes = {{"name", Str("福建省钢源粉体材料有限公司 新")}};
  ASSERT_THAT(store_->WriteAndWait(r), IsOk());
  entries = store_->ReadAuditEntries(0, 1000, false);
  ASSERT_THAT(entries, IsOk());
  ExpectProofsVerify(*store_, *entries, store_->Stats().audit_size);
  EXPECT_THAT(VerifyAll(), IsOk());
}

// In a log of the format-3 shape, the tree goes on from the hashes it was built from: an
// entry edited behind its back (one of the last, whose subtrees are not yet of 16 leaves)
// changes neither the root nor the next head, and verification names it.
TEST_F(AuditLogTest, AnOlderLogGoesOnFromItsStoredNodesNotFromEditedEntries) {
  const uint64_t size = store_->Stats().audit_size;
  ASSERT_NE(size % 16, 0u) << "the last entries must lie below the stored levels";
  auto root = audit::RootAt(store_->AuditNodes(), size);
  ASSERT_THAT(root, IsOk());
  store_.reset();
  RewriteAsFormatThree(dir_, size);
  {
    RawDb raw(dir_);
    std::string bytes;
    ASSERT_TRUE(raw.db()
                    ->Get(rocksdb::ReadOptions(), raw.cf(keys::kAuditCf),
                          keys::AuditIndex(size - 1), &bytes)
                    .ok());
    v1::AuditEntry e;
    ASSERT_TRUE(e.ParseFromString(bytes));
    e.set_principal("principals/someone-else");
    ASSERT_TRUE(raw.db()
                    ->Put(rocksdb::WriteOptions(), raw.cf(keys::kAuditCf),
                          keys::AuditIndex(size - 1), e.SerializeAsString())
                    .ok());
  }
  Reopen();
  EXPECT_THAT(audit::RootAt(store_->AuditNodes(), size), IsOkAndHolds(*root));
  EXPECT_THAT(VerifyAll().message(), HasSubstr(absl::StrCat("entry ", size - 1, " was changed")));
}

}  // namespace
}  // namespace collectonce::store
