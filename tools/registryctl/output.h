// How registryctl shows results on stdout: aligned tables for people (Chinese text counts
// two columns) and protobuf's JSON mapping for programs.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_OUTPUT_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/catalog.pb.h"
#include "collectonce/registry/v1/values.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

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

// Terminal columns the UTF-8 text takes: East Asian wide characters count two.
int DisplayWidth(absl::string_view text);

// Protobuf's JSON mapping (lowerCamel names), pretty-printed, then a newline. False (with a
// message on stderr) if the message cannot be converted.
bool PrintJson(const google::protobuf::Message& message, std::ostream& out);
// The same as one compact line, for building documents from several messages.
std::string ToJson(const google::protobuf::Message& message, bool pretty);

// A JSON string literal for UTF-8 text.
std::string JsonQuote(absl::string_view text);

// RFC 3339 in UTC ("2024-03-05T08:00:00Z"), or "" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& t);

// A value for a table cell: its text form, masked per the field's rule when the field holds
// personal data (PERSONAL or SENSITIVE_PERSONAL) and `reveal` is false. `def` may be null
// (unknown field: masked fully unless revealed). A code is followed by its label when given.
std::string CellValue(const registry::v1::FieldDefinition* def, const registry::v1::Value& value,
                      bool already_masked, bool reveal, absl::string_view code_label = {});

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_OUTPUT_H_
