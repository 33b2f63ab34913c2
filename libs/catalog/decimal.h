// Exact decimals as canonical text. Values such as registered capital (万元) are kept as
// text and compared digit by digit, never through floating point.
#ifndef COLLECTONCE_LIBS_CATALOG_DECIMAL_H_
#define COLLECTONCE_LIBS_CATALOG_DECIMAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collectonce::catalog {

// A parsed decimal: sign, integer digits without leading zeros ("0" for zero) and fraction
// digits without trailing zeros.
struct Decimal {
  bool negative = false;
  std::string integer = "0";
  std::string fraction;

  // Canonical text: "-12.5", "0", "3". Zero is never negative.
  std::string ToString() const;
  int scale() const { return static_cast<int>(fraction.size()); }
};

// Parses "[+-]digits[.digits]" (at most 30 integer and 18 fraction digits). No exponent,
// no spaces, no thousands separators; the error says which character is wrong.
[[nodiscard]] absl::StatusOr<Decimal> ParseDecimal(absl::string_view text);

// -1, 0 or 1 as a <, ==, > b.
int CompareDecimal(const Decimal& a, const Decimal& b);

}  // namespace collectonce::catalog

#endif  // COLLECTONCE_LIBS_CATALOG_DECIMAL_H_
