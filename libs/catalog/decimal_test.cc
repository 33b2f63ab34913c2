#include "libs/catalog/decimal.h"

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"

namespace collectonce::catalog {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr uint32_t kSeed = 20261126;

Decimal D(absl::string_view text) {
  auto d = ParseDecimal(text);
  EXPECT_THAT(d, IsOk()) << text;
  return d.ok() ? *d : Decimal();
}

struct CanonicalCase {
  const char* text;
  const char* canonical;
  bool negative;
  const char* integer;
  const char* fraction;
};

TEST(DecimalTest, ParsesToCanonicalForm) {
  const CanonicalCase kCases[] = {
      {"0", "0", false, "0", ""},
      {"7", "7", false, "7", ""},
      {"007.500", "7.5", false, "7", "5"},
      {"-0", "0", false, "0", ""},
      {"-0.000", "0", false, "0", ""},
      {"+0", "0", false, "0", ""},
      {"+3", "3", false, "3", ""},
      {"-12.50", "-12.5", true, "12", "5"},
      {"-0.05", "-0.05", true, "0", "05"},
      {"5000.00", "5000", false, "5000", ""},
      {"0.000000000000000001", "0.000000000000000001", false, "0", "000000000000000001"},
      {"100", "100", false, "100", ""},
      {"000", "0", false, "0", ""},
      {"123456789012345678901234567890", "123456789012345678901234567890", false,
       "123456789012345678901234567890", ""},
      // Leading zeros beyond the 30-digit limit do not count: they are not digits of value.
      {"0000000000123456789012345678901234567890.5", "123456789012345678901234567890.5", false,
       "123456789012345678901234567890", "5"},
      // Trailing zeros beyond the 18-digit limit do not count either.
      {"1.1000000000000000000000", "1.1", false, "1", "1"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    auto d = ParseDecimal(c.text);
    ASSERT_THAT(d, IsOk());
    EXPECT_EQ(d->ToString(), c.canonical);
    EXPECT_EQ(d->negative, c.negative);
    EXPECT_EQ(d->integer, c.integer);
    EXPECT_EQ(d->fraction, c.fraction);
    EXPECT_EQ(d->scale(), static_cast<int>(std::string(c.fraction).size()));
    // The canonical form is a fixed point.
    EXPECT_EQ(D(d->ToString()).ToString(), c.canonical);
  }
}

TEST(DecimalTest, DefaultIsZero) {
  Decimal d;
  EXPECT_EQ(d.ToString(), "0");
  EXPECT_EQ(d.scale(), 0);
}

struct ErrorCase {
  const char* text;
  const char* message;
};

TEST(DecimalTest, RejectsMalformedText) {
  const ErrorCase kCases[] = {
      {"", "must not be empty"},
      {"1.", "a decimal point must be followed by digits"},
      {"-1.", "a decimal point must be followed by digits"},
      {".5", "a decimal needs digits before '.'"},
      {"-.5", "a decimal needs digits before '.'"},
      {"-", "a decimal needs digits before '.'"},
      {"+", "a decimal needs digits before '.'"},
      {"1e5", "character 2 of a decimal is 'e'"},
      {"12.5e3", "character 5 of a decimal is 'e'"},
      {"1.2.3", "character 4 of a decimal is '.'"},
      {"1,000", "character 2 of a decimal is ','"},
      {" 1", "character 1 of a decimal is ' '"},
      {"1 ", "character 2 of a decimal is ' '"},
      {"--1", "character 2 of a decimal is '-'"},
      {"+-1", "character 2 of a decimal is '-'"},
      {"1-", "character 2 of a decimal is '-'"},
      {"abc", "character 1 of a decimal is 'a'"},
      {"0x10", "character 2 of a decimal is 'x'"},
      {"1234567890123456789012345678901", "at most 30 integer and 18 fraction digits"},
      {"0.1234567890123456789", "at most 30 integer and 18 fraction digits"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(ParseDecimal(c.text),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  }
}

TEST(DecimalTest, ErrorNamesWhatIsExpected) {
  EXPECT_THAT(ParseDecimal("1e5"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("character 2"), HasSubstr("expected digits"))));
}

TEST(DecimalTest, DigitLimitsAreInclusive) {
  EXPECT_THAT(ParseDecimal(std::string(30, '9')), IsOk());
  EXPECT_THAT(ParseDecimal(std::string(31, '9')), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDecimal("0." + std::string(18, '9')), IsOk());
  EXPECT_THAT(ParseDecimal("0." + std::string(19, '9')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

struct CompareCase {
  const char* a;
  const char* b;
  int expected;
};

TEST(DecimalTest, ComparesExactly) {
  const CompareCase kCases[] = {
      {"0", "0", 0},
      {"-0", "0", 0},
      {"1", "1.0", 0},
      {"1", "2", -1},
      {"2", "1", 1},
      {"9", "10", -1},
      {"10", "9", 1},
      {"99.99", "100", -1},
      {"0.5", "0.45", 1},
      {"0.45", "0.5", -1},
      {"0.4", "0.45", -1},
      {"0.1", "0", 1},
      {"0", "0.1", -1},
      {"-0.1", "0", -1},
      {"0", "-0.1", 1},
      {"-1", "1", -1},
      {"1", "-1", 1},
      {"-1", "-2", 1},
      {"-2", "-1", -1},
      {"-10", "-9", -1},
      {"-9", "-10", 1},
      {"-0.5", "-0.45", -1},
      {"-0.45", "-0.5", 1},
      {"-12.5", "-12.5", 0},
      {"123456789012345678901234567890", "123456789012345678901234567889", 1},
      // Floating point cannot tell these apart; exact comparison must.
      {"0.30000000000000001", "0.3", 1},
      {"0.000000000000000001", "0", 1},
      {"-0.000000000000000001", "0", -1},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(absl::StrCat(c.a, " vs ", c.b));
    EXPECT_EQ(CompareDecimal(D(c.a), D(c.b)), c.expected);
    EXPECT_EQ(CompareDecimal(D(c.b), D(c.a)), -c.expected);
  }
}

// Text for n / 10^6 with exactly six fraction digits, optionally padded with a leading zero
// and a trailing zero so that parsing has to canonicalise.
std::string ScaledText(int64_t n, bool pad) {
  const bool negative = n < 0;
  const uint64_t m = negative ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string frac = std::to_string(m % 1000000);
  frac.insert(0, 6 - frac.size(), '0');
  return absl::StrCat(negative ? "-" : (pad ? "+" : ""), pad ? "0" : "", m / 1000000, ".", frac,
                      pad ? "0" : "");
}

// The canonical text of n / 10^6, computed independently of ParseDecimal.
std::string CanonicalScaled(int64_t n) {
  if (n == 0) return "0";
  const bool negative = n < 0;
  const uint64_t m = negative ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string frac = std::to_string(m % 1000000);
  frac.insert(0, 6 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return absl::StrCat(negative ? "-" : "", m / 1000000, frac.empty() ? "" : ".", frac);
}

TEST(DecimalTest, CompareAgreesWithScaledIntegers) {
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  std::mt19937_64 rng(kSeed);
  // Mostly small magnitudes so that equal values and sign changes are frequent, plus some
  // large ones (up to 10^6 in integer part) for differing integer lengths.
  std::uniform_int_distribution<int64_t> small(-2000, 2000);
  std::uniform_int_distribution<int64_t> large(-1000000000000, 1000000000000);
  std::bernoulli_distribution coin(0.5);
  auto draw = [&]() { return coin(rng) ? small(rng) : large(rng); };
  for (int i = 0; i < 5000; ++i) {
    const int64_t a = draw();
    const int64_t b = coin(rng) ? a + small(rng) % 3 : draw();
    const std::string ta = ScaledText(a, coin(rng));
    const std::string tb = ScaledText(b, coin(rng));
    SCOPED_TRACE(absl::StrCat("iteration ", i, ": ", ta, " vs ", tb));
    auto da = ParseDecimal(ta);
    auto db = ParseDecimal(tb);
    ASSERT_THAT(da, IsOk());
    ASSERT_THAT(db, IsOk());
    ASSERT_EQ(da->ToString(), CanonicalScaled(a));
    ASSERT_EQ(db->ToString(), CanonicalScaled(b));
    const int expected = a < b ? -1 : (a > b ? 1 : 0);
    ASSERT_EQ(CompareDecimal(*da, *db), expected);
    ASSERT_EQ(CompareDecimal(*db, *da), -expected);
  }
}

}  // namespace
}  // namespace collectonce::catalog
