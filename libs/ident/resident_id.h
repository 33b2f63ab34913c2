// Resident ID numbers (公民身份号码) per GB 11643-1999: six-digit address code, birth date
// YYYYMMDD, three-digit sequence whose parity gives the sex, and an ISO 7064 MOD 11-2 check
// character. The number is personal data: nothing here ever puts a whole number in an error.
#ifndef COLLECTONCE_LIBS_IDENT_RESIDENT_ID_H_
#define COLLECTONCE_LIBS_IDENT_RESIDENT_ID_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace collectonce::ident {

enum class Gender { kMale, kFemale };

// A checked resident ID number and the facts it encodes.
struct ResidentId {
  std::string number;         // 18 characters, a trailing x upper-cased to X
  std::string division_code;  // positions 1-6, the address at first registration
  absl::CivilDay birth_date;
  int sequence = 0;               // positions 15-17, 0..999
  Gender gender = Gender::kMale;  // odd sequence: male; even: female
  // Findings that do not make the number invalid, e.g. an address code that is not in the
  // Sanming table (people move here from everywhere). Never contain the number itself.
  std::vector<std::string> warnings;
};

// Earliest birth date accepted. Numbers issued to the very old carry 19th-century dates
// (a standard test vector has 1880-01-01), so the bound is far back, but still rejects
// typos such as 0980 for 1980.
inline constexpr absl::CivilDay kEarliestBirthDate{1850, 1, 1};

// Checks `text` and decodes it. INVALID_ARGUMENT names the first problem precisely (length,
// the bad character and its 1-based position, the impossible or future birth date relative
// to `today`, or found vs expected check character) without quoting the number. The text
// must be exactly 18 characters: no surrounding spaces.
[[nodiscard]] absl::StatusOr<ResidentId> ParseResidentId(absl::string_view text,
                                                         absl::CivilDay today);

// The MOD 11-2 check character ('0'-'9' or 'X') for the first 17 characters.
// Precondition: `first17` is 17 ASCII digits; otherwise returns '?', which never matches.
[[nodiscard]] char ResidentIdCheckChar(absl::string_view first17);

// A number with a correct check character for the given parts, for data generators and
// tests (ParseResidentId still applies its birth-date bounds). Preconditions: `division6`
// is six digits, birth year 0..9999, sequence 0..999; otherwise returns an empty string,
// which never parses.
[[nodiscard]] std::string MakeResidentId(absl::string_view division6, absl::CivilDay birth,
                                         int sequence);

// For logs and screens: an 18-character number keeps its first 4 and last 4 characters
// ("3504**********1234"). Any other length keeps at most 2 at each end and never more than
// a quarter of the string at either end, so a short string is shown as all '*'. Non-ASCII
// bytes are always masked so the result stays valid UTF-8. The length is preserved.
[[nodiscard]] std::string MaskResidentId(absl::string_view number);

}  // namespace collectonce::ident

#endif  // COLLECTONCE_LIBS_IDENT_RESIDENT_ID_H_
