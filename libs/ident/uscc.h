// Unified social credit codes (统一社会信用代码) per GB 32100-2015: 18 characters over a
// 31-character alphabet (0-9, A-Y without I O S V Z) with a mod-31 check character. Codes are
// printed on business licences and are public, so errors may quote them.
#ifndef COLLECTONCE_LIBS_IDENT_USCC_H_
#define COLLECTONCE_LIBS_IDENT_USCC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collectonce::ident {

// A checked code and its parts.
struct Uscc {
  std::string code;           // 18 characters, upper case
  char authority = 0;         // position 1: registration authority, e.g. '9' 市场监管
  char category = 0;          // position 2: organisation category, e.g. '1' 企业
  std::string division_code;  // positions 3-8: GB/T 2260 code of the registering authority
  std::string org_code;       // positions 9-17: organisation code (GB 11714, own check digit)
  // Findings that do not make the code invalid, e.g. a division outside Sanming (firms
  // registered elsewhere, or centrally with 100000, do business here).
  std::vector<std::string> warnings;
};

// Checks `text` (lower case accepted and upper-cased) and splits it. INVALID_ARGUMENT names
// the first problem: length, the bad character and its 1-based position, or found vs
// expected check character. The text must be exactly 18 characters: no surrounding spaces.
[[nodiscard]] absl::StatusOr<Uscc> ParseUscc(absl::string_view text);

// The check character for the first 17 characters. Precondition: `first17` is 17 characters
// of the alphabet, upper case; otherwise returns '?', which never matches.
[[nodiscard]] char UsccCheckChar(absl::string_view first17);

// `first17` followed by its check character; for data generators and tests. Returns an
// empty string (which never parses) when `first17` breaks UsccCheckChar's precondition.
[[nodiscard]] std::string MakeUscc(absl::string_view first17);

}  // namespace collectonce::ident

#endif  // COLLECTONCE_LIBS_IDENT_USCC_H_
