// Finds unmasked personal identifiers in text: 18-character resident ID numbers whose check
// character is valid (libs/ident) and 11-digit mainland mobile numbers. Used on the logs and
// error output of a test run and by the fuzz targets on error messages. A finding carries
// the identifier already masked, so that reporting it leaks nothing.
#ifndef COLLECTONCE_TESTS_PII_PII_SCAN_H_
#define COLLECTONCE_TESTS_PII_PII_SCAN_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace collectonce::pii {

struct Finding {
  enum class Kind { kResidentId, kMobile };
  Kind kind;
  size_t offset = 0;             // byte offset in the scanned text
  std::string masked;            // "3504**********1234", "139****3312"
  std::string ToString() const;  // "resident ID number 3504**********1234"
};

// Every identifier in `text`. A candidate must stand alone: no ASCII letter or digit right
// before or after it (so hashes, long numbers and masked forms are not reported).
std::vector<Finding> ScanText(absl::string_view text);

// One finding per line of every regular file under `dir` (recursively), as
// "path:line: <finding>".
std::vector<std::string> ScanDirectory(const std::string& dir);

}  // namespace collectonce::pii

#endif  // COLLECTONCE_TESTS_PII_PII_SCAN_H_
