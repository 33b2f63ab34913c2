// google.protobuf.Timestamp <-> microseconds since the Unix epoch: the one conversion the
// store, the services and the tools share. Times before 1970 are negative microseconds; a
// Timestamp always has nanos in [0, 1e9), so -1 µs is seconds -1, nanos 999999000.
#ifndef COLLECTONCE_LIBS_CATALOG_TIMESTAMP_H_
#define COLLECTONCE_LIBS_CATALOG_TIMESTAMP_H_

#include <cstdint>

#include "google/protobuf/timestamp.pb.h"

namespace collectonce::catalog {

// A valid Timestamp (nanos in [0, 1e9)) for any `us`, negative ones included.
google::protobuf::Timestamp MicrosToTimestamp(int64_t us);

// Microseconds of a valid Timestamp, sub-microsecond nanos dropped (rounded towards the past,
// as nanos never are negative). The caller checks the range (rpc::IsValidTimestamp): years 1
// to 9999 fit in int64 microseconds with room to spare.
int64_t TimestampToMicros(const google::protobuf::Timestamp& t);

}  // namespace collectonce::catalog

#endif  // COLLECTONCE_LIBS_CATALOG_TIMESTAMP_H_
