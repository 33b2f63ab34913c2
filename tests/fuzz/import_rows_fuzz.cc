// Import files: CSV and JSON Lines rows read and validated against the example catalogs.
// The first byte picks the format (bit 0) and the catalog (bit 1). Invariants: every row and
// problem names a line inside the file, problems are in line order, a prepared row is a row
// of the file, bad rows are counted once, and no problem message repeats a resident ID or
// mobile number.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_support.h"
#include "tools/registryctl/import_rows.h"

namespace rc = collectonce::registryctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto person = collectonce::fuzz::ExampleCatalog("person");
  static const auto enterprise = collectonce::fuzz::ExampleCatalog("enterprise");
  if (size < 1) return 0;
  const bool csv = (data[0] & 1) == 0;
  const auto& cat = (data[0] & 2) == 0 ? *person : *enterprise;
  const absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  const rc::ReadResult read = csv ? rc::ReadCsv(text) : rc::ReadJsonLines(text);
  // Line ends are LF, CRLF or a lone CR (as the reader counts them).
  int lines = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    lines += text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'));
  }
  std::set<int> row_lines;
  for (const auto& row : read.rows) {
    FUZZ_CHECK(row.line >= 1 && row.line <= lines);
    row_lines.insert(row.line);
    for (const auto& [column, cell] : row.cells) {
      FUZZ_CHECK(column >= 0 && column < static_cast<int>(read.columns.size()));
    }
  }
  for (const auto& p : read.problems) FUZZ_CHECK(p.line >= 0 && p.line <= lines);

  const rc::ValidationResult result = rc::ValidateRows(cat, read, absl::CivilDay(2026, 11, 27));
  std::set<int> bad;
  int previous = 0;
  for (const auto& p : result.problems) {
    FUZZ_CHECK(p.line >= previous);
    previous = p.line;
    bad.insert(p.line);
    FUZZ_CHECK(collectonce::fuzz::NoPersonalData(p.ToString()));
  }
  FUZZ_CHECK(result.bad_rows <= static_cast<int>(bad.size()));
  for (const auto& row : result.rows) {
    FUZZ_CHECK(row_lines.count(row.line) == 1);
    FUZZ_CHECK(bad.count(row.line) == 0);
  }
  if (result.file_problem) FUZZ_CHECK(!result.problems.empty());
  return 0;
}
