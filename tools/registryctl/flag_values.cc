#include "tools/registryctl/flag_values.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

int32_t PageSize(int32_t page_size, int64_t limit, int64_t have) {
  int64_t size = page_size > 0 ? page_size : 1000;
  if (limit > 0) size = std::max<int64_t>(1, std::min(size, limit - have));
  return static_cast<int32_t>(size);
}

CLI::Validator IntRange(int64_t min, int64_t max) {
  const std::string range = absl::StrCat(min, " to ", max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        int64_t v = 0;
        if (!absl::SimpleAtoi(text, &v) || v < min || v > max) {
          return absl::StrCat("must be a whole number from ", range, ", got '", text.substr(0, 32),
                              "'");
        }
        return "";
      },
      absl::StrCat("INT ", min, "..", max));
}

CLI::Validator PositiveSeconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double v = 0;
        if (!absl::SimpleAtod(text, &v) || !(v > 0) || v > 86400 * 365) {
          return absl::StrCat("must be a number of seconds more than 0 (such as 30 or 0.5), got '",
                              text.substr(0, 32), "'");
        }
        return "";
      },
      "SECONDS>0");
}

CLI::Validator OneOf(const std::string& what, std::vector<std::string> values) {
  const std::string list = absl::StrJoin(values, ", ");
  return CLI::Validator(
      [what, values, list](std::string& text) -> std::string {
        for (const auto& v : values) {
          if (text == v) return "";
        }
        return absl::StrCat(what, " must be one of ", list, "; got '", text.substr(0, 32), "'");
      },
      absl::StrJoin(values, "|"));
}

}  // namespace collectonce::registryctl
