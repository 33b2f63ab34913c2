#include "libs/audit/published_head.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"

namespace collectonce::audit {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;

class PublishedHeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/published_head_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto s = Signer::LoadOrCreate(dir_ + "/key.pem", true);
    ASSERT_TRUE(s.ok());
    signer_.emplace(*std::move(s));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A log of n leaves, its nodes in `nodes_`.
  TreeHead Grow(uint64_t n) {
    while (appender_.size() < n) {
      std::vector<NodeWrite> w;
      appender_.Append(LeafHash("entry " + std::to_string(appender_.size())), &w);
      nodes_.Apply(w);
    }
    TreeHead h;
    h.size = n;
    h.root = *RootAt(nodes_, n);
    h.timestamp_us = 1764650000000000 + static_cast<int64_t>(n);
    return h;
  }

  std::string dir_;
  std::optional<Signer> signer_;
  MerkleAppender appender_;
  MemoryNodeStore nodes_;
};

TEST_F(PublishedHeadTest, ANewerHeadIsWrittenBeforeItIsHandedOutAndAnOlderOneIsNot) {
  const std::string path = dir_ + "/published-tree-head";
  HeadPublisher publisher(&*signer_, path);
  ASSERT_THAT(ReadPublishedHead(path), IsOk());
  EXPECT_FALSE(ReadPublishedHead(path)->has_value());

  auto h5 = publisher.Publish(Grow(5));
  ASSERT_THAT(h5, IsOk());
  auto read = ReadPublishedHead(path);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->head.size, 5u);
  EXPECT_EQ((*read)->head.root, h5->head.root);
  EXPECT_EQ((*read)->signature, h5->signature);
  EXPECT_THAT(
      VerifySignature(signer_->PublicKeyRaw(), SigningInput((*read)->head), (*read)->signature),
      IsOk());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_THAT(publisher.Publish(Grow(9)), IsOk());
  TreeHead older = Grow(9);
  older.size = 5;
  older.root = *RootAt(nodes_, 5);
  ASSERT_THAT(publisher.Publish(older), IsOk());
  EXPECT_EQ((*ReadPublishedHead(path))->head.size, 9u);
}

TEST_F(PublishedHeadTest, AStoreAtOrPastTheHeadPassesAndOneBehindOrRewrittenIsRefused) {
  const std::string path = dir_ + "/published-tree-head";
  HeadPublisher publisher(&*signer_, path);
  ASSERT_THAT(publisher.Publish(Grow(20)), IsOk());
  const SignedHead published = **ReadPublishedHead(path);
  const std::string& key = signer_->PublicKeyRaw();

  EXPECT_THAT(CheckAgainstPublishedHead(published, key, 20, nodes_), IsOk());
  Grow(37);
  EXPECT_THAT(CheckAgainstPublishedHead(published, key, 37, nodes_), IsOk());

  absl::Status behind = CheckAgainstPublishedHead(published, key, 19, nodes_);
  EXPECT_THAT(behind, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(behind), "STORE_BEHIND_PUBLISHED_HEAD");
  EXPECT_NE(behind.message().find("19 entries"), absl::string_view::npos) << behind;

  // The same number of entries, another history.
  MerkleAppender other;
  MemoryNodeStore other_nodes;
  for (int i = 0; i < 37; ++i) {
    std::vector<NodeWrite> w;
    other.Append(LeafHash(i == 3 ? std::string("rewritten") : "entry " + std::to_string(i)), &w);
    other_nodes.Apply(w);
  }
  absl::Status rewritten = CheckAgainstPublishedHead(published, key, 37, other_nodes);
  EXPECT_EQ(ReasonOf(rewritten), "LOG_DIVERGES_FROM_PUBLISHED_HEAD") << rewritten;

  auto stranger = Signer::LoadOrCreate(dir_ + "/other.pem", true);
  ASSERT_TRUE(stranger.ok());
  EXPECT_EQ(ReasonOf(CheckAgainstPublishedHead(published, stranger->PublicKeyRaw(), 37, nodes_)),
            "PUBLISHED_HEAD_OTHER_KEY");
  // A file edited to claim a smaller head no longer verifies.
  SignedHead edited = published;
  edited.head.size = 3;
  edited.head.root = *RootAt(nodes_, 3);
  EXPECT_EQ(ReasonOf(CheckAgainstPublishedHead(edited, key, 37, nodes_)),
            "PUBLISHED_HEAD_OTHER_KEY");
}

TEST_F(PublishedHeadTest, AMalformedFileIsRefusedAndAnUnwritableOneFailsThePublish) {
  const std::string path = dir_ + "/published-tree-head";
  std::ofstream(path) << "collectonce-published-head-v1\nsize twelve\n";
  EXPECT_THAT(ReadPublishedHead(path), StatusIs(absl::StatusCode::kDataLoss));
  std::ofstream(path) << "something else\n";
  EXPECT_THAT(ReadPublishedHead(path), StatusIs(absl::StatusCode::kDataLoss));

  HeadPublisher nowhere(&*signer_, dir_ + "/no/such/dir/head");
  auto s = nowhere.Publish(Grow(2));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ReasonOf(s.status()), "PUBLISHED_HEAD_UNWRITABLE");
}

// Overwrites `n` bytes of `path` at `offset` with 'x', as a write torn by a crash might.
void Scribble(const std::string& path, size_t offset, size_t n) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f << std::string(n, 'x');
}

TEST_F(PublishedHeadTest, HeadsAlternateBetweenTwoSlotsSoATornWriteLeavesThePreviousHead) {
  const std::string path = dir_ + "/published-tree-head";
  {
    HeadPublisher publisher(&*signer_, path);
    ASSERT_THAT(publisher.Publish(Grow(5)), IsOk());  // slot 0
    ASSERT_THAT(publisher.Publish(Grow(9)), IsOk());  // slot 1
    EXPECT_EQ(std::filesystem::file_size(path), 1024u);
    EXPECT_EQ((*ReadPublishedHead(path))->head.size, 9u);
  }
  // A restarted registry writes the slot that does not hold the newest head.
  {
    HeadPublisher publisher(&*signer_, path, 9);
    ASSERT_THAT(publisher.Publish(Grow(12)), IsOk());  // slot 0
  }
  auto read = ReadPublishedHead(path);
  ASSERT_TRUE(read.ok() && read->has_value()) << read.status();
  EXPECT_EQ((*read)->head.size, 12u);
  EXPECT_THAT(
      VerifySignature(signer_->PublicKeyRaw(), SigningInput((*read)->head), (*read)->signature),
      IsOk());

  Scribble(path, 100, 20);  // slot 0, holding 12, torn
  read = ReadPublishedHead(path);
  ASSERT_TRUE(read.ok() && read->has_value()) << read.status();
  EXPECT_EQ((*read)->head.size, 9u);
  Scribble(path, 600, 20);  // slot 1 too: nothing to trust
  EXPECT_THAT(ReadPublishedHead(path), StatusIs(absl::StatusCode::kDataLoss));
  // A publisher starting on such a file begins a new one.
  HeadPublisher publisher(&*signer_, path, 9);
  ASSERT_THAT(publisher.Publish(Grow(14)), IsOk());
  EXPECT_EQ((*ReadPublishedHead(path))->head.size, 14u);
}

TEST_F(PublishedHeadTest, AVersionOneFileIsReadAndReplacedAtTheNextHead) {
  const std::string path = dir_ + "/published-tree-head";
  const TreeHead h7 = Grow(7);
  const std::string sig = signer_->Sign(SigningInput(h7));
  std::ofstream(path) << "collectonce-published-head-v1\nsize 7\ntimestamp_us " << h7.timestamp_us
                      << "\nroot "
                      << absl::BytesToHexString(
                             absl::string_view(reinterpret_cast<const char*>(h7.root.data()), 32))
                      << "\nsignature " << absl::BytesToHexString(sig) << "\n";
  auto read = ReadPublishedHead(path);
  ASSERT_TRUE(read.ok() && read->has_value()) << read.status();
  EXPECT_EQ((*read)->head.size, 7u);
  EXPECT_EQ((*read)->head.root, h7.root);
  EXPECT_EQ((*read)->signature, sig);

  HeadPublisher publisher(&*signer_, path, 7);
  ASSERT_THAT(publisher.Publish(Grow(8)), IsOk());
  EXPECT_EQ(std::filesystem::file_size(path), 1024u);
  EXPECT_EQ((*ReadPublishedHead(path))->head.size, 8u);
}

}  // namespace
}  // namespace collectonce::audit
