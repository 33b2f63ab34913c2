// Bulk-import files and their validation, without gRPC: CSV (RFC 4180, a header row of
// catalog field names) and JSON Lines (one flat object per line) are read into rows, and
// every row is checked against the catalog (ParseValueText, CheckValue, CheckRecord) before
// anything is sent, so that one bad row stops the whole file.
//
// A file is read twice rather than held: CheckFile checks every row of a RowSource (a file
// in memory, or read as a stream: file_rows.h), keeping only the problems and a hash of each
// subject key; ForEachGoodRow then reads it again and hands over the good rows' requests
// one by one. Memory grows with the number of bad rows and by 8 bytes a row, not with the
// rows' contents.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_IMPORT_ROWS_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_IMPORT_ROWS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "collectonce/registry/v1/registry_service.pb.h"
#include "libs/catalog/catalog.h"

namespace collectonce::registryctl {

enum class InputFormat { kCsv, kJsonLines };

inline constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

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

// ---- The readers' steps, shared by ReadCsv/ReadJsonLines and FileRows (file_rows.h).

// One CSV record as written: its fields, the line it starts on, and a problem of quoting.
struct CsvRecord {
  std::vector<std::string> fields;
  std::string problem;
  int line = 0;
  bool was_quoted = false;  // the last field was quoted
};
// Parses the record that starts at text[*pos] on line *line, and moves both past it. A
// record that runs into the end of `text` ends there (an open quote is then its problem).
void ParseCsvRecord(absl::string_view text, size_t* pos, int* line, CsvRecord* record);
// Takes one record into `out`: the first non-blank one is the header (out->columns), a
// record with a problem or the wrong number of fields adds to out->problems. True, with
// *row filled, for a data row.
bool TakeCsvRecord(CsvRecord& record, ReadResult* out, RawRow* row);
// After the last record: a file without a header is a problem.
void FinishCsv(ReadResult* out);
// Column name -> index in out->columns, as JSON lines name them.
using JsonColumns = absl::flat_hash_map<std::string, int>;
// Takes one line of JSON Lines (without its newline): true, with *row filled, for an object;
// a line that is not one adds to out->problems; a blank line is nothing.
bool TakeJsonLine(absl::string_view content, int line, JsonColumns* index, ReadResult* out,
                  RawRow* row);

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

// Checks rows one at a time against `catalog` (values as of `today`): every check of
// ValidateRows but the duplicate subject, which needs the whole file (CheckFile). The
// catalog must outlive the checker.
class RowChecker {
 public:
  RowChecker(const catalog::Catalog& catalog, absl::CivilDay today, RowStamp stamp);
  // The file's columns (kept by pointer: JSON Lines add columns as lines are read) and its
  // header's line (0: JSON Lines). With a header, appends the problems of the file as a
  // whole (unknown or deprecated columns, no key column) and returns whether there are any.
  bool SetColumns(const std::vector<std::string>* columns, int header_line,
                  std::vector<RowProblem>* problems);
  // Appends the row's problems. *subject_key: the subject's key when the row names one
  // readably, even if other values are bad (else empty). *request (if not null): a good
  // row's UpdateRecordRequest, serialized.
  void Check(const RawRow& row, std::vector<RowProblem>* problems, std::string* subject_key,
             std::string* request);
  // "DUPLICATE: the same … as line N", on the key column of `line`.
  RowProblem Duplicate(int line, int first_line) const;

 private:
  struct Column {
    const registry::v1::FieldDefinition* def = nullptr;
    bool key = false;
    bool valid_from = false;  // the row's own valid-from date
    std::string problem;      // unknown or deprecated
    std::string printable;
  };
  void Extend();  // columns_ for names_ not yet seen

  const catalog::Catalog& cat_;
  const absl::CivilDay today_;
  const RowStamp stamp_;
  const bool enterprise_;
  const std::string key_column_;
  const std::string kind_name_;
  const std::vector<std::string>* names_ = nullptr;
  int header_line_ = 0;
  int key_index_ = -1;
  std::vector<Column> columns_;
  catalog::Catalog::FieldValues present_;  // reused row to row
  catalog::Violations record_violations_;
};

// A file's rows, readable from the start as often as needed.
class RowSource {
 public:
  virtual ~RowSource() = default;
  // Back to the first row; info() starts again too.
  [[nodiscard]] virtual absl::Status Rewind() = 0;
  // The next data row; false at the end (or on a read error: see the source).
  virtual bool Next(RawRow* row) = 0;
  // The header's line, the columns and the problems of structure of the rows read so far
  // (its `rows` stay empty for a stream).
  virtual const ReadResult& info() const = 0;
  // Not OK when reading failed (Next then returned false early).
  virtual absl::Status status() const { return absl::OkStatus(); }
};

// What checking a whole file found.
struct FileCheck {
  std::vector<RowProblem> problems;  // every problem, in line order
  absl::flat_hash_set<int> bad_lines;
  int64_t good_rows = 0;
  // A problem with the file as a whole (its header): nothing may be written, not even
  // with --skip-invalid.
  bool file_problem = false;
};

// Checks every row of `source`, the same subject twice in one file included (a hash of each
// key is kept; when two hashes meet, the file is read once more to compare those keys).
[[nodiscard]] absl::StatusOr<FileCheck> CheckFile(RowSource& source, RowChecker& checker);

// Reads `source` again and hands each good row (not in `bad_lines`) to `each`, in file
// order, until `each` returns false. FAILED_PRECONDITION if a row fails the check now that
// passed it before (the file changed in between).
[[nodiscard]] absl::Status ForEachGoodRow(RowSource& source, RowChecker& checker,
                                          const absl::flat_hash_set<int>& bad_lines,
                                          const std::function<bool(PreparedRow)>& each);

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
