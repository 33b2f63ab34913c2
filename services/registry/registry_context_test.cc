// What a follower may answer (RegistryContext::ServesRead / FollowerMiss): reads by revision
// and by a commit time it has applied; never the current record.
#include "services/registry/registry_context.h"

#include <filesystem>

#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/test_util.h"

namespace collectonce::registry {
namespace {

namespace st = ::collectonce::store::testing;

class FollowerReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = st::MakeTempDir("context");
    store::RocksDbStoreOptions o;
    o.data_dir = dir_;
    o.sync = false;
    o.index_hash = store::KeyedHash::FromKey("0123456789abcdef0123456789abcdef");
    o.block_cache_bytes = 8 << 20;
    o.write_buffer_bytes = 8 << 20;
    auto s = store::RocksDbStore::Open(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
    context_ = std::make_unique<RegistryContext>(store_.get(), true, "bootstrap");
  }
  void TearDown() override {
    context_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<store::RocksDbStore> store_;
  std::unique_ptr<RegistryContext> context_;
};

TEST_F(FollowerReadsTest, ALeaderOrASingleNodeServesEveryRead) {
  EXPECT_TRUE(context_->leading());
  EXPECT_TRUE(context_->ServesRead(store::AsOf::Current()).ok());
  context_->set_leading([] { return true; });
  EXPECT_TRUE(context_->ServesRead(store::AsOf::CommitTime(INT64_MAX)).ok());
  EXPECT_EQ(context_->FollowerMiss(absl::NotFoundError("none"), store::AsOf::Revision(3)).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(FollowerReadsTest, AFollowerServesOnlyWhatCannotGoStale) {
  context_->set_leading([] { return false; });
  for (const store::AsOf& a :
       {store::AsOf::Current(), store::AsOf::ValidDay(absl::CivilDay(2026, 3, 1)),
        store::AsOf::CommitTime(store_->Stats().last_commit_time_us + 1)}) {
    absl::Status s = context_->ServesRead(a);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(s), "NOT_LEADER");
  }
  EXPECT_TRUE(context_->ServesRead(store::AsOf::Revision(7)).ok());
  EXPECT_TRUE(
      context_->ServesRead(store::AsOf::CommitTime(store_->Stats().last_commit_time_us)).ok());
  // A revision it has not applied may be on the leader.
  absl::Status miss = context_->FollowerMiss(absl::NotFoundError("none"), store::AsOf::Revision(7));
  EXPECT_EQ(ReasonOf(miss), "NOT_LEADER");
  EXPECT_EQ(context_->FollowerMiss(absl::NotFoundError("none"), store::AsOf::CommitTime(1)).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(FollowerReadsTest, AMinimumCommitSequenceIsWaitedForThenRefusedAsRetryable) {
  const int64_t applied = store_->Stats().last_commit_sequence;
  EXPECT_TRUE(context_->WaitForCommitSequence(applied, absl::Now()).ok());
  EXPECT_TRUE(context_->WaitForCommitSequence(0, absl::InfinitePast()).ok());
  // Not applied here (yet): refused once the call's deadline is near, with a reason that
  // sends the client elsewhere.
  const absl::Time start = absl::Now();
  absl::Status s = context_->WaitForCommitSequence(applied + 1, start + absl::Milliseconds(30));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(s), "REPLICA_BEHIND");
  EXPECT_LT(absl::Now() - start, RegistryContext::kMaxSequenceWait);
  // A far deadline waits at most kMaxSequenceWait.
  s = context_->WaitForCommitSequence(applied + 1, absl::InfiniteFuture());
  EXPECT_EQ(ReasonOf(s), "REPLICA_BEHIND");
  EXPECT_GE(absl::Now() - start, RegistryContext::kMaxSequenceWait);
}

}  // namespace
}  // namespace collectonce::registry
