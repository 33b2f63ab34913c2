#include "libs/ident/resident_id.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "libs/base/status_macros.h"
#include "libs/ident/char_text.h"
#include "libs/ident/division.h"

namespace collectonce::ident {
namespace {

constexpr size_t kLength = 18;

// ISO 7064 MOD 11-2: the weight of 1-based position i is 2^(18-i) mod 11.
constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
// Check character for sum mod 11 = 0..10, chosen so that the full weighted sum (check
// character weight 1, X = 10) is 1 mod 11.
constexpr char kCheckChars[] = "10X98765432";

bool IsDigit(char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }

bool AllDigits(absl::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

int Digits(absl::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Checks the character set of a length-checked number whose check character is upper case.
absl::Status CheckCharacters(absl::string_view number) {
  for (size_t i = 0; i < kLength - 1; ++i) {
    if (!IsDigit(number[i])) {
      return absl::InvalidArgumentError(
          absl::StrFormat("character %d is %s; positions 1-17 must be digits", i + 1,
                          internal::DescribeChar(number[i])));
    }
  }
  const char check = number[kLength - 1];
  if (!IsDigit(check) && check != 'X') {
    return absl::InvalidArgumentError(
        absl::StrFormat("character 18 is %s; the check character must be a digit or X",
                        internal::DescribeChar(check)));
  }
  return absl::OkStatus();
}

// Quoting the eight date digits is fine: a birth date alone does not identify a person.
absl::StatusOr<absl::CivilDay> CheckBirthDate(absl::string_view yyyymmdd, absl::CivilDay today) {
  const int year = Digits(yyyymmdd.substr(0, 4));
  const int month = Digits(yyyymmdd.substr(4, 2));
  const int day = Digits(yyyymmdd.substr(6, 2));
  // CivilDay normalises out-of-range fields (Feb 30 -> Mar 2), so compare them back.
  const absl::CivilDay date(year, month, day);
  if (date.year() != year || date.month() != month || date.day() != day) {
    return absl::InvalidArgumentError(
        absl::StrFormat("birth date %s is not a calendar date", yyyymmdd));
  }
  if (date < kEarliestBirthDate) {
    return absl::InvalidArgumentError(absl::StrFormat("birth date %s is before %s", yyyymmdd,
                                                      absl::FormatCivilTime(kEarliestBirthDate)));
  }
  if (date > today) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "birth date %s is in the future (today is %s)", yyyymmdd, absl::FormatCivilTime(today)));
  }
  return date;
}

std::string DivisionWarning(absl::string_view code) {
  if (FindDivision(code) != nullptr) return "";
  if (!IsPlausibleDivisionCode(code)) {
    return absl::StrFormat("address code %s is not a plausible GB/T 2260 code", code);
  }
  return absl::StrFormat("address code %s is not a known Sanming division", code);
}

}  // namespace

absl::StatusOr<ResidentId> ParseResidentId(absl::string_view text, absl::CivilDay today) {
  RETURN_IF_ERROR(internal::CheckAscii(text));
  if (text.size() != kLength) {
    return absl::InvalidArgumentError(
        absl::StrFormat("must be %d characters, got %d", kLength, text.size()));
  }
  std::string number(text);
  number.back() = absl::ascii_toupper(static_cast<unsigned char>(number.back()));
  RETURN_IF_ERROR(CheckCharacters(number));

  ResidentId id;
  ASSIGN_OR_RETURN(id.birth_date, CheckBirthDate(absl::string_view(number).substr(6, 8), today));
  const char expected = ResidentIdCheckChar(absl::string_view(number).substr(0, kLength - 1));
  if (number.back() != expected) {
    return absl::InvalidArgumentError(
        absl::StrFormat("check character is '%c', expected '%c'", number.back(), expected));
  }

  id.division_code = number.substr(0, 6);
  if (id.division_code.substr(0, 2) == "00") {
    // No GB/T 2260 code starts with 00: an address code of 000000 is a filler, not a place.
    return absl::InvalidArgumentError(
        absl::StrFormat("address code %s names no division", id.division_code));
  }
  id.sequence = Digits(absl::string_view(number).substr(14, 3));
  id.gender = id.sequence % 2 == 1 ? Gender::kMale : Gender::kFemale;
  if (std::string w = DivisionWarning(id.division_code); !w.empty()) {
    id.warnings.push_back(std::move(w));
  }
  id.number = std::move(number);
  return id;
}

char ResidentIdCheckChar(absl::string_view first17) {
  if (first17.size() != kLength - 1 || !AllDigits(first17)) return '?';
  int sum = 0;
  for (size_t i = 0; i < first17.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheckChars[sum % 11];
}

std::string MakeResidentId(absl::string_view division6, absl::CivilDay birth, int sequence) {
  if (division6.size() != 6 || !AllDigits(division6) || birth.year() < 0 || birth.year() > 9999 ||
      sequence < 0 || sequence > 999) {
    return "";
  }
  std::string number = absl::StrFormat("%s%04d%02d%02d%03d", division6, birth.year(), birth.month(),
                                       birth.day(), sequence);
  number.push_back(ResidentIdCheckChar(number));
  return number;
}

std::string MaskResidentId(absl::string_view number) {
  const size_t n = number.size();
  const size_t keep = n == kLength ? 4 : std::min<size_t>(2, n / 4);
  std::string out(n, '*');
  for (size_t i = 0; i < n; ++i) {
    const bool shown = i < keep || i >= n - keep;
    if (shown && static_cast<unsigned char>(number[i]) < 0x80) out[i] = number[i];
  }
  return out;
}

}  // namespace collectonce::ident
