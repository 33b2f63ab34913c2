// A reason a value, a record or a catalog is not acceptable. Validation collects every
// violation it finds rather than stopping at the first, so that a caller can fix them all.
#ifndef COLLECTONCE_LIBS_CATALOG_VIOLATION_H_
#define COLLECTONCE_LIBS_CATALOG_VIOLATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace collectonce::catalog {

struct Violation {
  // The field the violation is about, as a path ("name", "fields[3].pattern"); empty for the
  // whole object.
  std::string field;
  // The rule broken, UPPER_SNAKE (TYPE, REQUIRED, LENGTH, PATTERN, FORMAT, RANGE, CODE, ...).
  std::string rule;
  // What is wrong, for a person. Never contains a full ID number or phone number.
  std::string message;

  bool operator==(const Violation& o) const {
    return field == o.field && rule == o.rule && message == o.message;
  }
};

using Violations = std::vector<Violation>;

// Turns violations into one INVALID_ARGUMENT status whose message lists them all
// ("field: message; field: message"), or OK when there are none. The structured list
// travels separately (as BadRequest field violations on the wire).
absl::Status ViolationsToStatus(const Violations& violations, absl::string_view what);

}  // namespace collectonce::catalog

#endif  // COLLECTONCE_LIBS_CATALOG_VIOLATION_H_
