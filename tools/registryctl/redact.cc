#include "tools/registryctl/redact.h"

#include "libs/ident/resident_id.h"

namespace collectonce::registryctl {

std::string RedactIdNumbers(absl::string_view text) {
  std::string out(text);
  auto digit = [&](size_t i) { return out[i] >= '0' && out[i] <= '9'; };
  size_t i = 0;
  while (i + 18 <= out.size()) {
    // Exactly 17 digits then a digit or X, not inside a longer run of digits.
    bool match = i == 0 || !digit(i - 1);
    for (size_t k = 0; match && k < 17; ++k) match = digit(i + k);
    match = match && (digit(i + 17) || out[i + 17] == 'X' || out[i + 17] == 'x') &&
            (i + 18 == out.size() || !digit(i + 18));
    if (match) {
      out.replace(i, 18, ident::MaskResidentId(out.substr(i, 18)));
      i += 18;
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace collectonce::registryctl
