// Flag values shared by several commands: times, the read purpose and resource names.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_FLAG_VALUES_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_FLAG_VALUES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/values.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace collectonce::registryctl {

// An RFC 3339 time ("2024-03-05T08:00:00+08:00").
[[nodiscard]] absl::StatusOr<google::protobuf::Timestamp> ParseTimestampFlag(
    absl::string_view flag, absl::string_view text);

// The purpose of reads when --purpose is not given: $REGISTRYCTL_PURPOSE, else the
// data-governance review matter of the kind.
std::string DefaultPurpose(registry::v1::SubjectKind kind);

// "matters/x" for "x" or "matters/x".
std::string WithCollection(absl::string_view collection, absl::string_view name);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_FLAG_VALUES_H_
