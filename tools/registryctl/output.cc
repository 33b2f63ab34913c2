#include "tools/registryctl/output.h"

#include <algorithm>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "libs/catalog/value_text.h"
#include "utf8proc.h"

namespace collectonce::registryctl {

namespace v1 = ::collectonce::registry::v1;

namespace {

// Decodes one UTF-8 sequence at text[i]; returns its length (1 for a stray byte).
size_t NextCodePoint(absl::string_view text, size_t i, uint32_t* cp) {
  const auto c = static_cast<unsigned char>(text[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
  if (i + len > text.size()) len = 1;
  *cp = len == 1 ? c : c & (0x7f >> len);
  for (size_t k = 1; k < len; ++k)
    *cp = (*cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
  return len;
}

}  // namespace

std::string PrintableText(std::string s) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return s;
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (auto& c : cells) c = PrintableText(std::move(c));
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  std::vector<int> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  };
  measure(headers_);
  for (const auto& r : rows_) measure(r);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - DisplayWidth(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  print(headers_);
  for (const auto& r : rows_) print(r);
}

int DisplayWidth(absl::string_view text) {
  int width = 0;
  for (size_t i = 0; i < text.size();) {
    uint32_t cp;
    i += NextCodePoint(text, i, &cp);
    // Unicode's East Asian width as utf8proc knows it: CJK and full-width punctuation 2,
    // combining marks 0; a control character or stray byte (shown as one cell) 1.
    const int w = utf8proc_charwidth(static_cast<utf8proc_int32_t>(cp));
    width += cp < 0x20 || cp == 0x7f ? 1 : w < 0 ? 1 : w;
  }
  return width;
}

Json MessageJson(const google::protobuf::Message& message, bool with_defaults) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = with_defaults;
  options.preserve_proto_field_names = false;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) {
    return Json{{"error", absl::StrCat("cannot render ", message.GetTypeName(), " as JSON")}};
  }
  return Json::parse(out, nullptr, /*allow_exceptions=*/false);
}

std::string DumpJson(const Json& doc) {
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

namespace {

bool PlainYamlKey(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

std::string YamlScalar(const Json& j) {
  // JSON's string escapes are YAML's double-quoted escapes.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void AppendYaml(const Json& j, int indent, std::string* out) {
  const std::string pad(indent, ' ');
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      absl::StrAppend(out, pad, PlainYamlKey(key) ? key : Json(key).dump(), ":");
      if (value.is_object() && !value.empty()) {
        absl::StrAppend(out, "\n");
        AppendYaml(value, indent + 2, out);
      } else if (value.is_array() && !value.empty()) {
        absl::StrAppend(out, "\n");
        AppendYaml(value, indent, out);
      } else {
        absl::StrAppend(out, " ",
                        value.is_object()  ? "{}"
                        : value.is_array() ? "[]"
                                           : YamlScalar(value),
                        "\n");
      }
    }
  } else if (j.is_array()) {
    for (const auto& value : j) {
      if ((value.is_object() || value.is_array()) && !value.empty()) {
        std::string item;
        AppendYaml(value, indent + 2, &item);
        item.replace(indent, 2, "- ");  // the first line carries the dash
        absl::StrAppend(out, item);
      } else {
        absl::StrAppend(out, pad, "- ",
                        value.is_object()  ? "{}"
                        : value.is_array() ? "[]"
                                           : YamlScalar(value),
                        "\n");
      }
    }
  } else {
    absl::StrAppend(out, pad, YamlScalar(j), "\n");
  }
}

// The resource names of a document: its own, or its first list's.
bool CollectNames(const Json& doc, std::vector<std::string>* names) {
  if (!doc.is_object()) return false;
  if (auto it = doc.find("name"); it != doc.end() && it->is_string()) {
    names->push_back(it->get<std::string>());
    return true;
  }
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_array()) continue;
    for (const auto& item : value) {
      if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) return false;
      names->push_back(item["name"].get<std::string>());
    }
    return true;
  }
  // An empty list is left out of protobuf's JSON mapping: no names.
  return doc.empty();
}

}  // namespace

std::string DumpYaml(const Json& doc) {
  std::string out;
  if ((doc.is_object() || doc.is_array()) && doc.empty()) return doc.is_object() ? "{}\n" : "[]\n";
  AppendYaml(doc, 0, &out);
  return out;
}

int EmitDocument(const Globals& g, const Json& doc) {
  switch (g.format()) {
    case OutputFormat::kYaml:
      std::cout << DumpYaml(doc);
      return kExitOk;
    case OutputFormat::kName: {
      std::vector<std::string> names;
      if (!CollectNames(doc, &names)) {
        return UsageError("-o name: this command's output has no resource names; use -o json");
      }
      for (const auto& n : names) std::cout << n << "\n";
      return kExitOk;
    }
    default:
      std::cout << DumpJson(doc);
      return kExitOk;
  }
}

int EmitMessage(const Globals& g, const google::protobuf::Message& message) {
  return EmitDocument(g, MessageJson(message));
}

int EmitDocument(const Globals& g, const Json& doc,
                 const std::function<void(std::ostream&)>& table) {
  if (g.structured()) return EmitDocument(g, doc);
  table(std::cout);
  return kExitOk;
}

std::string FormatTimestamp(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  absl::Time time = absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  return absl::FormatTime("%E4Y-%m-%d%ET%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

std::string CellValue(const v1::FieldDefinition* def, const v1::Value& value, bool already_masked,
                      bool reveal, absl::string_view code_label) {
  if (already_masked) return catalog::FormatValue(value);
  const bool personal = def == nullptr || def->sensitivity() == v1::PERSONAL ||
                        def->sensitivity() == v1::SENSITIVE_PERSONAL;
  if (personal && !reveal) {
    return def == nullptr ? std::string(catalog::FormatValue(value).size(), '*')
                          : catalog::MaskValue(*def, value);
  }
  std::string text = catalog::FormatValue(value);
  if (!code_label.empty()) absl::StrAppend(&text, " (", code_label, ")");
  return text;
}

}  // namespace collectonce::registryctl
