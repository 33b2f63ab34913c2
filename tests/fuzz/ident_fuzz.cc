// Identifier parsers: resident ID numbers, unified social credit codes, division codes.
// Invariants: an accepted number has the check character its first 17 characters give,
// rebuilds from its parts, parses again to the same facts and is masked to 4+4 characters;
// masking keeps the length and shows no non-ASCII byte.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "libs/ident/division.h"
#include "libs/ident/resident_id.h"
#include "libs/ident/uscc.h"
#include "tests/fuzz/fuzz_check.h"

namespace ident = collectonce::ident;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::CivilDay today(2026, 11, 27);

  auto id = ident::ParseResidentId(text, today);
  if (id.ok()) {
    FUZZ_CHECK(id->number.size() == 18);
    FUZZ_CHECK(id->number[17] ==
               ident::ResidentIdCheckChar(absl::string_view(id->number).substr(0, 17)));
    FUZZ_CHECK(absl::AsciiStrToUpper(text) == id->number);
    FUZZ_CHECK(id->division_code == id->number.substr(0, 6));
    FUZZ_CHECK(id->birth_date >= ident::kEarliestBirthDate && id->birth_date <= today);
    FUZZ_CHECK((id->sequence % 2 == 1) == (id->gender == ident::Gender::kMale));
    FUZZ_CHECK(ident::MakeResidentId(id->division_code, id->birth_date, id->sequence) ==
               id->number);
    auto again = ident::ParseResidentId(id->number, today);
    FUZZ_CHECK(again.ok() && again->number == id->number && again->birth_date == id->birth_date);
    const std::string masked = ident::MaskResidentId(id->number);
    FUZZ_CHECK(masked.substr(0, 4) == id->number.substr(0, 4));
    FUZZ_CHECK(masked.substr(4, 10) == std::string(10, '*'));
    for (const std::string& w : id->warnings) FUZZ_CHECK(w.find(id->number) == std::string::npos);
  } else {
    // The error names the problem, never the number (its 17 leading digits).
    if (size == 18 &&
        std::all_of(text.begin(), text.begin() + 17, [](char c) { return c >= '0' && c <= '9'; })) {
      FUZZ_CHECK(std::string(id.status().message()).find(std::string(text.substr(0, 17))) ==
                 std::string::npos);
    }
  }
  const std::string masked = ident::MaskResidentId(text);
  FUZZ_CHECK(masked.size() == size);
  for (unsigned char c : masked) FUZZ_CHECK(c < 0x80);

  auto uscc = ident::ParseUscc(text);
  if (uscc.ok()) {
    FUZZ_CHECK(uscc->code.size() == 18);
    FUZZ_CHECK(uscc->code == absl::AsciiStrToUpper(text));
    FUZZ_CHECK(ident::UsccCheckChar(absl::string_view(uscc->code).substr(0, 17)) == uscc->code[17]);
    FUZZ_CHECK(ident::MakeUscc(absl::string_view(uscc->code).substr(0, 17)) == uscc->code);
    FUZZ_CHECK(uscc->division_code == uscc->code.substr(2, 6));
    FUZZ_CHECK(uscc->org_code == uscc->code.substr(8, 9));
    auto again = ident::ParseUscc(uscc->code);
    FUZZ_CHECK(again.ok() && again->code == uscc->code);
  }
  if (size == 17) {
    // A check character computed for any 17 characters either is '?' or makes a valid code.
    const std::string made = ident::MakeUscc(text);
    if (!made.empty()) FUZZ_CHECK(ident::ParseUscc(made).ok());
  }

  if (const ident::Division* d = ident::FindDivision(text)) {
    FUZZ_CHECK(d->code == text);
    FUZZ_CHECK(ident::IsPlausibleDivisionCode(d->code));
    if (d->retired) FUZZ_CHECK(ident::FindDivision(d->successor) != nullptr);
  }
  if (ident::IsPlausibleDivisionCode(text)) {
    FUZZ_CHECK(size == 6);
    for (char c : text) FUZZ_CHECK(c >= '0' && c <= '9');
  }
  return 0;
}
