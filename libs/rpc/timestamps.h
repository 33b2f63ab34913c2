// Timestamps from requests: checked against the range protobuf defines before they become
// microseconds, so that no caller's value overflows the arithmetic.
#ifndef COLLECTONCE_LIBS_RPC_TIMESTAMPS_H_
#define COLLECTONCE_LIBS_RPC_TIMESTAMPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "libs/base/error_reason.h"
#include "libs/catalog/catalog.h"
#include "libs/catalog/timestamp.h"

namespace collectonce::rpc {

// Within 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z, nanos in [0, 1e9).
inline bool IsValidTimestamp(const google::protobuf::Timestamp& t) {
  using google::protobuf::util::TimeUtil;
  return t.seconds() >= TimeUtil::kTimestampMinSeconds &&
         t.seconds() <= TimeUtil::kTimestampMaxSeconds && t.nanos() >= 0 && t.nanos() <= 999999999;
}

// For an optional time filter named `field`: its microseconds, or 0 when it is not set; a
// RANGE violation when it is outside protobuf's range.
inline int64_t CheckedMicros(bool has, const google::protobuf::Timestamp& t,
                             const std::string& field, catalog::Violations* violations) {
  if (!has) return 0;
  if (!IsValidTimestamp(t)) {
    violations->push_back({field, "RANGE", "is not a time between years 1 and 9999"});
    return 0;
  }
  return catalog::TimestampToMicros(t);
}

// The start_time and end_time filters of a request: microseconds (0 when not set).
struct TimeRange {
  int64_t since_us = 0;
  int64_t until_us = 0;
};

// Reads `request`'s start_time and end_time into *range; INVALID_VALUES, with a RANGE
// violation for each one out of range, when either is.
template <typename Request>
absl::Status ReadTimeRange(const Request& request, TimeRange* range,
                           catalog::Violations* violations) {
  range->since_us =
      CheckedMicros(request.has_start_time(), request.start_time(), "start_time", violations);
  range->until_us =
      CheckedMicros(request.has_end_time(), request.end_time(), "end_time", violations);
  if (violations->empty()) return absl::OkStatus();
  return WithReason(absl::InvalidArgumentError("the time range is not valid"), "INVALID_VALUES");
}

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_TIMESTAMPS_H_
