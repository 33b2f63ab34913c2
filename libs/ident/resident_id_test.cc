#include "libs/ident/resident_id.h"

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"
#include "libs/ident/division.h"

namespace collectonce::ident {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::CivilDay kToday(2026, 11, 26);
constexpr uint32_t kSeed = 20261126;

// Valid numbers from public documentation; the second one's holder was born in 1880.
const char* const kValidNumbers[] = {"11010519491231002X", "440524188001010014"};

std::string WithCheck(const std::string& first17) { return first17 + ResidentIdCheckChar(first17); }

// True when `message` repeats any 9 consecutive characters of `input`. Error messages may
// quote the 8-digit birth date or a 6-digit address code, never anything longer.
bool Leaks(const std::string& message, const std::string& input) {
  for (size_t i = 0; i + 9 <= input.size(); ++i) {
    if (message.find(input.substr(i, 9)) != std::string::npos) return true;
  }
  return false;
}

// Valid numbers for the exhaustive corruption tests: the public vectors plus random ones.
std::vector<std::string> SampleValidNumbers() {
  std::vector<std::string> out(std::begin(kValidNumbers), std::end(kValidNumbers));
  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<int> days(0, static_cast<int>(kToday - kEarliestBirthDate));
  std::uniform_int_distribution<int> seq(0, 999);
  for (int i = 0; i < 50; ++i) {
    const auto counties = SanmingDivisions();
    const Division& d = counties[rng() % counties.size()];
    out.push_back(MakeResidentId(d.code, kEarliestBirthDate + days(rng), seq(rng)));
  }
  return out;
}

TEST(ResidentIdTest, ParsesValidVectors) {
  auto a = ParseResidentId("11010519491231002X", kToday);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->number, "11010519491231002X");
  EXPECT_EQ(a->division_code, "110105");
  EXPECT_EQ(a->birth_date, absl::CivilDay(1949, 12, 31));
  EXPECT_EQ(a->sequence, 2);
  EXPECT_EQ(a->gender, Gender::kFemale);

  auto b = ParseResidentId("440524188001010014", kToday);
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(b->division_code, "440524");
  EXPECT_EQ(b->birth_date, absl::CivilDay(1880, 1, 1));
  EXPECT_EQ(b->sequence, 1);
  EXPECT_EQ(b->gender, Gender::kMale);
}

TEST(ResidentIdTest, NormalisesLowerCaseCheckCharacter) {
  auto id = ParseResidentId("11010519491231002x", kToday);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->number, "11010519491231002X");
}

TEST(ResidentIdTest, CheckCharacter) {
  EXPECT_EQ(ResidentIdCheckChar("11010519491231002"), 'X');
  EXPECT_EQ(ResidentIdCheckChar("44052418800101001"), '4');
  EXPECT_EQ(ResidentIdCheckChar("1101051949123100"), '?');  // 16 digits
  EXPECT_EQ(ResidentIdCheckChar("1101051949123100A"), '?');
}

TEST(ResidentIdTest, SexFollowsSequenceParity) {
  for (int seq : {0, 1, 2, 9, 10, 998, 999}) {
    auto id = ParseResidentId(MakeResidentId("350404", absl::CivilDay(1980, 1, 1), seq), kToday);
    ASSERT_THAT(id, IsOk());
    EXPECT_EQ(id->sequence, seq);
    EXPECT_EQ(id->gender, seq % 2 == 1 ? Gender::kMale : Gender::kFemale) << seq;
  }
}

// MOD 11-2 detects every single substitution: all weights (powers of 2) are non-zero mod the
// prime 11, so changing one digit by 1..9 changes the sum mod 11, and the check character
// map is one-to-one. Hence no corruption may pass.
TEST(ResidentIdTest, RejectsEverySingleSubstitution) {
  const std::string alternatives = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  int tried = 0;
  for (const std::string& valid : SampleValidNumbers()) {
    SCOPED_TRACE(valid);
    ASSERT_THAT(ParseResidentId(valid, kToday), IsOk());
    for (size_t pos = 0; pos < valid.size(); ++pos) {
      for (char c : alternatives) {
        if (c == valid[pos]) continue;
        std::string bad = valid;
        bad[pos] = c;
        EXPECT_THAT(ParseResidentId(bad, kToday), StatusIs(absl::StatusCode::kInvalidArgument))
            << "position " << pos + 1 << " -> " << c;
        ++tried;
      }
    }
  }
  EXPECT_GT(tried, 52 * 18 * 30);
}

// Swapping neighbours a,b at positions i,i+1 changes the sum by (w_i - w_{i+1})(b - a); since
// w_i = 2 w_{i+1} mod 11 (and the check character has weight 1 after position 17's 2), the
// weight difference is never 0 mod 11, so every transposition of distinct characters fails.
TEST(ResidentIdTest, RejectsEveryAdjacentTransposition) {
  for (const std::string& valid : SampleValidNumbers()) {
    SCOPED_TRACE(valid);
    for (size_t pos = 0; pos + 1 < valid.size(); ++pos) {
      if (valid[pos] == valid[pos + 1]) continue;
      std::string bad = valid;
      std::swap(bad[pos], bad[pos + 1]);
      EXPECT_THAT(ParseResidentId(bad, kToday), StatusIs(absl::StatusCode::kInvalidArgument))
          << "positions " << pos + 1 << "," << pos + 2;
    }
  }
}

TEST(ResidentIdTest, LengthError) {
  EXPECT_THAT(
      ParseResidentId("11010519491231002", kToday),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be 18 characters, got 17")));
  EXPECT_THAT(ParseResidentId("", kToday),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 0")));
  EXPECT_THAT(ParseResidentId(" 11010519491231002X", kToday),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 19")));
}

TEST(ResidentIdTest, BadCharacterErrorNamesPositionAndCharacter) {
  EXPECT_THAT(ParseResidentId("110105A9491231002X", kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("character 7 is 'A'; positions 1-17 must be digits")));
  EXPECT_THAT(ParseResidentId("X10105194912310021", kToday),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 1 is 'X'")));
  EXPECT_THAT(ParseResidentId("11010519491231002Y", kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("character 18 is 'Y'; the check character must be a digit or X")));
  // A control byte is described, not copied into the message.
  EXPECT_THAT(ParseResidentId("1101051949\t231002X", kToday),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 11 is byte 0x09")));
}

TEST(ResidentIdTest, FullWidthDigitsAreNamed) {
  // "１" is U+FF11, three bytes in UTF-8; the position counts characters, not bytes.
  EXPECT_THAT(ParseResidentId("11010\xEF\xBC\x91"
                              "9491231002X",
                              kToday),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 6 is not ASCII")));
}

TEST(ResidentIdTest, ImpossibleDateError) {
  EXPECT_THAT(ParseResidentId(WithCheck("11010519490231002"), kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("birth date 19490231 is not a calendar date")));
  EXPECT_THAT(ParseResidentId(WithCheck("11010519491301002"), kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("birth date 19491301 is not a calendar date")));
  EXPECT_THAT(ParseResidentId(WithCheck("11010519491200002"), kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("birth date 19491200 is not a calendar date")));
}

TEST(ResidentIdTest, LeapYears) {
  EXPECT_THAT(ParseResidentId(WithCheck("35040419000229001"), kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("birth date 19000229 is not a calendar date")));
  EXPECT_THAT(ParseResidentId(WithCheck("35040420230229001"), kToday),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("20230229")));
  EXPECT_THAT(ParseResidentId(WithCheck("35040420000229001"), kToday), IsOk());
  EXPECT_THAT(ParseResidentId(WithCheck("35040420240229001"), kToday), IsOk());
}

TEST(ResidentIdTest, FutureDateIsRelativeToToday) {
  EXPECT_THAT(ParseResidentId(WithCheck("35040420991231001"), kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("birth date 20991231 is in the future")));
  EXPECT_THAT(ParseResidentId(WithCheck("35040420261126001"), kToday), IsOk());  // born today
  EXPECT_THAT(ParseResidentId(WithCheck("35040420261127001"), kToday),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("in the future")));
  // The same number is fine once that day has come.
  EXPECT_THAT(ParseResidentId(WithCheck("35040420261127001"), absl::CivilDay(2026, 11, 27)),
              IsOk());
}

TEST(ResidentIdTest, EarliestBirthDate) {
  EXPECT_THAT(ParseResidentId(WithCheck("35040418500101001"), kToday), IsOk());
  EXPECT_THAT(ParseResidentId(WithCheck("35040418491231001"), kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("birth date 18491231 is before 1850-01-01")));
}

TEST(ResidentIdTest, CheckCharacterErrorNamesFoundAndExpected) {
  EXPECT_THAT(ParseResidentId("110105194912310023", kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("check character is '3', expected 'X'")));
  EXPECT_THAT(ParseResidentId("44052418800101001x", kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("check character is 'X', expected '4'")));
}

TEST(ResidentIdTest, ErrorMessagesNeverContainTheNumber) {
  std::vector<std::string> bad;
  for (const std::string& valid : SampleValidNumbers()) {
    for (size_t pos = 0; pos < valid.size(); ++pos) {
      for (char c : std::string("0123456789AXx ")) {
        std::string b = valid;
        b[pos] = c;
        if (b != valid) bad.push_back(b);
      }
    }
    bad.push_back(valid.substr(0, 17));
    bad.push_back(valid + "0");
    bad.push_back(" " + valid);
    bad.push_back(valid + valid);
    bad.push_back(valid.substr(0, 6) + "20991231" + valid.substr(14));
  }
  int rejected = 0;
  for (const std::string& b : bad) {
    auto id = ParseResidentId(b, kToday);
    if (id.ok()) continue;  // e.g. the lower-case x
    ++rejected;
    EXPECT_FALSE(Leaks(std::string(id.status().message()), b))
        << "message: " << id.status().message();
  }
  EXPECT_GT(rejected, 1000);
}

TEST(ResidentIdTest, WarnsAboutAddressCodesOutsideSanming) {
  auto beijing = ParseResidentId("11010519491231002X", kToday);
  ASSERT_THAT(beijing, IsOk());
  EXPECT_THAT(beijing->warnings,
              ElementsAre("address code 110105 is not a known Sanming division"));

  auto implausible =
      ParseResidentId(MakeResidentId("990000", absl::CivilDay(1990, 5, 1), 12), kToday);
  ASSERT_THAT(implausible, IsOk());
  EXPECT_THAT(implausible->warnings,
              ElementsAre("address code 990000 is not a plausible GB/T 2260 code"));

  for (const char* code : {"350404", "350481", "350400"}) {
    auto id = ParseResidentId(MakeResidentId(code, absl::CivilDay(1990, 5, 1), 12), kToday);
    ASSERT_THAT(id, IsOk());
    EXPECT_THAT(id->warnings, IsEmpty()) << code;
  }
}

// 000000 (and any code starting 00) is a filler, not a place: refused, not warned about.
TEST(ResidentIdTest, AddressCodeZeroIsRefused) {
  for (const char* code : {"000000", "001234"}) {
    const std::string number = MakeResidentId(code, absl::CivilDay(1990, 5, 1), 12);
    auto id = ParseResidentId(number, kToday);
    EXPECT_THAT(id, StatusIs(absl::StatusCode::kInvalidArgument)) << code;
    if (id.ok()) continue;
    EXPECT_EQ(id.status().message(), absl::StrCat("address code ", code, " names no division"));
  }
}

TEST(ResidentIdTest, RetiredSanmingCodesAreAcceptedWithoutWarning) {
  // Issued before 2021 in 梅列区, old 三元区 and 沙县; such numbers stay valid for life.
  for (const char* code : {"350402", "350403", "350427"}) {
    auto id = ParseResidentId(MakeResidentId(code, absl::CivilDay(1975, 3, 14), 37), kToday);
    ASSERT_THAT(id, IsOk());
    EXPECT_THAT(id->warnings, IsEmpty()) << code;
    const Division* d = FindDivision(id->division_code);
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(d->retired);
    EXPECT_FALSE(d->successor.empty());
  }
}

TEST(ResidentIdTest, MakeResidentIdRoundTrips) {
  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<int> days(0, static_cast<int>(kToday - kEarliestBirthDate));
  std::uniform_int_distribution<int> seq(0, 999);
  std::uniform_int_distribution<int> any_code(10000, 999999);  // 00xxxx names no division
  for (int i = 0; i < 2000; ++i) {
    SCOPED_TRACE(::testing::Message() << "seed " << kSeed << ", iteration " << i);
    std::string division;
    if (i % 2 == 0) {
      const auto counties = SanmingDivisions();
      division = std::string(counties[rng() % counties.size()].code);
    } else {
      division = absl::StrFormat("%06d", any_code(rng));
    }
    const absl::CivilDay birth = kEarliestBirthDate + days(rng);
    const int sequence = seq(rng);
    const std::string number = MakeResidentId(division, birth, sequence);
    SCOPED_TRACE(number);  // synthetic, not personal data
    auto id = ParseResidentId(number, kToday);
    ASSERT_THAT(id, IsOk());
    EXPECT_EQ(id->number, number);
    EXPECT_EQ(id->division_code, division);
    EXPECT_EQ(id->birth_date, birth);
    EXPECT_EQ(id->sequence, sequence);
    EXPECT_EQ(id->warnings.empty(), FindDivision(division) != nullptr);
    for (const std::string& w : id->warnings) EXPECT_FALSE(Leaks(w, number)) << w;
  }
}

TEST(ResidentIdTest, MakeResidentIdRejectsBadParts) {
  EXPECT_EQ(MakeResidentId("35040", absl::CivilDay(1980, 1, 1), 1), "");
  EXPECT_EQ(MakeResidentId("35040A", absl::CivilDay(1980, 1, 1), 1), "");
  EXPECT_EQ(MakeResidentId("350404", absl::CivilDay(1980, 1, 1), 1000), "");
  EXPECT_EQ(MakeResidentId("350404", absl::CivilDay(1980, 1, 1), -1), "");
  EXPECT_EQ(MakeResidentId("350404", absl::CivilDay(10000, 1, 1), 1), "");
  EXPECT_EQ(MakeResidentId("110105", absl::CivilDay(1949, 12, 31), 2), "11010519491231002X");
}

TEST(ResidentIdTest, Masking) {
  EXPECT_EQ(MaskResidentId("350403198001011234"), "3504**********1234");
  EXPECT_EQ(MaskResidentId("11010519491231002X"), "1101**********002X");
  EXPECT_EQ(MaskResidentId("11010519491231002"), "11*************02");  // 17: mistyped
  EXPECT_EQ(MaskResidentId("1101051949123100211"), "11***************11");
  EXPECT_EQ(MaskResidentId("12345678"), "12****78");
  EXPECT_EQ(MaskResidentId("1234567"), "1*****7");
  EXPECT_EQ(MaskResidentId("1234"), "1**4");
  EXPECT_EQ(MaskResidentId("123"), "***");
  EXPECT_EQ(MaskResidentId("1"), "*");
  EXPECT_EQ(MaskResidentId(""), "");
  // Non-ASCII bytes at the ends are masked too, so no partial UTF-8 sequence is shown.
  EXPECT_EQ(MaskResidentId("\xE4\xB8\x89"
                           "1234567"),
            "********67");
}

}  // namespace
}  // namespace collectonce::ident
