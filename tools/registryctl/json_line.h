// One line of a JSON Lines import file: a flat object whose values are strings, numbers,
// booleans or null. Numbers keep the text they were written with, so that a decimal or a
// long integer is never rounded through a double.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_JSON_LINE_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_JSON_LINE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collectonce::registryctl {

// key -> text (nullopt for null), in the order written. true/false become "true"/"false".
using FlatJsonObject = std::vector<std::pair<std::string, std::optional<std::string>>>;

// INVALID_ARGUMENT names the column (1-based byte offset) and what was expected; it never
// quotes a value. Strings may hold any bytes except raw control characters; callers check
// UTF-8 where it matters.
[[nodiscard]] absl::StatusOr<FlatJsonObject> ParseFlatJsonObject(absl::string_view line);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_JSON_LINE_H_
