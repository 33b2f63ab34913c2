#include "libs/catalog/timestamp.h"

#include <cstdint>

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace collectonce::catalog {
namespace {

using google::protobuf::util::TimeUtil;

TEST(TimestampTest, NegativeTimesHaveNonNegativeNanos) {
  const google::protobuf::Timestamp t = MicrosToTimestamp(-1);
  EXPECT_EQ(t.seconds(), -1);
  EXPECT_EQ(t.nanos(), 999999000);
  EXPECT_EQ(TimeUtil::ToString(t), "1969-12-31T23:59:59.999999Z");
}

TEST(TimestampTest, ABirthBefore1970) {
  // 1945-03-12T00:00:00+08:00 is 1945-03-11T16:00:00Z.
  const int64_t us = -782899200LL * 1000000 + 250;
  const google::protobuf::Timestamp t = MicrosToTimestamp(us);
  EXPECT_GE(t.nanos(), 0);
  EXPECT_EQ(TimeUtil::ToString(t), "1945-03-11T16:00:00.000250Z");
  EXPECT_EQ(TimestampToMicros(t), us);
}

TEST(TimestampTest, RoundTripsAcrossTheEpochAndTheRangeEnds) {
  for (int64_t us :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{-999999}, int64_t{-1000000}, int64_t{-1000001},
        int64_t{1772326800000000}, TimeUtil::kTimestampMinSeconds * 1000000,
        TimeUtil::kTimestampMaxSeconds * 1000000 + 999999}) {
    const google::protobuf::Timestamp t = MicrosToTimestamp(us);
    EXPECT_GE(t.nanos(), 0) << us;
    EXPECT_LT(t.nanos(), 1000000000) << us;
    EXPECT_EQ(TimestampToMicros(t), us) << us;
  }
}

TEST(TimestampTest, SubMicrosecondNanosRoundTowardsThePast) {
  google::protobuf::Timestamp t;
  t.set_seconds(-1);
  t.set_nanos(999999999);
  EXPECT_EQ(TimestampToMicros(t), -1);
}

}  // namespace
}  // namespace collectonce::catalog
