#include "libs/audit/tree_head.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace collectonce::audit {
namespace {

Hash CountingRoot() {
  Hash root;
  for (size_t i = 0; i < root.size(); ++i) root[i] = static_cast<uint8_t>(i);
  return root;
}

// The bytes are written out by hand from the format in tree_head.h, so that any change to
// the encoding (which would invalidate every signature ever issued) fails here.
TEST(TreeHeadTest, SigningInputIsTheDocumentedBytes) {
  TreeHead head;
  head.size = 0x0102030405060708;
  head.root = CountingRoot();
  head.timestamp_us = 1700000000123456;
  const std::string want_hex =
      // "collectonce-tree-head-v1\n"
      "636f6c6c6563746f6e63652d747265652d686561642d76310a"
      // size
      "0102030405060708"
      // timestamp_us
      "00060a2418202240"
      // root
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  const std::string got = SigningInput(head);
  EXPECT_EQ(got.size(), 73u);
  EXPECT_EQ(absl::BytesToHexString(got), want_hex);
}

TEST(TreeHeadTest, NegativeTimestampIsPlainTwosComplement) {
  TreeHead head;
  head.size = 0;
  head.root = Hash{};
  head.timestamp_us = -2;
  EXPECT_EQ(absl::BytesToHexString(SigningInput(head)),
            "636f6c6c6563746f6e63652d747265652d686561642d76310a"
            "0000000000000000"
            "fffffffffffffffe"
            "0000000000000000000000000000000000000000000000000000000000000000");
}

TEST(TreeHeadTest, EveryFieldChangesTheInput) {
  TreeHead a{5, CountingRoot(), 7};
  TreeHead b = a;
  b.size = 6;
  TreeHead c = a;
  c.timestamp_us = 8;
  TreeHead d = a;
  d.root[31] ^= 1;
  EXPECT_NE(SigningInput(a), SigningInput(b));
  EXPECT_NE(SigningInput(a), SigningInput(c));
  EXPECT_NE(SigningInput(a), SigningInput(d));
  EXPECT_EQ(SigningInput(a).substr(0, kTreeHeadSigningPrefix.size()), kTreeHeadSigningPrefix);
}

}  // namespace
}  // namespace collectonce::audit
