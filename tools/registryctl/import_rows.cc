#include "tools/registryctl/import_rows.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/catalog/subject.h"
#include "libs/catalog/value_text.h"
#include "libs/ident/uscc.h"
#include "tools/registryctl/duplicate_keys.h"
#include "tools/registryctl/json_line.h"
#include "tools/registryctl/redact.h"

namespace collectonce::registryctl {

namespace v1 = ::collectonce::registry::v1;

namespace {

// A column name fit to print: as it is when short UTF-8, otherwise described.
std::string PrintableColumn(absl::string_view name, int index) {
  if (!IsValidUtf8(name) || name.size() > 64) return absl::StrCat("column ", index + 1);
  return std::string(name);
}

}  // namespace

absl::StatusOr<InputFormat> DetectFormat(absl::string_view path, absl::string_view flag) {
  std::string f = absl::AsciiStrToLower(flag);
  if (f.empty()) {
    std::string p = absl::AsciiStrToLower(path);
    if (absl::EndsWith(p, ".csv")) return InputFormat::kCsv;
    if (absl::EndsWith(p, ".jsonl") || absl::EndsWith(p, ".ndjson")) return InputFormat::kJsonLines;
    return absl::InvalidArgumentError(
        "cannot tell the format from the file name: use .csv, .jsonl or .ndjson, or --format");
  }
  if (f == "csv") return InputFormat::kCsv;
  if (f == "jsonl" || f == "ndjson" || f == "json") return InputFormat::kJsonLines;
  return absl::InvalidArgumentError("--format is csv or jsonl");
}

std::string RowProblem::ToString() const {
  if (field.empty()) return RedactPersonalNumbers(absl::StrCat("line ", line, ": ", message));
  return RedactPersonalNumbers(absl::StrCat("line ", line, ": field ", field, ": ", message));
}

bool IsValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80           ? 1
                       : (c >> 5) == 0x6  ? 2
                       : (c >> 4) == 0xe  ? 3
                       : (c >> 3) == 0x1e ? 4
                                          : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b >> 6) != 0x2) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return false;
    i += len;
  }
  return true;
}

void ParseCsvRecord(absl::string_view text, size_t* pos, int* line, CsvRecord* record) {
  const size_t n = text.size();
  size_t i = *pos;
  record->line = *line;
  record->fields.clear();
  record->problem.clear();
  record->was_quoted = false;
  std::string cur;
  bool in_quotes = false, after_quote = false;
  std::string& problem = record->problem;
  bool& was_quoted = record->was_quoted;
  for (;;) {
    if (i >= n) {
      if (in_quotes) problem = "a quoted field is not closed before the end of the file";
      break;
    }
    if (!in_quotes && !after_quote) {
      // The plain run of an unquoted field, copied at once.
      size_t end = i;
      while (end < n && text[end] != ',' && text[end] != '\n' && text[end] != '\r' &&
             text[end] != '"') {
        ++end;
      }
      cur.append(text.data() + i, end - i);
      i = end;
      if (i >= n) continue;
    }
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < n && text[i + 1] == '"') {
          cur.push_back('"');
          i += 2;
        } else {
          in_quotes = false;
          after_quote = true;
          ++i;
        }
        continue;
      }
      if (c == '\n') ++*line;
      cur.push_back(c);
      ++i;
      continue;
    }
    if (c == ',') {
      record->fields.push_back(std::move(cur));
      cur.clear();
      was_quoted = after_quote = false;
      ++i;
      continue;
    }
    if (c == '\n' || c == '\r') {
      i += (c == '\r' && i + 1 < n && text[i + 1] == '\n') ? 2 : 1;
      ++*line;
      break;
    }
    if (c == '"') {
      if (cur.empty() && !was_quoted) {
        in_quotes = was_quoted = true;
      } else if (problem.empty()) {
        problem =
            "a double quote inside an unquoted field (quote the whole field and double "
            "the quote, RFC 4180)";
      }
      ++i;
      continue;
    }
    if (after_quote && problem.empty()) {
      problem = "text after the closing quote of a field";
    }
    cur.push_back(c);
    ++i;
  }
  record->fields.push_back(std::move(cur));
  *pos = i;
}

bool TakeCsvRecord(CsvRecord& record, ReadResult* out, RawRow* row) {
  std::vector<std::string>& fields = record.fields;
  const int record_line = record.line;
  if (fields.size() == 1 && fields[0].empty() && !record.was_quoted && record.problem.empty()) {
    return false;  // a blank line
  }
  if (out->header_line == 0) {
    out->header_line = record_line;
    if (!record.problem.empty()) out->problems.push_back({record_line, "", record.problem});
    absl::flat_hash_set<std::string> seen;
    for (size_t k = 0; k < fields.size(); ++k) {
      std::string name(absl::StripAsciiWhitespace(fields[k]));
      if (name.empty()) {
        out->problems.push_back({record_line, "", absl::StrCat("column ", k + 1, " has no name")});
      } else if (!seen.insert(name).second) {
        out->problems.push_back({record_line, PrintableColumn(name, static_cast<int>(k)),
                                 "DUPLICATE: the column appears twice"});
      }
      out->columns.push_back(std::move(name));
    }
    return false;
  }
  if (!record.problem.empty()) {
    out->problems.push_back({record_line, "", record.problem});
    return false;
  }
  if (fields.size() != out->columns.size()) {
    out->problems.push_back({record_line, "",
                             absl::StrCat("expected ", out->columns.size(),
                                          " columns as in the header, found ", fields.size())});
    return false;
  }
  row->line = record_line;
  row->named.clear();
  row->cells.clear();
  row->named.reserve(fields.size());
  row->cells.reserve(fields.size());
  for (size_t k = 0; k < fields.size(); ++k) {
    row->named.push_back(static_cast<int>(k));
    if (!fields[k].empty()) row->cells.emplace_back(static_cast<int>(k), std::move(fields[k]));
  }
  return true;
}

void FinishCsv(ReadResult* out) {
  if (out->header_line == 0) {
    out->problems.push_back({1, "", "the file is empty: expected a header row"});
  }
}

ReadResult ReadCsv(absl::string_view text) {
  ReadResult out;
  if (absl::StartsWith(text, kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  size_t i = 0;
  int line = 1;
  CsvRecord record;  // reused record to record
  while (i < text.size()) {
    ParseCsvRecord(text, &i, &line, &record);
    RawRow row;
    if (TakeCsvRecord(record, &out, &row)) out.rows.push_back(std::move(row));
  }
  FinishCsv(&out);
  return out;
}

bool TakeJsonLine(absl::string_view content, int line, JsonColumns* index, ReadResult* out,
                  RawRow* row) {
  if (absl::StripAsciiWhitespace(content).empty()) return false;
  auto object = ParseFlatJsonObject(content);
  if (!object.ok()) {
    out->problems.push_back(
        {line, "", absl::StrCat("not a JSON object: ", object.status().message())});
    return false;
  }
  row->line = line;
  row->named.clear();
  row->cells.clear();
  for (auto& [key, value] : *object) {
    auto [it, inserted] = index->try_emplace(key, static_cast<int>(out->columns.size()));
    if (inserted) out->columns.push_back(key);
    row->named.push_back(it->second);
    if (value.has_value() && !value->empty())
      row->cells.emplace_back(it->second, std::move(*value));
  }
  return true;
}

ReadResult ReadJsonLines(absl::string_view text) {
  ReadResult out;
  if (absl::StartsWith(text, kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  JsonColumns index;
  int line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view content = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    RawRow row;
    if (TakeJsonLine(content, line, &index, &out, &row)) out.rows.push_back(std::move(row));
  }
  return out;
}

std::string KeyColumn(const catalog::Catalog& catalog) {
  return catalog.kind() == v1::ENTERPRISE ? "uscc" : catalog.proto().lookup_field();
}

RowChecker::RowChecker(const catalog::Catalog& cat, absl::CivilDay today, RowStamp stamp)
    : cat_(cat),
      today_(today),
      stamp_(std::move(stamp)),
      enterprise_(cat.kind() == v1::ENTERPRISE),
      key_column_(KeyColumn(cat)),
      kind_name_(catalog::KindName(cat.kind())) {}

void RowChecker::Extend() {
  for (size_t k = columns_.size(); k < names_->size(); ++k) {
    Column& c = columns_.emplace_back();
    const std::string& name = (*names_)[k];
    c.printable = PrintableColumn(name, static_cast<int>(k));
    if (name == key_column_) key_index_ = static_cast<int>(k);
    if (enterprise_ && name == key_column_) {
      c.key = true;
      continue;
    }
    if (name == kValidFromColumn && cat_.FindField(name) == nullptr) {
      c.valid_from = true;
      continue;
    }
    c.def = cat_.FindField(name);
    if (c.def == nullptr) {
      c.problem = absl::StrCat("UNKNOWN_FIELD: not a field of the ", kind_name_, " catalog",
                               enterprise_ ? " (the subject is named by the uscc column)" : "");
    } else if (c.def->deprecated()) {
      c.problem = "DEPRECATED: the field is deprecated; it takes no new values";
    }
    c.key = name == key_column_;
  }
}

bool RowChecker::SetColumns(const std::vector<std::string>* columns, int header_line,
                            std::vector<RowProblem>* problems) {
  names_ = columns;
  header_line_ = header_line;
  Extend();
  // Problems of the file as a whole: with a header, unknown columns and a missing key
  // column are reported once, on the header's line.
  if (header_line == 0) return false;
  bool any = false;
  for (const Column& c : columns_) {
    if (!c.problem.empty()) {
      problems->push_back({header_line, c.printable, c.problem});
      any = true;
    }
  }
  if (key_index_ < 0 && !columns->empty()) {
    problems->push_back({header_line, key_column_,
                         absl::StrCat("REQUIRED: the file needs a ", key_column_,
                                      " column naming each ", kind_name_)});
    any = true;
  }
  return any;
}

RowProblem RowChecker::Duplicate(int line, int first_line) const {
  return {line, key_column_,
          absl::StrCat("DUPLICATE: the same ", kind_name_, " as line ", first_line)};
}

void RowChecker::Check(const RawRow& row, std::vector<RowProblem>* problems,
                       std::string* subject_key, std::string* request_bytes) {
  if (names_->size() > columns_.size()) Extend();  // JSON Lines: a line with new keys
  const size_t problems_before = problems->size();
  auto add = [&](std::string field, std::string message) {
    problems->push_back({row.line, std::move(field), std::move(message)});
  };
  const std::vector<std::string>& names = *names_;
  v1::UpdateRecordRequest request;
  auto& values = *request.mutable_values();
  subject_key->clear();
  std::optional<google::type::Date> valid_from = stamp_.valid_from;
  std::optional<google::type::Date> own_valid_from;

  if (header_line_ == 0) {  // JSON Lines: each line names its own keys
    for (int k : row.named) {
      if (!columns_[k].problem.empty()) add(columns_[k].printable, columns_[k].problem);
    }
  }
  bool key_present = false;
  for (const auto& [k, text] : row.cells) {
    const Column& c = columns_[k];
    if (!c.problem.empty()) continue;
    if (c.key) key_present = true;
    if (!IsValidUtf8(text)) {
      add(c.printable, "ENCODING: is not valid UTF-8");
      continue;
    }
    if (c.valid_from) {
      auto d = catalog::ParseDateText(text);
      if (!d.ok()) {
        add(c.printable, absl::StrCat("FORMAT: ", d.status().message()));
      } else {
        own_valid_from = *d;
      }
      continue;
    }
    if (!stamp_.valid_from_column.empty() && names[k] == stamp_.valid_from_column) {
      auto d = catalog::ParseDateText(text);
      if (d.ok()) valid_from = *d;  // a bad date is reported as the field's value below
    }
    if (enterprise_ && c.key) {
      auto uscc = ident::ParseUscc(text);
      if (!uscc.ok()) {
        add(c.printable, absl::StrCat("FORMAT: ", uscc.status().message()));
        continue;
      }
      *subject_key = uscc->code;
      request.set_name(absl::StrCat("enterprises/", uscc->code));
      continue;
    }
    const std::string& field = names[k];
    auto value = catalog::ParseValueText(*c.def, text);
    if (!value.ok()) {
      add(field, absl::StrCat("TYPE: ", value.status().message()));
      continue;
    }
    catalog::Violations v;
    cat_.CheckValue(*c.def, *value, today_, field, &v);
    for (auto& x : v) add(x.field, absl::StrCat(x.rule, ": ", x.message));
    if (!v.empty()) continue;
    if (c.key) *subject_key = value->string_value();
    values[field] = *std::move(value);
  }
  // A key named but empty or null is as missing as one not named. (A CSV file without
  // the key column at all has that reported once, on its header.)
  const bool key_missing = !key_present && (header_line_ == 0 || key_index_ >= 0);
  if (key_missing) {
    add(key_column_, absl::StrCat("REQUIRED: every ", header_line_ == 0 ? "line" : "row",
                                  " names its ", kind_name_, " by ", key_column_));
  }
  // Cross-field rules, and required fields the row names but leaves empty. A required
  // column the file does not have at all is the registry's to judge: the row may update
  // a subject that already has the value.
  present_.clear();
  for (const auto& [name, value] : values) present_[name] = &value;
  record_violations_.clear();
  cat_.CheckRecord(present_, today_, &record_violations_);
  // Which fields the row names and which it gives a value: only needed to sort out
  // what CheckRecord reported, which for a good row is nothing.
  absl::flat_hash_set<absl::string_view> named, given;
  if (!record_violations_.empty()) {
    for (int k : row.named) named.insert(names[k]);
    for (const auto& cell : row.cells) given.insert(names[cell.first]);
  }
  for (auto& x : record_violations_) {
    // Required: only a field the row names and leaves empty (a bad value is reported as
    // such, not again as missing).
    if (x.rule == "REQUIRED" && (!named.contains(x.field) || given.contains(x.field) ||
                                 (key_missing && x.field == key_column_))) {
      continue;
    }
    add(x.field, absl::StrCat(x.rule, ": ", x.message));
  }
  if (problems->size() > problems_before || request_bytes == nullptr) return;
  if (!enterprise_) request.set_kind(v1::PERSON);
  if (!stamp_.source.empty()) request.mutable_provenance()->set_source(stamp_.source);
  if (!stamp_.reason.empty()) request.set_reason(stamp_.reason);
  if (own_valid_from) valid_from = own_valid_from;
  if (valid_from) *request.mutable_provenance()->mutable_valid_from() = *valid_from;
  request.SerializeToString(request_bytes);
}

namespace {

// A whole file held in memory as a row source.
class MemoryRows final : public RowSource {
 public:
  explicit MemoryRows(const ReadResult& read) : read_(read) {}
  absl::Status Rewind() override {
    next_ = 0;
    return absl::OkStatus();
  }
  bool Next(RawRow* row) override {
    if (next_ >= read_.rows.size()) return false;
    *row = read_.rows[next_++];
    return true;
  }
  const ReadResult& info() const override { return read_; }

 private:
  const ReadResult& read_;
  size_t next_ = 0;
};

}  // namespace

absl::StatusOr<FileCheck> CheckFile(RowSource& source, RowChecker& checker) {
  FileCheck out;
  if (absl::Status s = source.Rewind(); !s.ok()) return s;
  std::vector<RowProblem> found;  // file and row problems, in line order
  bool columns_set = false;
  DuplicateKeys keys;
  std::string key;
  RawRow row;
  // Pass 1: every row checked; its subject key kept as a 64-bit hash only.
  while (source.Next(&row)) {
    if (!columns_set) {
      out.file_problem |=
          checker.SetColumns(&source.info().columns, source.info().header_line, &found);
      columns_set = true;
    }
    const size_t before = found.size();
    checker.Check(row, &found, &key, nullptr);
    if (!key.empty()) keys.Add(key);
    if (found.size() == before) ++out.good_rows;
  }
  if (absl::Status s = source.status(); !s.ok()) return s;
  const ReadResult& info = source.info();
  if (!columns_set) {  // no data rows: the header alone may still have problems
    out.file_problem |= checker.SetColumns(&info.columns, info.header_line, &found);
  }
  std::vector<RowProblem> problems = info.problems;  // of structure, in line order
  if (info.header_line > 0) {
    for (const RowProblem& p : info.problems) {
      if (p.line == info.header_line) out.file_problem = true;
    }
  }
  problems.insert(problems.end(), found.begin(), found.end());
  for (const auto& p : problems) out.bad_lines.insert(p.line);
  // Pass 2, only when two keys share a hash: the suspects' keys, compared in full.
  if (keys.Finish()) {
    if (absl::Status s = source.Rewind(); !s.ok()) return s;
    std::vector<std::pair<std::string, int>> suspects;
    std::vector<RowProblem> ignored;
    while (source.Next(&row)) {
      checker.Check(row, &ignored, &key, nullptr);
      ignored.clear();
      if (!key.empty() && keys.Suspect(key)) suspects.emplace_back(key, row.line);
    }
    if (absl::Status s = source.status(); !s.ok()) return s;
    for (const auto& [line, first] : DuplicateKeys::Confirm(std::move(suspects))) {
      problems.push_back(checker.Duplicate(line, first));
      if (out.bad_lines.insert(line).second) --out.good_rows;  // it was good but for this
    }
  }
  std::stable_sort(problems.begin(), problems.end(),
                   [](const RowProblem& a, const RowProblem& b) { return a.line < b.line; });
  out.problems = std::move(problems);
  return out;
}

ValidationResult ValidateRows(const catalog::Catalog& cat, const ReadResult& read,
                              absl::CivilDay today, const RowStamp& stamp) {
  ValidationResult out;
  MemoryRows source(read);
  RowChecker checker(cat, today, stamp);
  auto checked = CheckFile(source, checker);
  if (!checked.ok()) return out;  // a file in memory is always readable
  out.problems = std::move(checked->problems);
  out.bad_rows = static_cast<int>(checked->bad_lines.size());
  out.file_problem = checked->file_problem;
  (void)ForEachGoodRow(source, checker, checked->bad_lines, [&out](PreparedRow row) {
    out.rows.push_back(std::move(row));
    return true;
  });
  return out;
}

absl::Status ForEachGoodRow(RowSource& source, RowChecker& checker,
                            const absl::flat_hash_set<int>& bad_lines,
                            const std::function<bool(PreparedRow)>& each) {
  if (absl::Status s = source.Rewind(); !s.ok()) return s;
  RawRow row;
  std::vector<RowProblem> problems;
  std::string key;
  bool columns_set = false;
  while (source.Next(&row)) {
    if (!columns_set) {
      checker.SetColumns(&source.info().columns, source.info().header_line, &problems);
      columns_set = true;
      problems.clear();
    }
    if (bad_lines.contains(row.line)) continue;
    PreparedRow prepared;
    prepared.line = row.line;
    checker.Check(row, &problems, &key, &prepared.request);
    if (!problems.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "line ", row.line, " passed the check and fails now: the file changed while importing"));
    }
    if (!each(std::move(prepared))) return absl::OkStatus();
  }
  return source.status();
}

std::string BatchRequestBytes(const std::vector<PreparedRow>& rows, size_t begin, size_t end) {
  v1::BatchUpdateRecordsRequest head;
  head.set_view(v1::UPDATE_RESPONSE_VIEW_BASIC);
  std::string out = head.SerializeAsString();
  // A repeated message field is its elements one after another, each a tag and a length
  // before the element's bytes: the rows go in as they are.
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    constexpr uint32_t kLengthDelimited = 2;
    const uint32_t tag =
        (v1::BatchUpdateRecordsRequest::kRequestsFieldNumber << 3) | kLengthDelimited;
    for (size_t i = begin; i < end && i < rows.size(); ++i) {
      coded.WriteTag(tag);
      coded.WriteVarint32(static_cast<uint32_t>(rows[i].request.size()));
      coded.WriteString(rows[i].request);
    }
  }
  return out;
}

}  // namespace collectonce::registryctl
