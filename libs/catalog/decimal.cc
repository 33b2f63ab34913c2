#include "libs/catalog/decimal.h"

#include "absl/strings/str_cat.h"

namespace collectonce::catalog {

std::string Decimal::ToString() const {
  std::string out;
  if (negative) out.push_back('-');
  out += integer;
  if (!fraction.empty()) absl::StrAppend(&out, ".", fraction);
  return out;
}

absl::StatusOr<Decimal> ParseDecimal(absl::string_view text) {
  constexpr size_t kMaxInteger = 30, kMaxFraction = 18;
  if (text.empty()) return absl::InvalidArgumentError("a decimal must not be empty");
  Decimal d;
  size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    d.negative = text[0] == '-';
    i = 1;
  }
  size_t int_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  absl::string_view int_digits = text.substr(int_start, i - int_start);
  absl::string_view frac_digits;
  if (i < text.size() && text[i] == '.') {
    size_t frac_start = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    frac_digits = text.substr(frac_start, i - frac_start);
    if (frac_digits.empty()) {
      return absl::InvalidArgumentError("a decimal point must be followed by digits");
    }
  }
  if (i < text.size()) {
    return absl::InvalidArgumentError(absl::StrCat("character ", i + 1, " of a decimal is '",
                                                   text.substr(i, 1),
                                                   "'; expected digits and at most one '.'"));
  }
  if (int_digits.empty()) return absl::InvalidArgumentError("a decimal needs digits before '.'");
  while (int_digits.size() > 1 && int_digits[0] == '0') int_digits.remove_prefix(1);
  while (!frac_digits.empty() && frac_digits.back() == '0') frac_digits.remove_suffix(1);
  if (int_digits.size() > kMaxInteger || frac_digits.size() > kMaxFraction) {
    return absl::InvalidArgumentError(absl::StrCat("a decimal may have at most ", kMaxInteger,
                                                   " integer and ", kMaxFraction,
                                                   " fraction digits"));
  }
  d.integer = std::string(int_digits);
  d.fraction = std::string(frac_digits);
  if (d.integer == "0" && d.fraction.empty()) d.negative = false;
  return d;
}

namespace {
int CompareMagnitude(const Decimal& a, const Decimal& b) {
  if (a.integer.size() != b.integer.size()) return a.integer.size() < b.integer.size() ? -1 : 1;
  if (int c = a.integer.compare(b.integer); c != 0) return c < 0 ? -1 : 1;
  if (int c = a.fraction.compare(b.fraction); c != 0) return c < 0 ? -1 : 1;
  return 0;
}
}  // namespace

int CompareDecimal(const Decimal& a, const Decimal& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  int m = CompareMagnitude(a, b);
  return a.negative ? -m : m;
}

}  // namespace collectonce::catalog
