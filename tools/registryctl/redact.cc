#include "tools/registryctl/redact.h"

#include "libs/ident/resident_id.h"

namespace collectonce::registryctl {

std::string RedactPersonalNumbers(absl::string_view text) {
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
      continue;
    }
    ++i;
  }
  // Exactly 11 digits starting 13-19, not inside a longer run of digits.
  for (i = 0; i + 11 <= out.size(); ++i) {
    if ((i > 0 && digit(i - 1)) || out[i] != '1' || out[i + 1] < '3' || out[i + 1] > '9') continue;
    bool match = i + 11 == out.size() || !digit(i + 11);
    for (size_t k = 2; match && k < 11; ++k) match = digit(i + k);
    if (match) {
      for (size_t k = 3; k < 7; ++k) out[i + k] = '*';
      i += 10;
    }
  }
  return out;
}

}  // namespace collectonce::registryctl
