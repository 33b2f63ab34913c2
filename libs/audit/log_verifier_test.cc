#include "libs/audit/log_verifier.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/audit/signer.h"

namespace collectonce::audit {
namespace {

using ::testing::HasSubstr;

std::string Bytes(const Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

class LogVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char path[] = "/tmp/collectonce-signer-XXXXXX";
    close(mkstemp(path));
    unlink(path);
    auto s = Signer::LoadOrCreate(path, true);
    ASSERT_TRUE(s.ok()) << s.status();
    signer_ = std::make_unique<Signer>(*std::move(s));
    unlink(path);
    for (int i = 0; i < 20; ++i) {
      entries_.push_back(absl::StrCat("entry-", i));
      std::vector<NodeWrite> w;
      appender_.Append(LeafHash(entries_.back()), &w);
      nodes_.Apply(w);
    }
  }
  TreeHead Head(uint64_t size) { return TreeHead{size, *RootAt(nodes_, size), 1772326800000000}; }
  std::string Sign(const TreeHead& h) { return signer_->Sign(SigningInput(h)); }
  std::string Leaf(uint64_t i) { return Bytes(*nodes_.Subtree(0, i)); }

  std::unique_ptr<Signer> signer_;
  MemoryNodeStore nodes_;
  MerkleAppender appender_;
  std::vector<std::string> entries_;
};

TEST_F(LogVerifierTest, AnIntactLogVerifiesAgainstItsHeadAndAnEarlierOne) {
  const TreeHead earlier = Head(12), now = Head(20);
  LogVerifier v(earlier);
  for (uint64_t i = 0; i < 20; ++i) ASSERT_TRUE(v.Add(i, i, entries_[i], Leaf(i)).ok());
  EXPECT_TRUE(v.Finish(now, Sign(now), signer_->PublicKeyRaw(), Sign(earlier)).ok());
}

TEST_F(LogVerifierTest, AnEditedEntryIsNamed) {
  LogVerifier v;
  for (uint64_t i = 0; i < 7; ++i) ASSERT_TRUE(v.Add(i, i, entries_[i], Leaf(i)).ok());
  absl::Status s = v.Add(7, 7, "entry-7 (edited)", Leaf(7));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("entry 7 was changed"));
}

TEST_F(LogVerifierTest, ADeletedOrMovedEntryIsNamed) {
  LogVerifier gap;
  for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(gap.Add(i, i, entries_[i], Leaf(i)).ok());
  EXPECT_THAT(gap.Add(6, 6, entries_[6], Leaf(6)).message(), HasSubstr("entry 5 is missing"));
  LogVerifier moved;
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(moved.Add(i, i, entries_[i], Leaf(i)).ok());
  // Entry 4 stored at position 3 (its bytes still say 4).
  EXPECT_THAT(moved.Add(3, 4, entries_[4], Leaf(3)).message(), HasSubstr("entries were moved"));
}

TEST_F(LogVerifierTest, ARewrittenHistoryBreaksTheSavedHead) {
  const TreeHead earlier = Head(12);
  const std::string earlier_sig = Sign(earlier);
  // Someone rewrites entry 3 and recomputes every hash consistently.
  std::vector<std::string> forged = entries_;
  forged[3] = "entry-3 (forged)";
  MemoryNodeStore nodes;
  MerkleAppender app;
  for (const auto& e : forged) {
    std::vector<NodeWrite> w;
    app.Append(LeafHash(e), &w);
    nodes.Apply(w);
  }
  const TreeHead now{20, app.Root(), 1772326900000000};
  LogVerifier v(earlier);
  for (uint64_t i = 0; i < 20; ++i) {
    ASSERT_TRUE(v.Add(i, i, forged[i], Bytes(*nodes.Subtree(0, i))).ok());
  }
  absl::Status s = v.Finish(now, Sign(now), signer_->PublicKeyRaw(), earlier_sig);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("rewritten before entry 12"));
  // Without the saved head the forgery is self-consistent: that is why heads are saved.
  LogVerifier blind;
  for (uint64_t i = 0; i < 20; ++i) ASSERT_TRUE(blind.Add(i, i, forged[i], "").ok());
  EXPECT_TRUE(blind.Finish(now, Sign(now), signer_->PublicKeyRaw()).ok());
}

TEST_F(LogVerifierTest, AWrongSignatureOrSizeFails) {
  const TreeHead now = Head(20);
  LogVerifier v;
  for (uint64_t i = 0; i < 20; ++i) ASSERT_TRUE(v.Add(i, i, entries_[i], Leaf(i)).ok());
  std::string sig = Sign(now);
  sig[0] ^= 1;
  EXPECT_THAT(v.Finish(now, sig, signer_->PublicKeyRaw()).message(), HasSubstr("signature"));
  LogVerifier short_read;
  for (uint64_t i = 0; i < 19; ++i) ASSERT_TRUE(short_read.Add(i, i, entries_[i], Leaf(i)).ok());
  EXPECT_THAT(short_read.Finish(now, Sign(now), signer_->PublicKeyRaw()).message(),
              HasSubstr("covers 20 entries but 19"));
}

}  // namespace
}  // namespace collectonce::audit
