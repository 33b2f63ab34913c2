// Order-preserving byte encodings for RocksDB keys. Every stored key is built with these
// functions, so their output is a storage format: do not change (see docs/storage.md).
#ifndef COLLECTONCE_LIBS_BASE_CODING_H_
#define COLLECTONCE_LIBS_BASE_CODING_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace collectonce {

// Big-endian fixed 64-bit: lexicographic order of the bytes equals numeric order.
inline void PutFixed64BE(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  dst->append(buf, 8);
}

// Reads 8 bytes written by PutFixed64BE from the front of *in and advances it.
// Returns false (and leaves *in unchanged) when fewer than 8 bytes remain.
inline bool GetFixed64BE(absl::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | static_cast<unsigned char>((*in)[i]);
  in->remove_prefix(8);
  *v = r;
  return true;
}

// Signed 64-bit, order-preserving: the sign bit flipped, then big-endian.
inline void PutInt64Ordered(std::string* dst, int64_t v) {
  PutFixed64BE(dst, static_cast<uint64_t>(v) ^ (uint64_t{1} << 63));
}
inline bool GetInt64Ordered(absl::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetFixed64BE(in, &u)) return false;
  *v = static_cast<int64_t>(u ^ (uint64_t{1} << 63));
  return true;
}

// A length-delimited string that keeps prefix order between keys of the same shape:
// bytes, then a 0x00 terminator. The input must not contain 0x00 (callers validate names).
inline void PutTerminated(std::string* dst, absl::string_view s) {
  dst->append(s.data(), s.size());
  dst->push_back('\0');
}
inline bool GetTerminated(absl::string_view* in, absl::string_view* s) {
  size_t pos = in->find('\0');
  if (pos == absl::string_view::npos) return false;
  *s = in->substr(0, pos);
  in->remove_prefix(pos + 1);
  return true;
}

}  // namespace collectonce

#endif  // COLLECTONCE_LIBS_BASE_CODING_H_
