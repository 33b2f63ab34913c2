// Local files registryctl reads: text-format governance files (one, or a directory of them)
// and the file an ID number is read from (never the command line).
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_FILES_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/message.h"

namespace collectonce::registryctl {

// The whole file; "-" reads stdin.
[[nodiscard]] absl::StatusOr<std::string> ReadFileText(const std::string& path);

// The registry's audit public key pinned in `path` (--audit-key: a saved tree head, PEM or
// hex), raw; INVALID_ARGUMENT naming the file otherwise.
[[nodiscard]] absl::StatusOr<std::string> LoadAuditKey(const std::string& path);

// `path` itself when it is a file; every *.txtpb directly in it, sorted by name, when it is
// a directory (NOT_FOUND when there are none).
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ListApplyFiles(const std::string& path);

// Protobuf text format into `message`; the error names the line and column.
[[nodiscard]] absl::Status ParseTextProto(absl::string_view text,
                                          google::protobuf::Message* message);

// A resident ID number from a file (or stdin for "-"): the first line, surrounding
// whitespace removed, checked (GB 11643-1999) against `today`. Errors never quote it.
[[nodiscard]] absl::StatusOr<std::string> ReadIdNumber(const std::string& path,
                                                       absl::CivilDay today);

// Today in the city's calendar (the registry's default zone, libs/base/clock.h).
absl::CivilDay CityToday();

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_FILES_H_
