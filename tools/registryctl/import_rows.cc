#include "tools/registryctl/import_rows.h"

#include <algorithm>

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
#include "tools/registryctl/json_line.h"
#include "tools/registryctl/redact.h"

namespace collectonce::registryctl {

namespace v1 = ::collectonce::registry::v1;

namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

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

ReadResult ReadCsv(absl::string_view text) {
  ReadResult out;
  if (absl::StartsWith(text, kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  const size_t n = text.size();
  size_t i = 0;
  int line = 1;
  bool have_header = false;
  std::vector<std::string> fields;  // reused record to record
  while (i < n) {
    const int record_line = line;
    fields.clear();
    std::string cur, problem;
    bool in_quotes = false, was_quoted = false, after_quote = false;
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
        if (c == '\n') ++line;
        cur.push_back(c);
        ++i;
        continue;
      }
      if (c == ',') {
        fields.push_back(std::move(cur));
        cur.clear();
        was_quoted = after_quote = false;
        ++i;
        continue;
      }
      if (c == '\n' || c == '\r') {
        i += (c == '\r' && i + 1 < n && text[i + 1] == '\n') ? 2 : 1;
        ++line;
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
    fields.push_back(std::move(cur));
    if (fields.size() == 1 && fields[0].empty() && !was_quoted && problem.empty()) continue;
    if (!have_header) {
      have_header = true;
      out.header_line = record_line;
      if (!problem.empty()) out.problems.push_back({record_line, "", problem});
      absl::flat_hash_set<std::string> seen;
      for (size_t k = 0; k < fields.size(); ++k) {
        std::string name(absl::StripAsciiWhitespace(fields[k]));
        if (name.empty()) {
          out.problems.push_back({record_line, "", absl::StrCat("column ", k + 1, " has no name")});
        } else if (!seen.insert(name).second) {
          out.problems.push_back({record_line, PrintableColumn(name, static_cast<int>(k)),
                                  "DUPLICATE: the column appears twice"});
        }
        out.columns.push_back(std::move(name));
      }
      continue;
    }
    if (!problem.empty()) {
      out.problems.push_back({record_line, "", problem});
      continue;
    }
    if (fields.size() != out.columns.size()) {
      out.problems.push_back({record_line, "",
                              absl::StrCat("expected ", out.columns.size(),
                                           " columns as in the header, found ", fields.size())});
      continue;
    }
    RawRow& row = out.rows.emplace_back();
    row.line = record_line;
    row.named.reserve(fields.size());
    row.cells.reserve(fields.size());
    for (size_t k = 0; k < fields.size(); ++k) {
      row.named.push_back(static_cast<int>(k));
      if (!fields[k].empty()) row.cells.emplace_back(static_cast<int>(k), std::move(fields[k]));
    }
  }
  if (!have_header) out.problems.push_back({1, "", "the file is empty: expected a header row"});
  return out;
}

ReadResult ReadJsonLines(absl::string_view text) {
  ReadResult out;
  if (absl::StartsWith(text, kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  absl::flat_hash_map<std::string, int> index;
  int line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view content = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (absl::StripAsciiWhitespace(content).empty()) continue;
    auto object = ParseFlatJsonObject(content);
    if (!object.ok()) {
      out.problems.push_back(
          {line, "", absl::StrCat("not a JSON object: ", object.status().message())});
      continue;
    }
    RawRow row;
    row.line = line;
    for (auto& [key, value] : *object) {
      auto [it, inserted] = index.try_emplace(key, static_cast<int>(out.columns.size()));
      if (inserted) out.columns.push_back(key);
      row.named.push_back(it->second);
      if (value.has_value() && !value->empty())
        row.cells.emplace_back(it->second, std::move(*value));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::string KeyColumn(const catalog::Catalog& catalog) {
  return catalog.kind() == v1::ENTERPRISE ? "uscc" : catalog.proto().lookup_field();
}

ValidationResult ValidateRows(const catalog::Catalog& cat, const ReadResult& read,
                              absl::CivilDay today, const RowStamp& stamp) {
  ValidationResult out;
  const bool enterprise = cat.kind() == v1::ENTERPRISE;
  const std::string key_column = KeyColumn(cat);
  const std::string kind_name(catalog::KindName(cat.kind()));

  // What each column is: the subject key, a catalog field, or a problem.
  struct Column {
    const v1::FieldDefinition* def = nullptr;
    bool key = false;
    bool valid_from = false;  // the row's own valid-from date
    std::string problem;      // unknown or deprecated
    std::string printable;
  };
  std::vector<Column> columns(read.columns.size());
  int key_index = -1;
  for (size_t k = 0; k < read.columns.size(); ++k) {
    Column& c = columns[k];
    const std::string& name = read.columns[k];
    c.printable = PrintableColumn(name, static_cast<int>(k));
    if (name == key_column) key_index = static_cast<int>(k);
    if (enterprise && name == key_column) {
      c.key = true;
      continue;
    }
    if (name == kValidFromColumn && cat.FindField(name) == nullptr) {
      c.valid_from = true;
      continue;
    }
    c.def = cat.FindField(name);
    if (c.def == nullptr) {
      c.problem = absl::StrCat("UNKNOWN_FIELD: not a field of the ", kind_name, " catalog",
                               enterprise ? " (the subject is named by the uscc column)" : "");
    } else if (c.def->deprecated()) {
      c.problem = "DEPRECATED: the field is deprecated; it takes no new values";
    }
    c.key = name == key_column;
  }

  // Problems of the file as a whole: with a header, unknown columns and a missing key
  // column are reported once, on the header's line.
  std::vector<RowProblem> problems = read.problems;
  if (read.header_line > 0) {
    for (const RowProblem& p : read.problems) {
      if (p.line == read.header_line) out.file_problem = true;
    }
    for (const Column& c : columns) {
      if (!c.problem.empty()) {
        problems.push_back({read.header_line, c.printable, c.problem});
        out.file_problem = true;
      }
    }
    if (key_index < 0 && !read.columns.empty()) {
      problems.push_back({read.header_line, key_column,
                          absl::StrCat("REQUIRED: the file needs a ", key_column,
                                       " column naming each ", kind_name)});
      out.file_problem = true;
    }
  }

  absl::flat_hash_map<std::string, int> first_line;  // subject key -> line
  first_line.reserve(read.rows.size());
  out.rows.reserve(read.rows.size());
  catalog::Catalog::FieldValues present;  // reused row to row
  catalog::Violations record_violations;
  for (const RawRow& row : read.rows) {
    std::vector<RowProblem> found;
    auto add = [&](std::string field, std::string message) {
      found.push_back({row.line, std::move(field), std::move(message)});
    };
    v1::UpdateRecordRequest request;
    auto& values = *request.mutable_values();
    std::string subject_key;
    std::optional<google::type::Date> valid_from = stamp.valid_from;
    std::optional<google::type::Date> own_valid_from;

    if (read.header_line == 0) {  // JSON Lines: each line names its own keys
      for (int k : row.named) {
        if (!columns[k].problem.empty()) add(columns[k].printable, columns[k].problem);
      }
    }
    bool key_present = false;
    for (const auto& [k, text] : row.cells) {
      const Column& c = columns[k];
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
      if (!stamp.valid_from_column.empty() && read.columns[k] == stamp.valid_from_column) {
        auto d = catalog::ParseDateText(text);
        if (d.ok()) valid_from = *d;  // a bad date is reported as the field's value below
      }
      if (enterprise && c.key) {
        auto uscc = ident::ParseUscc(text);
        if (!uscc.ok()) {
          add(c.printable, absl::StrCat("FORMAT: ", uscc.status().message()));
          continue;
        }
        subject_key = uscc->code;
        request.set_name(absl::StrCat("enterprises/", uscc->code));
        continue;
      }
      const std::string& field = read.columns[k];
      auto value = catalog::ParseValueText(*c.def, text);
      if (!value.ok()) {
        add(field, absl::StrCat("TYPE: ", value.status().message()));
        continue;
      }
      catalog::Violations v;
      cat.CheckValue(*c.def, *value, today, field, &v);
      for (auto& x : v) add(x.field, absl::StrCat(x.rule, ": ", x.message));
      if (!v.empty()) continue;
      if (c.key) subject_key = value->string_value();
      values[field] = *std::move(value);
    }
    // A key named but empty or null is as missing as one not named. (A CSV file without
    // the key column at all has that reported once, on its header.)
    const bool key_missing = !key_present && (read.header_line == 0 || key_index >= 0);
    if (key_missing) {
      add(key_column, absl::StrCat("REQUIRED: every ", read.header_line == 0 ? "line" : "row",
                                   " names its ", kind_name, " by ", key_column));
    }
    // Cross-field rules, and required fields the row names but leaves empty. A required
    // column the file does not have at all is the registry's to judge: the row may update
    // a subject that already has the value.
    present.clear();
    for (const auto& [name, value] : values) present[name] = &value;
    record_violations.clear();
    cat.CheckRecord(present, today, &record_violations);
    // Which fields the row names and which it gives a value: only needed to sort out
    // what CheckRecord reported, which for a good row is nothing.
    absl::flat_hash_set<absl::string_view> named, given;
    if (!record_violations.empty()) {
      for (int k : row.named) named.insert(read.columns[k]);
      for (const auto& cell : row.cells) given.insert(read.columns[cell.first]);
    }
    for (auto& x : record_violations) {
      // Required: only a field the row names and leaves empty (a bad value is reported as
      // such, not again as missing).
      if (x.rule == "REQUIRED" && (!named.contains(x.field) || given.contains(x.field) ||
                                   (key_missing && x.field == key_column))) {
        continue;
      }
      add(x.field, absl::StrCat(x.rule, ": ", x.message));
    }
    if (!subject_key.empty()) {
      auto [it, inserted] = first_line.try_emplace(subject_key, row.line);
      if (!inserted) {
        add(key_column, absl::StrCat("DUPLICATE: the same ", kind_name, " as line ", it->second));
      }
    }
    if (found.empty()) {
      if (!enterprise) request.set_kind(v1::PERSON);
      if (!stamp.source.empty()) request.mutable_provenance()->set_source(stamp.source);
      if (!stamp.reason.empty()) request.set_reason(stamp.reason);
      if (own_valid_from) valid_from = own_valid_from;
      if (valid_from) *request.mutable_provenance()->mutable_valid_from() = *valid_from;
      PreparedRow& prepared = out.rows.emplace_back();
      prepared.line = row.line;
      request.SerializeToString(&prepared.request);
    } else {
      problems.insert(problems.end(), found.begin(), found.end());
    }
  }
  std::stable_sort(problems.begin(), problems.end(),
                   [](const RowProblem& a, const RowProblem& b) { return a.line < b.line; });
  absl::flat_hash_set<int> bad_lines;
  for (const auto& p : problems) bad_lines.insert(p.line);
  out.bad_rows = static_cast<int>(bad_lines.size());
  out.problems = std::move(problems);
  return out;
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
