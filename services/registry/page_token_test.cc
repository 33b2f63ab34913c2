#include "services/registry/page_token.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "services/registry/limits.h"

namespace collectonce::registry {
namespace {

const PageTokens kTokens(std::string(32, 'k'));

TEST(PageTokenTest, HistoryTokensRoundTripAndAreBoundToTheirQuery) {
  const std::string token = kTokens.EncodeHistory(42, "persons/p-1|name");
  auto back = kTokens.DecodeHistory(token, "persons/p-1|name");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, 42);
  auto other = kTokens.DecodeHistory(token, "persons/p-2|name");
  EXPECT_EQ(ReasonOf(other.status()), "INVALID_PAGE_TOKEN");
  EXPECT_EQ(other.status().message(), "the page token belongs to a different query");
}

TEST(PageTokenTest, ListTokensCarryPositionAndMomentAndAreBoundToTheirListing) {
  const std::string token =
      kTokens.EncodeList({"p01hx2k0m5f7a9c3d", 1796212241512307}, "persons|a");
  auto back = kTokens.DecodeList(token, "persons|a");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->after_id, "p01hx2k0m5f7a9c3d");
  EXPECT_EQ(back->read_time_us, 1796212241512307);
  EXPECT_EQ(ReasonOf(kTokens.DecodeList(token, "persons|b").status()), "INVALID_PAGE_TOKEN");
}

// What the tokens used to be (the base64 of the position alone) and anything else without
// the MAC is refused, whatever it says.
TEST(PageTokenTest, RefusesWhatWasNotIssued) {
  for (const std::string raw : {"v1|7|0", "v2|7|0", "l1|7|0|x", "7", "matters/a"}) {
    const std::string forged = absl::WebSafeBase64Escape(raw);
    EXPECT_EQ(ReasonOf(kTokens.DecodeHistory(forged, "").status()), "INVALID_PAGE_TOKEN") << raw;
    EXPECT_EQ(ReasonOf(kTokens.DecodeAuditIndex(forged).status()), "INVALID_PAGE_TOKEN") << raw;
    EXPECT_EQ(ReasonOf(kTokens.DecodeList(forged, "").status()), "INVALID_PAGE_TOKEN") << raw;
    EXPECT_EQ(ReasonOf(kTokens.DecodeKey(PageList::kMatters, forged).status()),
              "INVALID_PAGE_TOKEN")
        << raw;
  }
  EXPECT_FALSE(kTokens.DecodeKey(PageList::kMatters, "not base64!").ok());
  EXPECT_FALSE(kTokens.DecodeKey(PageList::kMatters, "").ok());
}

// Every byte of an issued token is covered: changing any one is refused (or, for the last
// character's unused bits, decodes to the same position).
TEST(PageTokenTest, EveryEditedByteIsRefused) {
  const std::string issued = kTokens.EncodeKey(PageList::kPrincipals, "principals/approval-tax");
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(issued, &raw));
  for (size_t i = 0; i < raw.size(); ++i) {
    for (char flip : {'\x01', '\x80'}) {
      std::string edited = raw;
      edited[i] ^= flip;
      auto back = kTokens.DecodeKey(PageList::kPrincipals, absl::WebSafeBase64Escape(edited));
      EXPECT_EQ(ReasonOf(back.status()), "INVALID_PAGE_TOKEN") << "byte " << i;
    }
  }
}

// A token of one list, or under another key, is refused by every other.
TEST(PageTokenTest, TokensAreBoundToTheirListAndKey) {
  const std::string matters = kTokens.EncodeKey(PageList::kMatters, "matters/x");
  EXPECT_TRUE(kTokens.DecodeKey(PageList::kMatters, matters).ok());
  for (PageList other : {PageList::kBundles, PageList::kPrincipals, PageList::kAccessEvents}) {
    EXPECT_EQ(ReasonOf(kTokens.DecodeKey(other, matters).status()), "INVALID_PAGE_TOKEN");
  }
  const PageTokens other_key(std::string(32, 'j'));
  EXPECT_FALSE(other_key.DecodeKey(PageList::kMatters, matters).ok());
  EXPECT_FALSE(kTokens.DecodeAuditIndex(kTokens.EncodeKey(PageList::kMatters, "7")).ok());
  auto index = kTokens.DecodeAuditIndex(kTokens.EncodeAuditIndex(18446744073709551615ull));
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(*index, 18446744073709551615ull);
  auto key = kTokens.DecodeKey(
      PageList::kAccessEvents,
      kTokens.EncodeKey(PageList::kAccessEvents, std::string("\x02p-1\0\x00\xff", 7)));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, std::string("\x02p-1\0\x00\xff", 7));
}

TEST(PageTokenTest, LengthIsBoundedBeforeDecoding) {
  const std::string over(kMaxPageTokenLength + 1, 'A');
  auto refused = kTokens.DecodeKey(PageList::kMatters, over);
  EXPECT_EQ(ReasonOf(refused.status()), "INVALID_PAGE_TOKEN");
  EXPECT_EQ(refused.status().message().find("AAAA"), absl::string_view::npos);
}

TEST(PageTokenTest, PageSizeIsCheckedOneWay) {
  catalog::Violations v;
  EXPECT_EQ(*PageSize(0, 50, &v), 50);
  EXPECT_EQ(*PageSize(7, 50, &v), 7);
  EXPECT_EQ(*PageSize(1 << 30, 50, &v), kMaxPageSize);
  EXPECT_TRUE(v.empty());
  auto negative = PageSize(-1, 50, &v);
  EXPECT_EQ(ReasonOf(negative.status()), "INVALID_VALUES");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "page_size");
  EXPECT_EQ(v[0].rule, "RANGE");
}

}  // namespace
}  // namespace collectonce::registry
