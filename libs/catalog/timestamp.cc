#include "libs/catalog/timestamp.h"

namespace collectonce::catalog {

google::protobuf::Timestamp MicrosToTimestamp(int64_t us) {
  // Floor division: C++ truncates towards zero, which for negative times would give a
  // negative remainder, i.e. negative nanos.
  int64_t seconds = us / 1000000;
  int64_t rem = us % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --seconds;
  }
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(static_cast<int32_t>(rem * 1000));
  return t;
}

int64_t TimestampToMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

}  // namespace collectonce::catalog
