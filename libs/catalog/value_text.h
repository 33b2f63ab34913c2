// Typed values as text: how staff write them in import files and on the command line, and
// how tables and exports show them. One text form per type, so export then import is exact.
#ifndef COLLECTONCE_LIBS_CATALOG_VALUE_TEXT_H_
#define COLLECTONCE_LIBS_CATALOG_VALUE_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/catalog.pb.h"
#include "collectonce/registry/v1/values.pb.h"
#include "google/type/date.pb.h"

namespace collectonce::catalog {

// "YYYY-MM-DD", a real calendar date.
[[nodiscard]] absl::StatusOr<google::type::Date> ParseDateText(absl::string_view text);
std::string FormatDate(const google::type::Date& date);

// The text form of a value: strings as they are, dates YYYY-MM-DD, timestamps RFC 3339
// UTC, bools true/false, decimals canonical, codes and references as they are. A list's
// elements are joined with '|' (elements containing '|' are not representable; the catalog
// has no such repeated field).
std::string FormatValue(const registry::v1::Value& value);

// Parses the text form for a field's type. The error says what was expected and never
// repeats a sensitive value.
[[nodiscard]] absl::StatusOr<registry::v1::Value> ParseValueText(
    const registry::v1::FieldDefinition& def, absl::string_view text);

// Brings a value into canonical form before validation and storage: canonical decimals,
// upper-case X in ID numbers, upper-case credit codes and reference ids. Values that
// cannot be normalised are left as they are for validation to report.
void NormalizeValue(const registry::v1::FieldDefinition& def, registry::v1::Value* value);

// Renders a value as the field's mask rule says ("3504**********123X", "张**",
// "138****5678"). A field without a rule is fully masked.
std::string MaskValue(const registry::v1::FieldDefinition& def, const registry::v1::Value& value);

// Masks any text with a rule; exposed for logs and error messages.
std::string MaskText(const registry::v1::MaskRule& rule, absl::string_view text);

}  // namespace collectonce::catalog

#endif  // COLLECTONCE_LIBS_CATALOG_VALUE_TEXT_H_
