// A signed statement about the log: "the tree of `size` leaves has root `root`, as of
// `timestamp_us`". SigningInput is the exact byte string that the server signs, so it is a
// wire format: never change it; add a new version string instead.
#ifndef COLLECTONCE_LIBS_AUDIT_TREE_HEAD_H_
#define COLLECTONCE_LIBS_AUDIT_TREE_HEAD_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/audit/merkle.h"

namespace collectonce::audit {

struct TreeHead {
  uint64_t size = 0;
  Hash root{};
  // Microseconds since the Unix epoch, UTC.
  int64_t timestamp_us = 0;
};

// First bytes of every signing input: names the format and its version, and keeps these
// signatures from being valid for any other message signed with the same key.
inline constexpr absl::string_view kTreeHeadSigningPrefix = "collectonce-tree-head-v1\n";

// Always 73 bytes:
//   offset  0, 25 bytes: ASCII "collectonce-tree-head-v1\n" (kTreeHeadSigningPrefix)
//   offset 25,  8 bytes: size, unsigned big-endian
//   offset 33,  8 bytes: timestamp_us, big-endian two's complement (NOT sign-flipped)
//   offset 41, 32 bytes: root (raw SHA-256 bytes, RFC 9162 MTH)
// Ed25519 signs these bytes directly (no pre-hash).
std::string SigningInput(const TreeHead& head);

}  // namespace collectonce::audit

#endif  // COLLECTONCE_LIBS_AUDIT_TREE_HEAD_H_
