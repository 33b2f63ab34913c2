#include "libs/ident/uscc.h"

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"

namespace collectonce::ident {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint32_t kSeed = 20261126;
constexpr absl::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const char* const kValidCodes[] = {"91110000802100433B", "913504000000000390"};

std::string RandomFirst17(std::mt19937& rng) {
  std::string s;
  for (int i = 0; i < 17; ++i) s.push_back(kAlphabet[rng() % kAlphabet.size()]);
  return s;
}

std::vector<std::string> SampleValidCodes() {
  std::vector<std::string> out(std::begin(kValidCodes), std::end(kValidCodes));
  std::mt19937 rng(kSeed);
  for (int i = 0; i < 200; ++i) out.push_back(MakeUscc(RandomFirst17(rng)));
  return out;
}

TEST(UsccTest, ParsesValidVectors) {
  auto a = ParseUscc("91110000802100433B");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->code, "91110000802100433B");
  EXPECT_EQ(a->authority, '9');
  EXPECT_EQ(a->category, '1');
  EXPECT_EQ(a->division_code, "110000");
  EXPECT_EQ(a->org_code, "802100433");

  // Check value 0 maps to '0': (31 - 0) mod 31, not 31.
  auto b = ParseUscc("913504000000000390");
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(b->division_code, "350400");
  EXPECT_EQ(b->org_code, "000000039");
}

TEST(UsccTest, CheckCharacter) {
  EXPECT_EQ(UsccCheckChar("91110000802100433"), 'B');
  EXPECT_EQ(UsccCheckChar("91350400000000039"), '0');
  EXPECT_EQ(UsccCheckChar("9111000080210043"), '?');   // 16 characters
  EXPECT_EQ(UsccCheckChar("9111000080210043I"), '?');  // not in the alphabet
  EXPECT_EQ(UsccCheckChar("9111000080210043b"), '?');  // lower case is the parser's job
}

TEST(UsccTest, NormalisesLowerCase) {
  auto u = ParseUscc("91110000802100433b");
  ASSERT_THAT(u, IsOk());
  EXPECT_EQ(u->code, "91110000802100433B");
  auto v = ParseUscc("91350100ma2xyu0000");
  ASSERT_FALSE(v.ok());  // the check character is wrong, but the letters were accepted
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("check character")));
}

// Every weight is a power of 3, non-zero mod the prime 31, and character values differ by
// 1..30, so a single substitution within the alphabet always changes the sum mod 31; the
// check character has weight 1 and maps one-to-one. Substitutions outside the alphabet fail
// the character check. Verify the arithmetic, then assert it on real and random codes.
TEST(UsccTest, RejectsEverySingleSubstitution) {
  const int weights[] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28, 1};
  for (int w : weights) {
    for (int diff = 1; diff < 31; ++diff) ASSERT_NE(w * diff % 31, 0) << w << " " << diff;
  }
  const std::string alternatives = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  int tried = 0;
  for (const std::string& valid : SampleValidCodes()) {
    SCOPED_TRACE(valid);
    ASSERT_THAT(ParseUscc(valid), IsOk());
    for (size_t pos = 0; pos < valid.size(); ++pos) {
      for (char c : alternatives) {
        if (c == valid[pos]) continue;
        std::string bad = valid;
        bad[pos] = c;
        EXPECT_THAT(ParseUscc(bad), StatusIs(absl::StatusCode::kInvalidArgument))
            << "position " << pos + 1 << " -> " << c;
        ++tried;
      }
    }
  }
  EXPECT_EQ(tried, 202 * 18 * 35);
}

// Swapping neighbours changes the sum by (w_i - w_{i+1})(b - a). With w_i = 3^i the weight
// difference is -2 * 3^i, and between position 17 (weight 28) and the check character
// (weight 1) it is 27: never 0 mod 31, so every adjacent transposition is detected.
TEST(UsccTest, RejectsEveryAdjacentTransposition) {
  for (const std::string& valid : SampleValidCodes()) {
    SCOPED_TRACE(valid);
    for (size_t pos = 0; pos + 1 < valid.size(); ++pos) {
      if (valid[pos] == valid[pos + 1]) continue;
      std::string bad = valid;
      std::swap(bad[pos], bad[pos + 1]);
      EXPECT_THAT(ParseUscc(bad), StatusIs(absl::StatusCode::kInvalidArgument))
          << "positions " << pos + 1 << "," << pos + 2;
    }
  }
}

TEST(UsccTest, LengthError) {
  EXPECT_THAT(ParseUscc("91110000802100433"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                       HasSubstr("must be 18 characters, got 17")));
  EXPECT_THAT(ParseUscc(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 0")));
  EXPECT_THAT(ParseUscc("91110000802100433B "),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 19")));
}

TEST(UsccTest, BadCharacterErrorNamesPositionAndCharacter) {
  EXPECT_THAT(ParseUscc("9111I000802100433B"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("character 5 is 'I'; allowed are 0-9 and A-Y except I, O, S, "
                                 "V, Z")));
  for (char c : std::string("IOSVZ")) {
    std::string bad = "91110000802100433B";
    bad[9] = c;
    EXPECT_THAT(ParseUscc(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr(std::string("character 10 is '") + c + "'")));
  }
  // The message quotes what was typed, lower case included.
  EXPECT_THAT(ParseUscc("91110000802100433o"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 18 is 'o'")));
  EXPECT_THAT(ParseUscc("91110000-02100433B"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 9 is '-'")));
  EXPECT_THAT(ParseUscc("9111000\xEF\xBC\x98"
                        "802100433B"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 8 is not ASCII")));
}

TEST(UsccTest, CheckCharacterErrorNamesFoundAndExpected) {
  EXPECT_THAT(ParseUscc("911100008021004333"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("check character is '3', expected 'B'")));
  EXPECT_THAT(ParseUscc("91350400000000039a"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("check character is 'A', expected '0'")));
}

TEST(UsccTest, WarnsAboutDivisionsOutsideSanming) {
  auto beijing = ParseUscc("91110000802100433B");
  ASSERT_THAT(beijing, IsOk());
  EXPECT_THAT(beijing->warnings,
              ElementsAre("division code 110000 is not a known Sanming division"));

  for (const char* first17 :
       {"91350400000000039", "91350404MA2Y00001", "52350427MJ0000001", "12350481000000001"}) {
    auto u = ParseUscc(MakeUscc(first17));
    ASSERT_THAT(u, IsOk()) << first17;
    EXPECT_THAT(u->warnings, IsEmpty()) << first17;
  }
}

TEST(UsccTest, MakeUsccRoundTrips) {
  std::mt19937 rng(kSeed);
  for (int i = 0; i < 2000; ++i) {
    SCOPED_TRACE(::testing::Message() << "seed " << kSeed << ", iteration " << i);
    const std::string first17 = RandomFirst17(rng);
    const std::string code = MakeUscc(first17);
    SCOPED_TRACE(code);
    ASSERT_EQ(code.size(), 18u);
    EXPECT_EQ(code.substr(0, 17), first17);
    EXPECT_EQ(code.back(), UsccCheckChar(first17));
    auto u = ParseUscc(code);
    ASSERT_THAT(u, IsOk());
    EXPECT_EQ(u->code, code);
    EXPECT_EQ(u->authority, code[0]);
    EXPECT_EQ(u->category, code[1]);
    EXPECT_EQ(u->division_code, code.substr(2, 6));
    EXPECT_EQ(u->org_code, code.substr(8, 9));
    auto lower = ParseUscc(absl::AsciiStrToLower(code));
    ASSERT_THAT(lower, IsOk());
    EXPECT_EQ(lower->code, code);
  }
}

TEST(UsccTest, MakeUsccRejectsBadInput) {
  EXPECT_EQ(MakeUscc("9111000080210043"), "");
  EXPECT_EQ(MakeUscc("9111000080210043O"), "");
  EXPECT_EQ(MakeUscc("91110000802100433"), "91110000802100433B");
}

}  // namespace
}  // namespace collectonce::ident
