#include "libs/jose/base64url.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"

namespace collectonce::jose {
namespace {

using ::collectonce::testing::IsOkAndHolds;
using ::collectonce::testing::StatusIs;

TEST(Base64Url, EncodesWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 7) {
    std::string data = all.substr(0, n);
    EXPECT_THAT(Base64UrlDecode(Base64UrlEncode(data)), IsOkAndHolds(data));
  }
}

TEST(Base64Url, RefusesWhatIsNotCanonical) {
  EXPECT_THAT(Base64UrlDecode("Zg=="), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Base64UrlDecode("Zm 9v"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Base64UrlDecode("+/8"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Base64UrlDecode("Z"), StatusIs(absl::StatusCode::kInvalidArgument));
  // "Zh" decodes to "f" only with non-zero unused bits.
  EXPECT_THAT(Base64UrlDecode("Zh"),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("trailing bits")));
}

}  // namespace
}  // namespace collectonce::jose
