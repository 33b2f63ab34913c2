// Flag values shared by several commands: times, the read purpose and resource names.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_FLAG_VALUES_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_FLAG_VALUES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
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

// Automatic paging with --limit: the page size of the next call (`page_size` if given,
// else 1000, never more than what --limit still allows, so that a listing stops exactly at
// the limit and its next page token continues from there), and whether to stop.
int32_t PageSize(int32_t page_size, int64_t limit, int64_t have);
inline bool LimitReached(int64_t limit, int64_t have) { return limit > 0 && have >= limit; }

// Validators whose messages name the range a person would write ("--batch: must be a
// whole number from 1 to 1000, got 0"), unlike CLI11's numeric ones.
CLI::Validator IntRange(int64_t min, int64_t max);
// More than 0 seconds, fractions allowed ("0.5").
CLI::Validator PositiveSeconds();
// One of `values` ("output format must be one of table, json, yaml, name; got xml").
CLI::Validator OneOf(const std::string& what, std::vector<std::string> values);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_FLAG_VALUES_H_
