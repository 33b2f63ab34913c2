// GB/T 2260 administrative division codes for Sanming city (三明市, 350400). Only Sanming is
// tabulated: codes elsewhere are legitimate but unknown here, so callers warn, never reject.
// Within Sanming the table is complete: a 3504xx code it lacks does not exist.
#ifndef COLLECTONCE_LIBS_IDENT_DIVISION_H_
#define COLLECTONCE_LIBS_IDENT_DIVISION_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace collectonce::ident {

// One division code. A retired code is still found because resident ID numbers never change:
// people registered in 梅列区 before 2021 keep 350402 for life.
struct Division {
  absl::string_view code;       // six digits
  absl::string_view name;       // UTF-8, e.g. "三元区"
  bool retired = false;         // abolished; new registrations use `successor`
  absl::string_view successor;  // code that replaced a retired one; empty otherwise
};

// The Sanming entry for a six-digit code (current or retired), or nullptr when the code is
// not in the table.
[[nodiscard]] const Division* FindDivision(absl::string_view code);

// The eleven current county-level divisions (two districts, eight counties and the
// county-level city of 永安), without the city itself, 市辖区 or retired codes. For data
// generators and pickers.
absl::Span<const Division> SanmingDivisions();

// Why a division code may not be newly written as where a subject is now (an enterprise's
// residence), or "" when it may. Sanming's table is complete, so within Sanming (3504xx) a
// code it lacks does not exist ("350499 is not a Sanming division") and a retired one names
// its successor ("350402 (梅列区) was retired in 2021; write 350404 (三元区)"). Codes outside
// Sanming are not judged here. `rule` is set to the violation's rule: CODE or DEPRECATED.
// Preconditions: `code` is six digits.
[[nodiscard]] std::string CurrentDivisionProblem(absl::string_view code, std::string* rule);

// True when `code` is six ASCII digits whose first two name a province-level unit (11-82),
// or 83, the address code on Taiwan residents' residence permits. Says nothing about whether
// the remaining four digits exist.
[[nodiscard]] bool IsPlausibleDivisionCode(absl::string_view code);

}  // namespace collectonce::ident

#endif  // COLLECTONCE_LIBS_IDENT_DIVISION_H_
