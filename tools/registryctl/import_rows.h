// Bulk-import files and their validation, without gRPC: CSV (RFC 4180, a header row of
// catalog field names) and JSON Lines (one flat object per line) are read into rows, and
// every row is checked against the catalog (ParseValueText, CheckValue, CheckRecord) before
// anything is sent, so that one bad row stops the whole file.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_IMPORT_ROWS_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_IMPORT_ROWS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "collectonce/registry/v1/registry_service.pb.h"
#include "libs/catalog/catalog.h"

namespace collectonce::registryctl {

enum class InputFormat { kCsv, kJsonLines };

// By --format ("csv", "jsonl"/"ndjson") when given, else by the file's extension.
[[nodiscard]] absl::StatusOr<InputFormat> DetectFormat(absl::string_view path,
                                                       absl::string_view format_flag);

// Something wrong with one line of the file. Never contains a whole ID number.
struct RowProblem {
  int line = 0;
  std::string field;  // empty when the problem is not about one field
  std::string message;
  // "line N: field F: message" (or "line N: message").
  std::string ToString() const;
};

// One data row as text: (column index, text) for the cells present. An empty CSV cell and
// a JSON null are absent; the row says which columns it had at all.
struct RawRow {
  int line = 0;
  std::vector<std::pair<int, std::string>> cells;
  // Column indexes the row names, even with an empty value (a CSV row names every
  // header column; a JSON line only its keys).
  std::vector<int> named;
};

struct ReadResult {
  // The header's line (CSV); 0 when columns come from each row's keys (JSON Lines).
  int header_line = 0;
  std::vector<std::string> columns;
  std::vector<RawRow> rows;
  // Problems of structure: quoting, column counts, JSON syntax, encoding.
  std::vector<RowProblem> problems;
};

// RFC 4180: comma-separated, fields optionally in double quotes (a quote inside doubled),
// CRLF or LF line ends, a quoted field may span lines. A UTF-8 byte order mark is skipped;
// blank lines are ignored. Lines are counted from 1 (the header); a row's line is the line
// it starts on.
ReadResult ReadCsv(absl::string_view text);

// One JSON object per line; values are strings, numbers (kept as written), true, false or
// null. Blank lines are ignored.
ReadResult ReadJsonLines(absl::string_view text);

// A row that passed every check, ready to send: its UpdateRecordRequest, serialized. (As a
// message a ten-field person row takes about 3 KB, ten times its bytes, and a city's file
// holds millions of rows that are all checked before the first is sent.)
struct PreparedRow {
  int line = 0;
  std::string request;
};

// What every request of a file carries besides its values.
struct RowStamp {
  std::string source;  // provenance.source
  std::string reason;
  // provenance.valid_from (when the values took effect) of every row: a fixed date, or the
  // date in the column `valid_from_column` of each row (establishment_date). A column named
  // valid_from (when the catalog has no such field) gives a row its own date, which wins.
  // None of them: the registry takes the day of the write.
  std::optional<google::type::Date> valid_from;
  std::string valid_from_column;
};

// The column of a file that dates each row, when the catalog has no field of that name.
inline constexpr char kValidFromColumn[] = "valid_from";

struct ValidationResult {
  std::vector<PreparedRow> rows;
  std::vector<RowProblem> problems;  // every problem, in line order
  int bad_rows = 0;                  // distinct lines with a problem
  // A problem with the file as a whole (its header): nothing may be written, not even
  // with --skip-invalid.
  bool file_problem = false;
};

// The column that names the subject: "uscc" for enterprises, the catalog's lookup field
// (id_number) for persons.
std::string KeyColumn(const catalog::Catalog& catalog);

// Checks every row of `read` against `catalog` (values as of `today`): unknown and
// deprecated columns, the subject key (credit code check character; ID number format),
// each value's text form and rules, required fields the file names but leaves empty, the
// cross-field rules, and the same subject twice in one file. Good rows become requests:
// enterprises named enterprises/{uscc}; persons by kind PERSON with id_number among the
// values, so that the registry finds or creates the person; each stamped with `stamp`.
ValidationResult ValidateRows(const catalog::Catalog& catalog, const ReadResult& read,
                              absl::CivilDay today, const RowStamp& stamp = {});

// rows[begin, end) as one serialized BatchUpdateRecordsRequest asking for the basic view
// (the rows' bytes are copied as they are, not parsed again).
std::string BatchRequestBytes(const std::vector<PreparedRow>& rows, size_t begin, size_t end);

// True when `text` is valid UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool IsValidUtf8(absl::string_view text);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_IMPORT_ROWS_H_
