#include "libs/ident/uscc.h"

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
constexpr int kModulus = 31;

// Index = value. I O S V Z are left out because they are read as 1 0 5 U 2.
constexpr absl::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static_assert(kAlphabet.size() == kModulus);

// The weight of 1-based position i is 3^(i-1) mod 31.
constexpr int kWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

// Value of an upper-case character, or -1 if it is not in the alphabet.
int ValueOf(char c) {
  const size_t i = kAlphabet.find(c);
  return i == absl::string_view::npos ? -1 : static_cast<int>(i);
}

}  // namespace

absl::StatusOr<Uscc> ParseUscc(absl::string_view text) {
  RETURN_IF_ERROR(internal::CheckAscii(text));
  if (text.size() != kLength) {
    return absl::InvalidArgumentError(
        absl::StrFormat("must be %d characters, got %d", kLength, text.size()));
  }
  std::string code(text);
  absl::AsciiStrToUpper(&code);
  for (size_t i = 0; i < kLength; ++i) {
    if (ValueOf(code[i]) < 0) {
      // Quote what was typed (maybe lower case), not the upper-cased form.
      return absl::InvalidArgumentError(
          absl::StrFormat("character %d is %s; allowed are 0-9 and A-Y except I, O, S, V, Z", i + 1,
                          internal::DescribeChar(text[i])));
    }
  }
  const char expected = UsccCheckChar(absl::string_view(code).substr(0, kLength - 1));
  if (code.back() != expected) {
    return absl::InvalidArgumentError(
        absl::StrFormat("check character is '%c', expected '%c'", code.back(), expected));
  }

  Uscc uscc;
  uscc.authority = code[0];
  uscc.category = code[1];
  uscc.division_code = code.substr(2, 6);
  uscc.org_code = code.substr(8, 9);
  if (FindDivision(uscc.division_code) == nullptr) {
    uscc.warnings.push_back(
        absl::StrFormat("division code %s is not a known Sanming division", uscc.division_code));
  }
  uscc.code = std::move(code);
  return uscc;
}

char UsccCheckChar(absl::string_view first17) {
  if (first17.size() != kLength - 1) return '?';
  int sum = 0;
  for (size_t i = 0; i < first17.size(); ++i) {
    const int v = ValueOf(first17[i]);
    if (v < 0) return '?';
    sum += v * kWeights[i];
  }
  return kAlphabet[(kModulus - sum % kModulus) % kModulus];
}

std::string MakeUscc(absl::string_view first17) {
  const char check = UsccCheckChar(first17);
  if (check == '?') return "";
  std::string code(first17);
  code.push_back(check);
  return code;
}

}  // namespace collectonce::ident
