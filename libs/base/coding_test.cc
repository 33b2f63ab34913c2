#include "libs/base/coding.h"

#include <random>

#include "gtest/gtest.h"

namespace collectonce {
namespace {

TEST(CodingTest, Fixed64RoundTripsAndKeepsOrder) {
  std::mt19937_64 rng(20261126);
  for (int i = 0; i < 1000; ++i) {
    uint64_t a = rng(), b = rng();
    std::string ea, eb;
    PutFixed64BE(&ea, a);
    PutFixed64BE(&eb, b);
    EXPECT_EQ(a < b, ea < eb) << "seed 20261126, a=" << a << " b=" << b;
    absl::string_view in = ea;
    uint64_t back;
    ASSERT_TRUE(GetFixed64BE(&in, &back));
    EXPECT_EQ(back, a);
    EXPECT_TRUE(in.empty());
  }
}

TEST(CodingTest, Int64OrderedKeepsSignedOrder) {
  const int64_t values[] = {INT64_MIN, -5, -1, 0, 1, 7, INT64_MAX};
  std::string prev;
  for (int64_t v : values) {
    std::string e;
    PutInt64Ordered(&e, v);
    EXPECT_LT(prev, e) << v;
    absl::string_view in = e;
    int64_t back;
    ASSERT_TRUE(GetInt64Ordered(&in, &back));
    EXPECT_EQ(back, v);
    prev = e;
  }
}

TEST(CodingTest, ShortInputIsRejected) {
  absl::string_view in("abc", 3);
  uint64_t v;
  EXPECT_FALSE(GetFixed64BE(&in, &v));
  EXPECT_EQ(in.size(), 3u);
  absl::string_view t("no-terminator");
  absl::string_view s;
  EXPECT_FALSE(GetTerminated(&t, &s));
}

}  // namespace
}  // namespace collectonce
