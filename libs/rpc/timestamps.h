// Timestamps from requests: checked against the range protobuf defines before they become
// microseconds, so that no caller's value overflows the arithmetic.
#ifndef COLLECTONCE_LIBS_RPC_TIMESTAMPS_H_
#define COLLECTONCE_LIBS_RPC_TIMESTAMPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "libs/catalog/catalog.h"

namespace collectonce::rpc {

// Within 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z, nanos in [0, 1e9).
inline bool IsValidTimestamp(const google::protobuf::Timestamp& t) {
  using google::protobuf::util::TimeUtil;
  return t.seconds() >= TimeUtil::kTimestampMinSeconds &&
         t.seconds() <= TimeUtil::kTimestampMaxSeconds && t.nanos() >= 0 &&
         t.nanos() <= 999999999;
}

// Microseconds since the Unix epoch of a valid timestamp (nanoseconds truncated).
inline int64_t TimestampMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
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
  return TimestampMicros(t);
}

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_TIMESTAMPS_H_
