#include "libs/replication/layout.h"

#include "gtest/gtest.h"

namespace collectonce::replication {
namespace {

TEST(Layout, LogKeysSortAsTheirIndexesAndParseBack) {
  Layout l("/collectonce/registry");
  EXPECT_EQ(l.LogKey(7), "/collectonce/registry/log/00000000000000000007");
  EXPECT_LT(l.LogKey(9), l.LogKey(10));
  EXPECT_LT(l.LogKey(99999), l.LogKey(100000));
  EXPECT_EQ(l.LogIndexOf(l.LogKey(18446744073709551615ull)), 18446744073709551615ull);
  EXPECT_EQ(l.LogIndexOf(l.LogKey(42)), 42u);
  EXPECT_FALSE(l.LogIndexOf("/collectonce/registry/log/42"));
  EXPECT_FALSE(l.LogIndexOf("/collectonce/registry/log/0000000000000000004x"));
  EXPECT_FALSE(l.LogIndexOf("/collectonce/other/log/00000000000000000042"));
  EXPECT_FALSE(l.LogIndexOf(l.LeaderKey()));
}

TEST(Layout, RangesCoverExactlyTheirKeys) {
  Layout l("/g");
  etcd::KeyRange all = l.LogKeys();
  EXPECT_EQ(all.key, "/g/log/");
  EXPECT_EQ(all.range_end, "/g/log0");
  etcd::KeyRange from = l.LogKeysFrom(5);
  EXPECT_EQ(from.key, l.LogKey(5));
  EXPECT_EQ(from.range_end, "/g/log0");
  EXPECT_LT(l.ReplicaKey("r1"), l.ReplicaKeys().range_end);
  EXPECT_GE(l.ReplicaKey("r1"), l.ReplicaKeys().key);
  EXPECT_TRUE(l.LeaderKey() < all.key || l.LeaderKey() >= all.range_end);
}

TEST(Layout, PrefixEndFollowsEtcdsConvention) {
  EXPECT_EQ(etcd::PrefixEnd("abc"), "abd");
  EXPECT_EQ(etcd::PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(etcd::PrefixEnd(std::string("\xff\xff", 2)), std::string(1, '\0'));
}

}  // namespace
}  // namespace collectonce::replication
