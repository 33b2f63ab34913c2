#include "tools/registryctl/output.h"

#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "libs/catalog/value_text.h"

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

bool IsWide(uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
         (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
         (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
         (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
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
    width += IsWide(cp) ? 2 : 1;
  }
  return width;
}

std::string ToJson(const google::protobuf::Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.preserve_proto_field_names = false;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) return "";
  return out;
}

bool PrintJson(const google::protobuf::Message& message, std::ostream& out) {
  std::string json = ToJson(message, /*pretty=*/true);
  if (json.empty()) {
    std::cerr << "error: cannot render " << message.GetTypeName() << " as JSON\n";
    return false;
  }
  out << json;
  if (json.back() != '\n') out << "\n";
  return true;
}

std::string JsonQuote(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
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
