// Seals every stored value that a read serves (record states, change sets, valid-time
// assertions, governance objects) with a keyed MAC, so that a value edited, swapped between
// subjects or moved between revisions behind the registry's back is refused instead of served.
//
// The key is derived from the person-index key, which is kept outside the data directory
// (--index-key-file): a copy of the database, or someone who can write to its disk, cannot
// make a value that opens. What a MAC cannot tell is whether a value is the newest one: an
// older value of the same subject and revision put back opens. That is what the audit log
// (`audit verify --states`), the published tree head and clients holding signed heads are
// for (docs/audit.md, "Tampering and who detects it").
//
// Stored form (do not change; docs/storage.md, format 6):
//   0x00, 0x01 (scheme), 16 bytes MAC, then the value's protobuf bytes
//   MAC = first 16 bytes of HMAC-SHA256(key, kind ‖ u32 big-endian len(context) ‖ context ‖ value)
// No protobuf message starts with 0x00, so an unsealed value of an older format is told apart.
#ifndef COLLECTONCE_LIBS_STORE_STATE_MAC_H_
#define COLLECTONCE_LIBS_STORE_STATE_MAC_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/store/keyed_hash.h"

namespace collectonce::store {

// What a sealed value is; part of the MAC, so a value of one kind never opens as another.
// Do not change the values: they are inside every stored MAC.
enum class SealedKind : char {
  kState = 'S',      // RecordState in `current` and `snapshots`; context: the subject key
  kChangeSet = 'H',  // ChangeSet in `history`; context: the subject key
  kAssertion = 'V',  // Assertion in `valid_time`; context: the whole key
  kObject = 'G',     // GovernanceObject in `governance` (current and version keys); context:
                     // the whole key
  kUpgrade = 'U',    // the format-upgrade marker in the meta family; context: its key
};

// Thread-safe (immutable after construction); copies share the key.
class StateMac {
 public:
  static constexpr size_t kMacBytes = 16;
  static constexpr size_t kOverhead = 2 + kMacBytes;

  // The key: HMAC-SHA256(index key, "collect-once stored value MAC key v1").
  static StateMac FromIndexKey(const KeyedHash& index_hash);

  // The stored form of `value`.
  std::string Seal(SealedKind kind, absl::string_view context, absl::string_view value) const;

  // True, with the value inside in *value, if `stored` was sealed under this key for this
  // kind and context. False if it is unsealed, malformed or does not match: altered.
  [[nodiscard]] bool Open(SealedKind kind, absl::string_view context, absl::string_view stored,
                          absl::string_view* value) const;

  // Whether `stored` has the sealed form at all (an older store's values do not).
  static bool IsSealed(absl::string_view stored);

 private:
  explicit StateMac(KeyedHash key) : key_(std::move(key)) {}
  std::string Mac(SealedKind kind, absl::string_view context, absl::string_view value) const;
  KeyedHash key_;
};

// The refusal of a read whose stored bytes do not match their seal (or are not what the
// key says they are): DATA_LOSS, reason STORED_DATA_ALTERED, naming what, whose and which
// revision, never the bytes. For example `what` = "current state", subject =
// "persons/p1", revision = 3.
absl::Status StoredDataAltered(absl::string_view what, absl::string_view subject, int64_t revision);

}  // namespace collectonce::store

#endif  // COLLECTONCE_LIBS_STORE_STATE_MAC_H_
