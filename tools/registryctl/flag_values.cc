#include "tools/registryctl/flag_values.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace collectonce::registryctl {

absl::StatusOr<google::protobuf::Timestamp> ParseTimestampFlag(absl::string_view flag,
                                                               absl::string_view text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err) ||
      t == absl::InfiniteFuture() || t == absl::InfinitePast()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected an RFC 3339 time such as 2024-03-05T08:00:00+08:00"));
  }
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

std::string DefaultPurpose(registry::v1::SubjectKind kind) {
  if (const char* env = std::getenv("REGISTRYCTL_PURPOSE"); env != nullptr && *env != '\0') {
    return WithCollection("matters", env);
  }
  return kind == registry::v1::ENTERPRISE ? "matters/data-governance-review-enterprise"
                                          : "matters/data-governance-review-person";
}

std::string WithCollection(absl::string_view collection, absl::string_view name) {
  // A bundle may stand for a purpose too; leave any explicit collection alone.
  if (absl::StrContains(name, "/")) return std::string(name);
  return absl::StrCat(collection, "/", name);
}

}  // namespace collectonce::registryctl
