#include "services/registry/page_token.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"

namespace collectonce::registry {
namespace {

TEST(PageTokenTest, HistoryTokensRoundTripAndAreBoundToTheirQuery) {
  const std::string token = EncodeHistoryToken(42, "persons/p-1|name");
  auto back = DecodeHistoryToken(token, "persons/p-1|name");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, 42);
  auto other = DecodeHistoryToken(token, "persons/p-2|name");
  EXPECT_EQ(ReasonOf(other.status()), "INVALID_PAGE_TOKEN");
  EXPECT_EQ(other.status().message(), "the page token belongs to a different query");
}

TEST(PageTokenTest, ListTokensCarryPositionAndMomentAndAreBoundToTheirListing) {
  const std::string token = EncodeListToken({"p01hx2k0m5f7a9c3d", 1796212241512307}, "persons|a");
  auto back = DecodeListToken(token, "persons|a");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->after_id, "p01hx2k0m5f7a9c3d");
  EXPECT_EQ(back->read_time_us, 1796212241512307);
  EXPECT_EQ(ReasonOf(DecodeListToken(token, "persons|b").status()), "INVALID_PAGE_TOKEN");
  for (const std::string raw : {"l1|7|0|", "l1|-7|0|x", "l1|+7|0|x", "l2|7|0|x", "l1|7|0"}) {
    EXPECT_EQ(ReasonOf(DecodeListToken(absl::WebSafeBase64Escape(raw), "").status()),
              "INVALID_PAGE_TOKEN")
        << raw;
  }
}

TEST(PageTokenTest, RefusesWhatWasNotIssued) {
  for (const std::string raw : {"v1|0|0", "v1|-3|0", "v1| 7|0", "v1|+7|0", "v2|7|0", "v1|7", "7"}) {
    EXPECT_EQ(ReasonOf(DecodeHistoryToken(absl::WebSafeBase64Escape(raw), "").status()),
              "INVALID_PAGE_TOKEN")
        << raw;
  }
  for (const std::string raw : {"0", "-3", "+7", " 7", "7 ", "v1|7|0", "99999999999999999999"}) {
    EXPECT_EQ(ReasonOf(DecodeAuditIndexToken(absl::WebSafeBase64Escape(raw)).status()),
              "INVALID_PAGE_TOKEN")
        << raw;
  }
  EXPECT_TRUE(DecodeAuditIndexToken(absl::WebSafeBase64Escape("7")).ok());
  EXPECT_FALSE(DecodeKeyToken("not base64!").ok());
  EXPECT_FALSE(DecodeKeyToken("").ok());
}

TEST(PageTokenTest, LengthIsBoundedBeforeDecoding) {
  const std::string at_limit(kMaxPageTokenLength, 'A');
  const std::string over(kMaxPageTokenLength + 1, 'A');
  EXPECT_TRUE(DecodeKeyToken(at_limit).ok());
  auto refused = DecodeKeyToken(over);
  EXPECT_EQ(ReasonOf(refused.status()), "INVALID_PAGE_TOKEN");
  EXPECT_EQ(refused.status().message().find("AAAA"), absl::string_view::npos);
}

TEST(PageTokenTest, AuditIndexAndKeyTokensRoundTrip) {
  auto index = DecodeAuditIndexToken(EncodeAuditIndexToken(18446744073709551615ull));
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(*index, 18446744073709551615ull);
  auto key = DecodeKeyToken(EncodeKeyToken(std::string("\x02p-1\0\x00\xff", 7)));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, std::string("\x02p-1\0\x00\xff", 7));
}

}  // namespace
}  // namespace collectonce::registry
