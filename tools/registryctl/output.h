// How registryctl shows results on stdout: aligned tables for people (Chinese text counts
// two columns), and for programs one JSON style (protobuf's JSON mapping for messages,
// two-space indentation, one library), YAML of the same document, or resource names.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_OUTPUT_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_OUTPUT_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/catalog.pb.h"
#include "collectonce/registry/v1/values.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "nlohmann/json.hpp"
#include "tools/registryctl/globals.h"

namespace collectonce::registryctl {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  // Missing cells are empty; control characters are shown as spaces.
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // Header, then rows; columns separated by two spaces, the last one not padded.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// `s` with control characters (escape sequences, line breaks) shown as spaces, so that a
// stored value cannot steer the terminal or forge output lines.
std::string PrintableText(std::string s);

// Terminal columns the UTF-8 text takes: East Asian wide characters (CJK, full-width
// punctuation) count two, combining marks none (libutf8proc's widths).
int DisplayWidth(absl::string_view text);

using Json = nlohmann::ordered_json;

// A message in protobuf's JSON mapping (lowerCamel names, 64-bit integers as strings).
// With `with_defaults`, members at their default value too (false, 0, "").
Json MessageJson(const google::protobuf::Message& message, bool with_defaults = false);
// The one JSON style: two-space indentation, UTF-8 as is, a newline at the end.
std::string DumpJson(const Json& doc);
// The same document as YAML (block style; strings double-quoted).
std::string DumpYaml(const Json& doc);

// Prints a result per -o: json, yaml, or name (the document's "name", else the "name" of
// each element of its first list; a usage error when there is none). Returns the exit code.
int EmitDocument(const Globals& g, const Json& doc);
int EmitMessage(const Globals& g, const google::protobuf::Message& message);
// The same, or `table(std::cout)` for -o table.
int EmitDocument(const Globals& g, const Json& doc,
                 const std::function<void(std::ostream&)>& table);

// RFC 3339 in UTC ("2024-03-05T08:00:00Z"), or "" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& t);

// A value for a table cell: its text form, masked per the field's rule when the field holds
// personal data (PERSONAL or SENSITIVE_PERSONAL) and `reveal` is false. `def` may be null
// (unknown field: masked fully unless revealed). A code is followed by its label when given.
std::string CellValue(const registry::v1::FieldDefinition* def, const registry::v1::Value& value,
                      bool already_masked, bool reveal, absl::string_view code_label = {});

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_OUTPUT_H_
